"""The audit log's filter form (GET): actor, verb, article, date range."""

from __future__ import annotations

from django import forms

from ..audit import AuditAction
from ..models import Article, User


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        queryset=User.objects.order_by("username"),
        required=False,
        empty_label="Anyone",
    )
    action = forms.ChoiceField(
        choices=[("", "Any action"), *AuditAction.choices],
        required=False,
        label="Verb",
    )
    article = forms.ModelChoiceField(
        queryset=Article.objects.only("pk", "title").order_by("-ingested_at", "-pk"),
        required=False,
        empty_label="Any article",
    )
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("“From” must not be after “To”.")
        return data

    def filters(self) -> dict:
        """The valid filters as keyword arguments for ``timelines.search``."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
