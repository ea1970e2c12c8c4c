"""Fact-checks published elsewhere, read from a file: the rows ``manage.py
import_claimreviews`` hands to ``workflow.import_fact_checks``.

Pure: no Django, no database. ``parse()`` returns the valid items and, for every
item it left out, where it was and why; a file it cannot read at all raises
``ImportFormatError`` with a one-line message.

Formats (picked by the file suffix, else by the first character):

- ClaimReview JSON-LD: one object, a list of them, an object with ``@graph``, a
  schema.org ``DataFeed`` (``dataFeedElement`` → ``DataFeedItem.item``: the feed
  our own public site serves at ``/fact-checks/claimreview.json``), any nesting of
  these, or JSON Lines (one of these per line). Objects of another ``@type`` are
  skipped and counted. Fields read: ``claimReviewed`` (required), ``author.name``
  (the publisher, required), ``url``, ``reviewRating.alternateName``,
  ``datePublished``, ``itemReviewed.author.name`` (the claimant), ``name`` or
  ``headline`` (the title).
- TSV in the layout of the CLEF CheckThat! ``verified_claims.docs.tsv``: a header
  ``vclaim_id, vclaim, title`` (the first name may be empty, as in that file),
  tab-separated UTF-8, a field may be double-quoted to hold a tab or a line break.
  The file names no publisher or URL: every row gets ``publisher_default``
  (``TSV_PUBLISHER`` when none is given) and no URL.

The identity of an item (``key``) is the SHA-256 of its publisher (case-folded),
its reference (the review's URL; for TSV the row's ``vclaim_id``) and its claim
text, so importing the same file again updates rows instead of adding copies.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

TSV_PUBLISHER = "Snopes"
TSV_COLUMNS = ("vclaim_id", "vclaim", "title")
MAX_FILE_BYTES = 50_000_000
# Caps (the model's column sizes, and a claim no longer than a long paragraph).
CLAIM_MAX = 2000
TITLE_MAX = 500
PUBLISHER_MAX = 200
CLAIMANT_MAX = 200
RATING_MAX = 200
URL_MAX = 1000

JSON_SUFFIXES = {".json", ".jsonld", ".jsonl", ".ndjson"}
TSV_SUFFIXES = {".tsv", ".tab"}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


class ImportFormatError(ValueError):
    """The file cannot be read as any accepted format (message: one line)."""


@dataclass(frozen=True)
class ImportItem:
    """One fact-check to store: the fields of ``ImportedFactCheck`` but the vector."""

    key: str
    publisher: str
    url: str
    claim_text: str
    title: str = ""
    claimant: str = ""
    rating: str = ""
    reviewed_on: date | None = None


@dataclass(frozen=True)
class Skipped:
    where: str  # "item 3", "line 12"
    reason: str


def key_for(publisher: str, ref: str, claim_text: str) -> str:
    """The identity of an item: publisher, its URL (or archive id) and claim text."""
    parts = (publisher.casefold(), ref, claim_text)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def parse(
    source: Path | str | bytes, *, publisher_default: str | None = None
) -> tuple[list[ImportItem], list[Skipped]]:
    """The items of ``source`` (a ``Path`` is read; ``str`` or ``bytes`` is the
    content itself) and the ones left out, with reasons.

    ``publisher_default`` labels TSV rows (default ``TSV_PUBLISHER``) and JSON
    objects that name no author.
    """
    name, suffix = "input", ""
    if isinstance(source, Path):
        name, suffix = source.name, source.suffix.lower()
        source = _read(source)
    text = _decode(source, name) if isinstance(source, bytes) else source
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ImportFormatError(f"{name} is empty.")
    if suffix in TSV_SUFFIXES or (
        suffix not in JSON_SUFFIXES and text.lstrip()[:1] not in ("{", "[")
    ):
        return _parse_tsv(text, name, publisher_default or TSV_PUBLISHER)
    return _parse_json(text, name, publisher_default)


# --- Reading -------------------------------------------------------------------------


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFormatError(
                f"{path.name} is {size / 1e6:,.1f} MB, over the "
                f"{MAX_FILE_BYTES / 1e6:,.0f} MB limit."
            )
        return path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"Cannot read {path}: {exc.strerror}.") from None


def _decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw[:8192]:
        raise ImportFormatError(f"{name} looks binary, not JSON or TSV text.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            f"{name} is not UTF-8 text (byte {exc.start})."
        ) from None


def _clean(value: Any, limit: int | None = None) -> str:
    """A one-line string from a JSON or TSV value (numbers too), capped."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return ""
    text = " ".join(_CONTROL.sub("", value).split())
    return text[:limit].rstrip() if limit is not None else text


def _url(value: Any) -> str:
    """An http(s) URL, or "" (anything else is dropped, not refused)."""
    url = _clean(value)
    parts = urlsplit(url) if len(url) <= URL_MAX else None
    if parts is None or parts.scheme.lower() not in ("http", "https"):
        return ""
    return url if parts.netloc and " " not in url else ""


def _date(value: Any) -> date | None:
    """An ISO date or date-time (leniently: its first ten characters), else None."""
    text = _clean(value)
    if not _ISO_DAY.match(text):
        return None
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None


def _name(node: Any) -> str:
    """The name of an author-like value: a string, an object, or the first of a list."""
    if isinstance(node, list):
        return next((n for n in (_name(x) for x in node) if n), "")
    if isinstance(node, dict):
        return _clean(node.get("name"))
    return _clean(node)


def _types(node: dict) -> list[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    # "schema:ClaimReview" and "https://schema.org/ClaimReview" name the same type.
    return [str(v).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for v in values if v]


class _Collector:
    """Items in file order; later copies of an item (same key) are skipped."""

    def __init__(self):
        self.items: list[ImportItem] = []
        self.skipped: list[Skipped] = []
        self._seen: dict[str, str] = {}

    def skip(self, where: str, reason: str) -> None:
        self.skipped.append(Skipped(where, reason))

    def add(self, where: str, item: ImportItem) -> None:
        if item.key in self._seen:
            self.skip(where, f"the same fact-check as {self._seen[item.key]}")
            return
        self._seen[item.key] = where
        self.items.append(item)


def _claim(value: Any, where: str, out: _Collector) -> str | None:
    claim = _clean(value)
    if not claim:
        out.skip(where, "no claim text")
        return None
    if len(claim) > CLAIM_MAX:
        out.skip(where, f"the claim is over {CLAIM_MAX:,} characters")
        return None
    return claim


# --- JSON ----------------------------------------------------------------------------


def _parse_json(
    text: str, name: str, publisher_default: str | None
) -> tuple[list[ImportItem], list[Skipped]]:
    try:
        documents = [json.loads(text)]
        label = "item"
    except json.JSONDecodeError as exc:
        documents = _json_lines(text, name, exc)
        label = "line"
    except RecursionError:
        raise ImportFormatError(f"{name}: the JSON is nested too deeply.") from None
    out = _Collector()
    reviews: list[tuple[str, dict]] = []
    for number, document in enumerate(documents, start=1):
        try:
            found = _walk(document)
        except RecursionError:
            raise ImportFormatError(f"{name}: the JSON is nested too deeply.") from None
        for i, node in enumerate(found, start=1):
            if label == "item":
                where = f"item {i}"
            else:
                where = f"line {number}" + (f", item {i}" if len(found) > 1 else "")
            if isinstance(node, dict):
                reviews.append((where, node))
            else:
                out.skip(where, node)
    if not reviews:
        others = f" ({len(out.skipped)} other objects)" if out.skipped else ""
        raise ImportFormatError(f"{name} holds no ClaimReview object{others}.")
    for where, review in reviews:
        item = _from_claimreview(review, where, publisher_default, out)
        if item is not None:
            out.add(where, item)
    return out.items, out.skipped


def _json_lines(text: str, name: str, first: json.JSONDecodeError) -> list[Any]:
    """JSON Lines, when the text is not one JSON document but several lines of it."""
    lines = [line for line in text.splitlines() if line.strip()]
    if first.msg != "Extra data" or len(lines) < 2:
        raise ImportFormatError(
            f"{name} is not valid JSON: {first.msg} (line {first.lineno}, "
            f"column {first.colno})."
        ) from None
    documents = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ImportFormatError(
                f"{name} is not valid JSON (nor JSON Lines): line {number}: {exc.msg}."
            ) from None
    return documents


def _walk(node: Any) -> list[dict | str]:
    """The ClaimReview objects of a JSON tree in document order, and in their
    places, why each other node was left out (containers are walked through)."""
    if isinstance(node, list):
        return [found for child in node for found in _walk(child)]
    if not isinstance(node, dict):
        return ["not a JSON object"]
    types = _types(node)
    if "ClaimReview" in types:
        return [node]
    if "@graph" in node:
        return _walk(node["@graph"])
    if "DataFeed" in types:
        return _walk(node.get("dataFeedElement") or [])
    if "DataFeedItem" in types:
        return _walk(node.get("item") or [])
    return [f"not a ClaimReview (@type {', '.join(types) or 'missing'})"]


def _rating(node: Any) -> str:
    if isinstance(node, list):
        node = node[0] if node else None
    if not isinstance(node, dict):
        return ""
    label = _clean(node.get("alternateName")) or _clean(node.get("name"))
    if not label and _clean(node.get("ratingValue")):
        best = _clean(node.get("bestRating"))
        label = _clean(node.get("ratingValue")) + (f"/{best}" if best else "")
    return label[:RATING_MAX].rstrip()


def _from_claimreview(
    review: dict, where: str, publisher_default: str | None, out: _Collector
) -> ImportItem | None:
    claim = _claim(review.get("claimReviewed"), where, out)
    if claim is None:
        return None
    publisher = _name(review.get("author")) or _name(review.get("publisher"))
    publisher = (publisher or _clean(publisher_default))[:PUBLISHER_MAX].rstrip()
    if not publisher:
        out.skip(where, "no publisher (author.name)")
        return None
    url = _url(review.get("url"))
    item = review.get("itemReviewed")
    claimant = _name(item.get("author")) if isinstance(item, dict) else ""
    title = _clean(review.get("name")) or _clean(review.get("headline"))
    return ImportItem(
        key=key_for(publisher, url, claim),
        publisher=publisher,
        url=url,
        claim_text=claim,
        title=title[:TITLE_MAX].rstrip(),
        claimant=claimant[:CLAIMANT_MAX].rstrip(),
        rating=_rating(review.get("reviewRating")),
        reviewed_on=_date(review.get("datePublished")),
    )


# --- TSV -----------------------------------------------------------------------------


def _parse_tsv(
    text: str, name: str, publisher: str
) -> tuple[list[ImportItem], list[Skipped]]:
    publisher = _clean(publisher)[:PUBLISHER_MAX].rstrip()
    if not publisher:
        raise ImportFormatError("TSV rows need a publisher: give --publisher NAME.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", strict=True)
    expected = "\t".join(TSV_COLUMNS)
    try:
        header = next(reader, [])
        names = [h.strip().lower() for h in header]
        if names not in (list(TSV_COLUMNS), ["", *TSV_COLUMNS[1:]]):
            shown = "\t".join(header)[:80]
            raise ImportFormatError(
                f"{name}: not JSON, and not a TSV with the header {expected!r} "
                f"(found {shown!r})."
            )
        out = _Collector()
        start = reader.line_num + 1
        for row in reader:
            where, start = f"line {start}", reader.line_num + 1
            if not any(field.strip() for field in row):
                continue
            if len(row) != len(TSV_COLUMNS):
                out.skip(where, f"{len(row)} fields, expected {len(TSV_COLUMNS)}")
                continue
            ref, value, title = (field.strip() for field in row)
            claim = _claim(value, where, out)
            if claim is None:
                continue
            out.add(
                where,
                ImportItem(
                    key=key_for(publisher, ref, claim),
                    publisher=publisher,
                    url="",
                    claim_text=claim,
                    title=_clean(title, TITLE_MAX),
                ),
            )
    except csv.Error as exc:
        raise ImportFormatError(
            f"{name}: malformed TSV at line {reader.line_num} ({exc})."
        ) from None
    if not out.items and not out.skipped:
        raise ImportFormatError(f"{name} has a header but no rows.")
    return out.items, out.skipped
