"""Input validation for a new version of an article's text; nothing here writes."""

from __future__ import annotations

from django import forms

from .articles import TextOrUploadForm


class RevisionForm(TextOrUploadForm):
    """Paste or upload, as at ingestion, plus the version the page was drawn at."""

    EMPTY = "The text is empty: paste the new version or upload a file."

    version = forms.IntegerField(
        min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = "Paste the new text"


class ConfirmTextForm(forms.Form):
    """An editor's "the verdict still holds" for a claim whose text changed."""

    note = forms.CharField(required=False, max_length=2_000, strip=True)
    version = forms.IntegerField(
        min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )
