"""From an upload or a paste to the normalised body and its sentence drafts; no DB.

Shared by ``workflow.create_article`` and the ``extract_claims`` command, so the web,
the importer and the command-line contract read text the same way.

Invariants: every refusal is a ``TextRefused`` with a message fit to show a
journalist; ``Prepared.body`` is the text all offsets (drafts, warnings) point into;
nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings

from . import extraction, textclean
from .textclean import TextRefused

__all__ = ["FORMATS", "Prepared", "TextRefused", "claim_threshold", "prepare"]

# File suffix -> source format. Anything else is refused: a PDF or a Word file
# renamed to .txt is caught by the decoder, a .docx by this table.
FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}


@dataclass
class Prepared:
    body: str
    source_format: str
    title: str | None = None  # from the HTML <title>, when there is one
    warnings: list[dict] = field(default_factory=list)
    repairs: list[dict] = field(default_factory=list)


def max_bytes() -> int:
    return int(settings.FACTCHECK.get("MAX_ARTICLE_BYTES") or textclean.MAX_BYTES)


def claim_threshold(threshold: float | None = None) -> float:
    """The threshold argument, else the desk setting, else the extractor's default."""
    if threshold is not None:
        return float(threshold)
    configured = settings.FACTCHECK.get("CLAIM_THRESHOLD")
    if configured is not None:
        return float(configured)
    return extraction.checkworthiness.DEFAULT_THRESHOLD


def _size(n: int) -> str:
    return f"{n / 1000:,.0f} KB" if n >= 1000 else f"{n} bytes"


def _format_of(filename: str | None) -> str:
    if not filename:
        return "text"
    suffix = PurePath(filename).suffix.lower()
    if suffix not in FORMATS:
        shown = suffix or "a file without an extension"
        raise TextRefused(
            f"“{PurePath(filename).name}” is {shown}: only .txt, .md and .html "
            "files can be ingested. Paste the text instead."
        )
    return FORMATS[suffix]


def prepare(raw: bytes | str, filename: str | None = None) -> Prepared:
    """Decode, reduce HTML/Markdown to text, normalise; raise ``TextRefused``."""
    fmt = _format_of(filename)
    limit = max_bytes()
    decode_notes: list[dict] = []
    if isinstance(raw, bytes):
        text = textclean.decode_upload(raw, warnings=decode_notes, max_bytes=limit)
    else:
        text = raw
        if len(text) > limit:  # more characters than bytes allowed: too big already
            raise TextRefused(
                f"The text has {len(text):,} characters; the limit is {_size(limit)}. "
                "Split the article."
            )
    if not text.strip():
        raise TextRefused("The text is empty: there is nothing to check.")
    title = None
    if fmt == "html":
        title, text = textclean.html_to_text(text)
        if not text.strip():
            raise TextRefused("The page contains no article text to check.")
    elif fmt == "markdown":
        text = textclean.markdown_to_text(text)
    # The size check happens here for pasted text, after HTML/Markdown reduction.
    cleaned = textclean.normalise(text, max_bytes=limit)
    return Prepared(
        body=cleaned.body,
        source_format=fmt,
        title=title,
        warnings=[*decode_notes, *cleaned.warnings],
        repairs=list(cleaned.repairs),
    )


def extract(
    prepared: Prepared, *, lines: bool = False, threshold: float | None = None
) -> list[extraction.SentenceDraft]:
    return extraction.extract(
        prepared.body, threshold=claim_threshold(threshold), lines=lines
    )
