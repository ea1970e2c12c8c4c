"""The API token form: validation only (``workflow.create_api_token`` writes)."""

from __future__ import annotations

from django import forms

from ..models import User
from ..models.tokens import ACTS_AS_RULE, token_users
from ..workflow.tokens import MAX_NAME


class TokenForm(forms.Form):
    """``actor`` is the admin creating the token: it may act as them or as a service
    account (the choices); another person is refused with ``ACTS_AS_RULE``."""

    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Acts as",
        help_text="The token has this account's permissions: use a service account "
        "with the reviewer role for a CMS that pushes articles.",
        error_messages={"invalid_choice": ACTS_AS_RULE},
    )
    name = forms.CharField(
        max_length=MAX_NAME, help_text="What it is for, e.g. “CMS production”."
    )

    def __init__(self, *args, actor: User, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = token_users(actor.pk).order_by(
            "-is_service_account", "username"
        )
