"""The queue's filter form (GET, in the URL) and the editors' bulk action form.

The article filter is a search-as-you-type box (``forms/lookups.py``), not a list
of every article.

Input validation only: no form here writes anything.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Permission
from django.db.models import Q

from ..counts import count_label
from ..models import Article, ClaimKind, ClaimState, User
from ..workflow import BULK_OPERATIONS
from .lookups import ArticleLookupField

ASSIGNEE_CHOICES = [("", "Anyone"), ("mine", "Mine"), ("nobody", "Nobody")]
SORT_CHOICES = [
    ("priority", "Priority (score, then age)"),
    ("age", "Age (oldest first)"),
    ("due", "Due time (soonest first)"),
]
# The empty status means "needs work": open, in progress, returned.
STATUS_CHOICES = [("", "Needs work"), *ClaimState.choices]


class QueueFilterForm(forms.Form):
    article = ArticleLookupField()
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)
    kind = forms.ChoiceField(
        required=False, choices=[("", "Any kind"), *ClaimKind.choices]
    )
    assignee = forms.ChoiceField(required=False, choices=ASSIGNEE_CHOICES)
    overdue = forms.BooleanField(required=False, label="Overdue only")
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def show_counts(self, counts: dict[str, int]):
        """Put each option's number of matching claims (capped) in its label."""
        for name in ("status", "kind", "assignee"):
            field = self.fields[name]
            field.choices = [
                (value, f"{label} ({count_label(counts.get(f'{name}_{value}', 0))})")
                for value, label in field.choices
            ]
        overdue = count_label(counts.get("overdue", 0))
        self.fields["overdue"].label = f"Overdue only ({overdue})"

    def filters(self) -> dict:
        """The valid filters; an invalid value falls back to its default."""
        self.is_valid()  # cleaned_data then holds only the fields that validated
        data = self.cleaned_data
        article = data.get("article")
        return {
            # One article, the articles some words match, or None.
            "article": article,
            "one_article": article if isinstance(article, Article) else None,
            "status": data.get("status") or "",
            "kind": data.get("kind") or "",
            "assignee": data.get("assignee") or "",
            "overdue": bool(data.get("overdue")),
            "sort": data.get("sort") or "priority",
            "page": data.get("page") or 1,
        }


def reviewers():
    """People an editor may assign claims to: active, with the review permission."""
    perm = Permission.objects.get(
        content_type__app_label="factcheck", codename="review_claim"
    )
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions=perm) | Q(user_permissions=perm))
        .distinct()
        .order_by("username")
    )


class IdListField(forms.Field):
    """A list of row ids from checkboxes sharing one name."""

    widget = forms.MultipleHiddenInput
    MAX = 500

    def to_python(self, value):
        if not value:
            return []
        try:
            ids = [int(v) for v in value]
        except (TypeError, ValueError):
            raise forms.ValidationError("The selection is not valid.") from None
        if len(ids) > self.MAX:
            raise forms.ValidationError(f"Select at most {self.MAX} claims at once.")
        return ids


class BulkForm(forms.Form):
    claims = IdListField(error_messages={"required": "Select at least one claim."})
    operation = forms.ChoiceField(
        choices=[
            ("assign", "Assign to…"),
            ("release", "Release"),
            ("dismiss", "Dismiss"),
            ("set_due", "Set due time"),
        ]
    )
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    reason = forms.CharField(required=False, max_length=2000, label="Dismiss reason")
    due_at = forms.DateTimeField(
        required=False,
        label="Due",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = reviewers()

    def clean(self):
        data = super().clean()
        if data.get("operation") not in BULK_OPERATIONS:
            return data
        if data.get("operation") == "assign" and not data.get("assignee"):
            self.add_error("assignee", "Choose whom to assign the claims to.")
        if (
            data.get("operation") == "dismiss"
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", "Say why the claims are dismissed.")
        return data

    def versions(self) -> dict[int, int]:
        """The version each row was drawn at (hidden ``v<id>`` inputs)."""
        out = {}
        for pk in self.cleaned_data.get("claims", []):
            try:
                out[pk] = int(self.data.get(f"v{pk}", ""))
            except (TypeError, ValueError):
                continue
        return out
