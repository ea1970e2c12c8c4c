"""Capture a source when it is added: fetch it once, keep its text, check the excerpt.

``workflow.add_source`` enqueues ``tasks.capture_source`` after its commit; the task
calls ``capture_source()``, which fetches the URL through ``safe_http`` (no private
or metadata addresses, every redirect re-checked, time, size and content-type
limits), reduces the body to plain text (HTML with the extractor ingestion uses,
PDF with pypdf), searches the reviewer's excerpt in it and records the result
(``workflow.evidence.record_capture``, audited as the system). A failed fetch is a
snapshot too, with the reason, so the workspace can say why.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from . import safe_http
from .models import ExcerptStatus

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PDF_TYPE = "application/pdf"
CONTENT_TYPES = HTML_TYPES | {PDF_TYPE, "text/plain"}
USER_AGENT = "FactcheckDesk-Capture/1 (source archiving for a fact-check)"
FUZZY_THRESHOLD = 90  # rapidfuzz partial_ratio, 0-100: small typos and elisions
MAX_TEXT = 2_000_000  # characters of snapshot text kept


@dataclass(frozen=True)
class Capture:
    url: str
    fetched_at: datetime
    final_url: str = ""
    status_code: int | None = None
    content_type: str = ""
    sha256: str = ""
    size: int = 0
    text: str = ""
    error: str = ""


_paused: ContextVar[bool] = ContextVar("capture_paused", default=False)


def enabled() -> bool:
    return settings.FACTCHECK["CAPTURE_SOURCES"] and not _paused.get()


@contextmanager
def paused() -> Iterator[None]:
    """No capture for sources added inside (the demo's invented URLs)."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def enqueue(source_id: int) -> None:
    """Hand a new source to the task backend (call from ``on_commit``)."""
    if settings.FACTCHECK["CAPTURE_SOURCES"]:
        from .tasks import capture_source as task

        task.enqueue(source_id)


def fetch(url: str) -> Capture:
    """Fetch ``url`` within the capture limits and reduce it to text; never raises
    for the network or the page's content (the reason goes in ``error``)."""
    config = settings.FACTCHECK
    now = timezone.now()
    try:
        response = safe_http.get(
            url,
            max_bytes=config["CAPTURE_MAX_BYTES"],
            timeout=config["CAPTURE_TIMEOUT"],
            content_types=CONTENT_TYPES,
            max_redirects=config["CAPTURE_MAX_REDIRECTS"],
            headers={"User-Agent": USER_AGENT, "Accept": ", ".join(CONTENT_TYPES)},
            allowed_hosts=config["CAPTURE_ALLOWED_HOSTS"],
        )
    except (safe_http.UnsafeDestination, safe_http.NetworkError) as exc:
        return Capture(url=url, fetched_at=now, error=str(exc)[:500])
    capture = Capture(
        url=url,
        fetched_at=now,
        final_url=response.url,
        status_code=response.status,
        content_type=response.content_type,
        sha256=hashlib.sha256(response.body).hexdigest(),
        size=len(response.body),
    )
    if response.status >= 400:
        return _with(capture, error=f"The page answered {response.status}.")
    try:
        text = to_text(response.body, response.content_type, response.charset)
    except Exception as exc:  # noqa: BLE001 - a broken PDF or page is a reason, not a crash
        return _with(capture, error=f"The text could not be read: {exc}"[:500])
    if not text.strip():
        return _with(capture, error="The page has no text to keep.")
    return _with(capture, text=text[:MAX_TEXT])


def _with(capture: Capture, **changes) -> Capture:
    return Capture(**{**capture.__dict__, **changes})


def to_text(body: bytes, content_type: str, charset: str | None = None) -> str:
    """Plain text of an HTML page, a PDF or a text file."""
    if content_type == PDF_TYPE:
        from pypdf import PdfReader  # imported lazily: only PDFs need it

        reader = PdfReader(io.BytesIO(body))
        return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
    decoded = _decode(body, charset)
    if content_type in HTML_TYPES:
        from .textclean import html_to_text

        return html_to_text(decoded)[1]
    return decoded


def _decode(body: bytes, charset: str | None) -> str:
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return body.decode("utf-8", errors="replace")


# --- The excerpt check ------------------------------------------------------------

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
    }
)
_SPACE = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|\u2026|\[\.\.\.\]|\[\u2026\])\s*")


_QUOTE_MARKS = re.compile(r"[\"']")


def normalise(text: str) -> str:
    """Case, dashes and whitespace folded and quote marks dropped, so typography
    (and the quote marks a reviewer puts around an excerpt) does not count."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACE.sub(" ", _QUOTE_MARKS.sub("", text)).strip().casefold()


def check_excerpt(excerpt: str, text: str | None) -> tuple[str, float | None]:
    """(ExcerptStatus, score 0-100) of ``excerpt`` in a snapshot's ``text``.

    Exact after normalising; otherwise each part of an excerpt elided with "..."
    must be found, fuzzily (``FUZZY_THRESHOLD``), and the score is the weakest part.
    """
    if not (excerpt or "").strip():
        return ExcerptStatus.NO_EXCERPT, None
    if text is None:
        return ExcerptStatus.NOT_CAPTURED, None
    haystack = normalise(text)
    needle = normalise(excerpt)
    if needle in haystack:
        return ExcerptStatus.FOUND, 100.0
    from rapidfuzz import fuzz  # imported lazily: only excerpt checks need it

    parts = [p for p in _ELLIPSIS.split(needle) if p.strip()]
    score = min(fuzz.partial_ratio(p, haystack) for p in parts) if parts else 0.0
    found = score >= FUZZY_THRESHOLD
    return (ExcerptStatus.FOUND if found else ExcerptStatus.NOT_FOUND), round(score, 1)


def capture_source(source_id: int):
    """Fetch one source and record the snapshot; the snapshot, or None when the
    source is gone or was removed meanwhile."""
    from .models import Source
    from .workflow.evidence import record_capture

    source = Source.objects.filter(pk=source_id, removed_at__isnull=True).first()
    if source is None:
        return None
    return record_capture(source.pk, fetch(source.url))
