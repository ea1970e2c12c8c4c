"""Input validation for ingestion and claim span edits; nothing here writes.

Span forms accept either body offsets (filled by ``articles.js`` from a text
selection) or, without JavaScript, a snippet of the article text that the form
locates in the body; either way ``cleaned_data`` carries offsets for the workflow.
"""

from __future__ import annotations

from django import forms
from django.conf import settings

from ..ingest import FORMATS, max_bytes

MAX_SNIPPET = 5_000
LANGUAGES = [("en", "English")]


class TextOrUploadForm(forms.Form):
    """Paste or upload an article's text (ingestion and a new version share it)."""

    EMPTY = "The text is empty: paste the article or upload a file."

    text = forms.CharField(
        label="Paste the article text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    upload = forms.FileField(
        label="…or upload a file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(FORMATS)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "upload"
        ].help_text = f"A .txt, .md or .html file, at most {max_bytes() // 1000:,} KB."

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload and upload.size > max_bytes():
            raise forms.ValidationError(
                f"The file is {upload.size / 1000:,.0f} KB; the limit is "
                f"{max_bytes() / 1000:,.0f} KB. Split the article."
            )
        return upload

    def clean(self):
        data = super().clean()
        has_text = bool((data.get("text") or "").strip())
        if data.get("upload") and has_text:
            raise forms.ValidationError("Paste the text or upload a file, not both.")
        if not data.get("upload") and not has_text and not self.errors:
            raise forms.ValidationError(self.EMPTY)
        return data

    def source(self) -> tuple[bytes | str, str | None]:
        """What to ingest: the uploaded bytes and their name, or the pasted text."""
        upload = self.cleaned_data.get("upload")
        if upload:
            return upload.read(), upload.name
        return self.cleaned_data["text"], None


class ArticleForm(TextOrUploadForm):
    title = forms.CharField(
        required=False,
        help_text="Left empty, the article's own title line is used.",
    )
    outlet = forms.CharField(required=False, max_length=200)
    author = forms.CharField(required=False, max_length=200)
    original_url = forms.URLField(
        label="Original URL", required=False, max_length=500, assume_scheme="https"
    )
    original_published_on = forms.DateField(
        label="Originally published on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    language = forms.ChoiceField(choices=LANGUAGES, initial="en")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = int(settings.FACTCHECK.get("MAX_TITLE_LENGTH") or 300)
        self.fields["title"].max_length = limit
        self.fields["title"].widget.attrs["maxlength"] = str(limit)

    def clean_title(self) -> str:
        # The field's own max_length validator gives a generic message; this one
        # says what the limit is, as the issue asks for every refusal.
        title = self.cleaned_data["title"]
        limit = self.fields["title"].max_length
        if len(title) > limit:
            raise forms.ValidationError(
                f"The title is {len(title)} characters; the limit is {limit}."
            )
        return title

    def metadata(self) -> dict:
        keys = ("title", "outlet", "author", "original_url", "original_published_on")
        return {key: self.cleaned_data.get(key) for key in keys} | {
            "language": self.cleaned_data.get("language") or "en"
        }


def locate(body: str, snippet: str, near: int = 0) -> tuple[int, int] | None:
    """The occurrence of ``snippet`` in ``body`` closest to ``near``, or None."""
    snippet = snippet.strip()
    if not snippet:
        return None
    best = None
    found = body.find(snippet)
    while found >= 0:
        if best is None or abs(found - near) < abs(best - near):
            best = found
        found = body.find(snippet, found + 1)
    return None if best is None else (best, best + len(snippet))


class SpanForm(forms.Form):
    """A span of the article body: offsets, or a snippet of its text to find."""

    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    text = forms.CharField(
        label="Claim text",
        required=False,
        max_length=MAX_SNIPPET,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Copy the exact words from the article; trim or extend them.",
    )

    def __init__(self, *args, body: str, near: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.body, self.near = body, near

    def clean(self):
        data = super().clean()
        start, end, text = data.get("start"), data.get("end"), data.get("text") or ""
        if self.errors:
            return data
        if start is not None and end is not None:
            # Offsets win when they agree with the text (or no text was sent):
            # a selection may match several places, the offsets say which one.
            if not text.strip() or self.body[start:end].strip() == text.strip():
                return data
        span = locate(self.body, text, self.near)
        if span is None:
            raise forms.ValidationError(
                "That text is not in the article: copy the words exactly as they "
                "appear."
                if text.strip()
                else "Select some text of the article, or type its exact words."
            )
        data["start"], data["end"] = span
        return data


class ClaimEditForm(SpanForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ClaimSplitForm(forms.Form):
    """Where to cut: a body offset, or the words the second part starts with."""

    at = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    second_starts = forms.CharField(
        label="The second part starts with",
        required=False,
        max_length=MAX_SNIPPET,
        help_text="Type the first words of the second part, exactly as written.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, claim, **kwargs):
        super().__init__(*args, **kwargs)
        self.claim = claim

    def clean(self):
        data = super().clean()
        if self.errors or data.get("at") is not None:
            return data
        words = (data.get("second_starts") or "").strip()
        found = self.claim.text.find(words, 1) if words else -1
        if found <= 0:
            raise forms.ValidationError(
                "Type the first words of the second part exactly as they appear in "
                "the claim."
                if words
                else "Say where the second part starts."
            )
        data["at"] = self.claim.start + found
        return data


class ClaimMergeForm(forms.Form):
    other = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ClaimDismissForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Reason for dismissing")
    version = forms.IntegerField(widget=forms.HiddenInput)


class ClaimRestoreForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
