"""The audit log's filter form (GET): actor, verb, article, date range.

Actor and article are search-as-you-type boxes (``forms/lookups.py``), not lists of
every person and article; each resolves to one row or to the rows some words match.
"""

from __future__ import annotations

from django import forms

from ..audit import AuditAction
from .lookups import ArticleLookupField, PersonLookupField


class AuditFilterForm(forms.Form):
    actor = PersonLookupField()
    action = forms.ChoiceField(
        choices=[("", "Any action"), *AuditAction.choices],
        required=False,
        label="Verb",
    )
    article = ArticleLookupField()
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
        """The valid filters as keyword arguments for ``timelines.search``.

        A value that does not validate is left out (no filter) and its message shows
        beside it; a reversed date range drops both dates.
        """
        if not self.is_bound:
            return {}
        self.is_valid()  # cleaned_data then holds only the fields that validated
        data = dict(self.cleaned_data)
        if self.non_field_errors():
            data.pop("date_from", None)
            data.pop("date_to", None)
        return {k: v for k, v in data.items() if v not in (None, "")}
