"""Forms of the claim workspace: sources, notes, verdict, assignment, due, claimant.

Input validation only (lengths, formats); the rules live in ``workflow``. Forms that
overwrite something carry the claim's ``version`` as a hidden field.
"""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator
from django.utils.functional import cached_property

from ..models import ClaimantKind, Rating, User
from ..workflow.claimants import MAX_NAME, MAX_ROLE, MAX_SAME_AS
from ..workflow.verdicts import MAX_RATIONALE
from ..workflow.work import MAX_EXCERPT, MAX_NOTE, MAX_PUBLISHER, MAX_TITLE, MAX_URL
from .queue import reviewers


class VersionedForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class SourceForm(forms.Form):
    url = forms.URLField(
        label="URL",
        max_length=MAX_URL,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={"invalid": "Enter an http:// or https:// web address."},
    )
    title = forms.CharField(max_length=MAX_TITLE)
    publisher = forms.CharField(max_length=MAX_PUBLISHER, required=False)
    excerpt = forms.CharField(
        label="Quoted excerpt",
        max_length=MAX_EXCERPT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accessed_on = forms.DateField(
        label="Accessed on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Note (Markdown)",
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VerdictForm(VersionedForm):
    rating = forms.ModelChoiceField(
        queryset=Rating.objects.filter(active=True),
        required=False,
        empty_label="— choose a rating —",
    )
    rationale = forms.CharField(
        label="Rationale (Markdown, public)",
        max_length=MAX_RATIONALE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    @cached_property
    def rating_guide(self) -> list[Rating]:
        """The ratings on offer with what each means and needs, for the form's guide.

        Read once: the rating menu is then built from the same rows (a
        ModelChoiceField would query again), so the guide costs no query."""
        field = self.fields["rating"]
        ratings = list(field.queryset.order_by("order", "pk"))
        field.choices = [
            ("", field.empty_label),
            *((r.pk, field.label_from_instance(r)) for r in ratings),
        ]
        return ratings


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = reviewers()


class DueForm(forms.Form):
    due_at = forms.DateTimeField(
        label="Due",
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        help_text="Leave empty to clear it.",
    )


class ClaimantForm(VersionedForm):
    """Who made the claim; the "clear" button removes the claimant instead."""

    name = forms.CharField(max_length=MAX_NAME, required=False)
    kind = forms.ChoiceField(
        choices=[("", "Guess from the name"), *ClaimantKind.choices], required=False
    )
    role = forms.CharField(
        label="Role or description",
        max_length=MAX_ROLE,
        required=False,
        help_text="A person's job title, or what an organisation is.",
    )
    same_as = forms.URLField(
        label="sameAs link",
        max_length=MAX_SAME_AS,
        required=False,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={"invalid": "Enter an http:// or https:// web address."},
        help_text="A page that identifies them: Wikidata or Wikipedia.",
    )
    clear = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "claimant-%s")  # unique among the page's forms
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if not data.get("clear") and "name" in data and not data["name"].strip():
            self.add_error("name", "Give the claimant's name, or clear the claimant.")
        return data
