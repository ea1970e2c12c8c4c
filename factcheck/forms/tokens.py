"""The API token form: validation only (``workflow.create_api_token`` writes)."""

from __future__ import annotations

from django import forms

from ..models import User
from ..workflow.tokens import MAX_NAME


class TokenForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        label="Acts as",
        help_text="The token has this person's permissions: use a service account "
        "with the reviewer role for a CMS that pushes articles.",
    )
    name = forms.CharField(
        max_length=MAX_NAME, help_text="What it is for, e.g. “CMS production”."
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
