"""Input of publishing and of readers' error reports; lengths and shapes only.

Whether a note or reason is required is the workflow's rule (it raises a clear
ValidationError); these forms bound lengths and parse numbers. The report form's
``website`` field is a honeypot: people never see it (hidden by a CSS class), bots
fill it in.
"""

from __future__ import annotations

from django import forms

from ..models import ErrorReportState
from ..workflow.publication import (
    MAX_CORRECTION_NOTE,
    MAX_REASON,
    MAX_REPORT_TEXT,
    MAX_RESPONSE,
)


class PublishForm(forms.Form):
    correction_note = forms.CharField(
        required=False, max_length=MAX_CORRECTION_NOTE, strip=True
    )
    # The publication version the form was drawn at (0: never published).
    expected_version = forms.IntegerField(required=False, min_value=0)


class UnpublishForm(forms.Form):
    reason = forms.CharField(required=False, max_length=MAX_REASON, strip=True)


class ErrorReportForm(forms.Form):
    text = forms.CharField(
        label="What is wrong?",
        max_length=MAX_REPORT_TEXT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    email = forms.EmailField(
        label="Your email (optional, if you want an answer)",
        required=False,
        max_length=254,
    )
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class HandleReportForm(forms.Form):
    state = forms.ChoiceField(
        choices=[
            (ErrorReportState.RESOLVED, "Resolved"),
            (ErrorReportState.REJECTED, "Rejected"),
        ]
    )
    response = forms.CharField(required=False, max_length=MAX_RESPONSE, strip=True)
