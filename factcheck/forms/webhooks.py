"""The webhook endpoint form: validation only (``workflow.webhooks`` writes and
checks the address again)."""

from __future__ import annotations

from django import forms

from ..models import WebhookEvent
from ..workflow.webhooks import MAX_URL


class WebhookForm(forms.Form):
    url = forms.URLField(
        label="Address",
        max_length=MAX_URL,
        assume_scheme="https",
        help_text="Where events are POSTed, e.g. https://cms.example/hooks/factcheck.",
    )
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class WebhookEditForm(WebhookForm):
    active = forms.BooleanField(
        required=False, help_text="Disabled endpoints are sent nothing."
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)
