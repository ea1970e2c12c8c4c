"""Team and verdict-scale forms: validation only (``people``, ``workflow`` write)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password

from .. import people
from ..models import User
from ..workflow.scale import MAX_DESCRIPTION, MAX_LABEL, VERDICT_NEEDS_SOURCE

ROLE_CHOICES = [(key, label) for key, (label, _roles) in people.ROLE_SETS.items()]


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels read "Email", not "Email:"
        super().__init__(*args, **kwargs)


class RoleForm(_Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)

    def roles(self) -> tuple:
        return people.ROLE_SETS[self.cleaned_data["role"]][1]


class InviteForm(RoleForm):
    username = forms.CharField(max_length=people.MAX_USERNAME)
    display_name = forms.CharField(
        max_length=people.MAX_DISPLAY_NAME, required=False, label="Name"
    )
    email = forms.EmailField(max_length=254)
    field_order = ["username", "display_name", "email", "role"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        User.username_validator(username)
        return username


class ServiceAccountForm(_Form):
    """A program's account: a name and a role (``people.create_service_account``)."""

    username = forms.CharField(
        max_length=people.MAX_USERNAME,
        label="Name",
        help_text="e.g. “cms-bot”: letters, digits and @/./+/-/_ only.",
    )
    role = forms.ChoiceField(
        choices=[(key, label) for key, (label, _r) in people.SERVICE_ROLE_SETS.items()]
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        User.username_validator(username)
        return username

    def roles(self) -> tuple:
        return people.SERVICE_ROLE_SETS[self.cleaned_data["role"]][1]


class CreateUserForm(InviteForm):
    """A ready account: the admin sets the first password and hands it over."""

    email = forms.EmailField(max_length=254, required=False)
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        max_length=128,
        strip=False,
    )

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                display_name=cleaned.get("display_name", ""),
            )
            try:
                validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class InvitationPasswordForm(SetPasswordForm):
    """Django's set-password form (two fields, validators); ``people`` saves it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def save(self, commit: bool = True):
        # Forms never write rows: the password is set (and audited) by people.
        raise TypeError("Call people.accept_invitation instead.")


class RatingForm(_Form):
    label = forms.CharField(max_length=MAX_LABEL)
    description = forms.CharField(
        max_length=MAX_DESCRIPTION, required=False, widget=forms.Textarea
    )
    colour = forms.RegexField(
        regex=r"^#[0-9a-fA-F]{6}$",
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        error_messages={"invalid": "The colour must look like #1d3557."},
    )
    order = forms.IntegerField(min_value=0, max_value=1000)
    value = forms.TypedChoiceField(
        label="ClaimReview value",
        choices=[("", "None (not on the numeric scale)")]
        + [
            (str(n), f"{n}{' (worst)' if n == 1 else ' (best)' if n == 5 else ''}")
            for n in range(1, 6)
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )
    requires_source = forms.BooleanField(
        required=False,
        initial=True,
        label="A verdict with this rating needs a source",
    )
    is_verdict = forms.BooleanField(
        required=False,
        initial=True,
        label="A verdict on a factual claim (published with ClaimReview)",
        help_text="Untick for ratings such as “Not a factual claim”: such claims "
        "are listed publicly with their rating but carry no ClaimReview markup.",
    )
    required_approvals = forms.IntegerField(
        min_value=1, max_value=5, initial=1, label="Editor approvals needed"
    )
    active = forms.BooleanField(required=False, initial=True, label="In use")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_verdict") and not cleaned.get("requires_source"):
            self.add_error("requires_source", VERDICT_NEEDS_SOURCE)
        return cleaned

    @classmethod
    def for_rating(cls, rating) -> RatingForm:
        from ..workflow.scale import FIELDS

        return cls(initial={name: getattr(rating, name) for name in FIELDS})
