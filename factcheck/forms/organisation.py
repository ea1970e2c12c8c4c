"""The publisher and transparency-page forms: validation only (``workflow`` writes).

The limits come from ``workflow.organisation``, which checks them again. ``version``
is the row's last save as the form saw it; a stale one is refused as a conflict.
"""

from __future__ import annotations

from django import forms

from ..workflow.organisation import MAX_BODY, MAX_NAME, MAX_TITLE, MAX_URL

HTTP_URL_ERROR = "Give a full web address starting with https:// (or http://)."


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _url_field(label: str, *, required: bool, help_text: str = "") -> forms.URLField:
    return forms.URLField(
        label=label,
        max_length=MAX_URL,
        required=required,
        assume_scheme="https",
        help_text=help_text,
        error_messages={"invalid": HTTP_URL_ERROR},
    )


class PublisherForm(_Form):
    name = forms.CharField(
        max_length=MAX_NAME,
        help_text="As readers and search engines should see it; named as the author "
        "of every ClaimReview.",
    )
    url = _url_field(
        "Website", required=True, help_text="The organisation's home page."
    )
    logo_url = _url_field(
        "Logo URL",
        required=False,
        help_text="An image of the logo, on the web (optional).",
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def _http_only(self, name: str) -> str:
        url = self.cleaned_data.get(name, "")
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(HTTP_URL_ERROR)
        return url

    def clean_url(self) -> str:
        return self._http_only("url")

    def clean_logo_url(self) -> str:
        return self._http_only("logo_url")


class PublicPageForm(_Form):
    title = forms.CharField(max_length=MAX_TITLE)
    body = forms.CharField(
        label="Text",
        required=False,
        strip=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text="Markdown: ### headings, *emphasis*, **bold**, lists and "
        "[links](https://…). HTML is shown as text, never run.",
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)
