"""Two-factor sign-in forms: validation only (``workflow.two_factor`` writes)."""

from __future__ import annotations

from django import forms

# Long enough for any code typed with spaces or hyphens; longer is refused here.
MAX_CODE = 64


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class CodeForm(_Form):
    code = forms.CharField(
        label="Code",
        max_length=MAX_CODE,
        strip=True,
        error_messages={
            "required": "Enter the code from your app, or a recovery code.",
            "max_length": "That is too long to be a code.",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


class ConfirmForm(_Form):
    confirmation = forms.CharField(
        label="Your password or a current code from your app",
        max_length=4096,
        strip=False,
        error_messages={"required": "Enter your password or a current code."},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PolicyForm(_Form):
    require_for_editors = forms.BooleanField(
        label="Editors must use two-factor sign-in", required=False
    )
    require_for_admins = forms.BooleanField(
        label="Admins must use two-factor sign-in", required=False
    )
