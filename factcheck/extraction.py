"""Split a normalised article body into scored sentence drafts.

Responsibility: structure (title, headings, paragraphs, list items), sentence
boundaries (pysbd, a real segmenter) and a check-worthiness score for every
sentence. Pure Python, no Django import; the ingest view and the
``extract_claims`` command turn drafts into claims.

Invariants:

* ``body[d.start:d.end] == d.text`` for every draft, and ``d.text`` has no
  leading or trailing whitespace; drafts are in body order, ``position`` counts
  from 0, spans never overlap.
* Every non-blank character of the body is covered by exactly one draft, except
  list markers (``- ``, ``* ``, ``1. ``), which stay outside the span.
* The title and headings are emitted too (so the output describes the whole
  text) but always with ``checkable=False``, ``score=0.0``, ``kind="heading"``:
  a heading is never a claim.
* ``lines=True`` treats each non-blank line as one unit: no heading detection,
  no sentence splitting (for pre-segmented sentence lists and transcripts).
  Both modes score sentences with the same model (``factcheck.checkworthiness``).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

from factcheck import checkworthiness

__all__ = ["SentenceDraft", "extract"]

HEADING_MAX_WORDS = 12
TITLE_MAX_WORDS = 20


@dataclass(frozen=True)
class SentenceDraft:
    text: str
    start: int
    end: int
    position: int
    score: float
    checkable: bool
    kind: str
    reasons: tuple[str, ...]
    heading: str | None
    block: str  # "title" | "heading" | "paragraph" | "list-item"


@lru_cache(maxsize=1)
def _segmenter():  # noqa: ANN202 - pysbd has no type hints
    # Built once: pysbd compiles its rules on first use, which costs more than
    # segmenting a whole article. Its modules trigger "invalid escape sequence"
    # warnings on newer Pythons when compiled; they are harmless.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pysbd

        return pysbd.Segmenter(language="en", clean=False)


# A list marker at the start of a line: a bullet, or a number or letter with
# ".", ")" or ".)". A capital letter only with ")": "J. K. Rowling wrote" opens
# with an initial, not an item.
_LIST_MARKER = re.compile(
    r"[ \t]*(?:[-*+•‣◦⁃–—]|(?:\d{1,3}|[a-z])(?:\.\)|[.)])|[A-Z]\.?\))[ \t]+(?=\S)"
)
# A numbered or lettered item anywhere in a line (optionally after a bullet,
# spaced or not: "⁃9. "). Two of them make a line an inline list, not a heading.
_ITEM = re.compile(r"(?<!\S)(?:[•‣◦⁃][ \t]*)?(?:\d{1,3}|[a-z])(?:\.\)|[.)])[ \t]+\S")
# A sentence pysbd ends after a clock time that is only an introductory phrase
# ("At 5 a.m." before "Mr. Smith went ..."): the time abbreviation is not a
# boundary there. A piece with a verb ("He left at 6 p.m.") stays a sentence.
_TIME_OPENER = re.compile(
    r"(?:at|by|after|before|around|about|until|from|since)[ \t]+"
    r"\d{1,2}(?:[:.]\d{2})?[ \t]*[ap]\.[ \t]?m\.",
    re.IGNORECASE,
)
# pysbd ends a "sentence" after a lone marker ("• 9. The first item" gives
# "• 9." + "The first item"); markers alone are never a sentence.
_MARKERS_ONLY = re.compile(r"(?:(?:[-*+•‣◦⁃–—]|(?:\d{1,3}|[a-zA-Z])(?:\.\)|[.)]))\s*)+")
# Lines ending like this are complete sentences (or list introductions), never
# headings, and a following line starts a new block rather than continuing them.
_TERMINAL = re.compile(r"""[.!?:;…](?:["'”’)\]]*)$""")
_WORD = re.compile(r"\S+")
_SPACE = " \t\u00a0"


@dataclass
class _Block:
    kind: str  # title | heading | paragraph | list-item
    start: int
    end: int


def _word_count(text: str, limit: int) -> int:
    n = 0
    for _ in _WORD.finditer(text):
        n += 1
        if n > limit:
            break
    return n


def _is_heading_like(text: str, max_words: int) -> bool:
    if not any(ch.isalpha() for ch in text) or _TERMINAL.search(text):
        return False
    if text.endswith((",", "-", "—", "–")):  # a cut-off clause, not a heading
        return False
    first = next((ch for ch in text if ch.isalpha()), "")
    if first.islower():  # headings start with a capital (or a digit)
        return False
    if _word_count(text, max_words) > max_words:
        return False
    # "1. The first item 2. The second item" is short and unpunctuated, but it
    # is a list run into one line: pysbd must split it, so it is prose.
    return len(_ITEM.findall(text)) < 2


def _blocks(body: str) -> list[_Block]:
    """Group lines into title, heading, paragraph and list-item blocks.

    One line is one block, except soft-wrapped prose: a line continues the
    previous paragraph or list item when that line had no terminal punctuation
    and either was too long to be a heading or this line starts in lower case.
    A list marker counts only at the start of a line; items run on within a
    line stay in one block, for pysbd to split.
    """
    blocks: list[_Block] = []
    pos = 0
    prev_blank = True
    seen_text = False
    for line in body.split("\n"):
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        content = line.strip(_SPACE)
        if not content:
            prev_blank = True
            continue
        lead = len(line) - len(line.lstrip(_SPACE))
        c_start, c_end = line_start + lead, line_start + lead + len(content)
        marker = _LIST_MARKER.match(line)
        prev = blocks[-1] if blocks else None
        if (
            prev is not None
            and not prev_blank
            and marker is None
            and prev.kind in ("paragraph", "list-item")
            and not _TERMINAL.search(body[prev.start : prev.end])
            and (
                content[0].islower()
                or _word_count(body[prev.start : prev.end], HEADING_MAX_WORDS)
                > HEADING_MAX_WORDS
            )
        ):
            prev.end = c_end
        elif marker is not None:
            blocks.append(_Block("list-item", line_start + marker.end(), c_end))
        elif not seen_text and _is_heading_like(content, TITLE_MAX_WORDS):
            blocks.append(_Block("title", c_start, c_end))
        elif _is_heading_like(content, HEADING_MAX_WORDS):
            blocks.append(_Block("heading", c_start, c_end))
        else:
            blocks.append(_Block("paragraph", c_start, c_end))
        seen_text = True
        prev_blank = False
    return blocks


def _sentence_spans(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans (absolute, stripped) inside ``body[start:end]``.

    pysbd returns the sentences as substrings; they are located again from a
    moving cursor, and only their *ends* are trusted as boundaries, so the spans
    always tile the block exactly even if pysbd ever altered a sentence.

    A list item's marker sits just before ``start``; pysbd is given it too,
    because it tells items apart by their markers ("1. The first item 2. The
    second item"): without it, it would read "item 2." as a sentence end.
    """
    line_start = body.rfind("\n", 0, start) + 1
    marker = _LIST_MARKER.match(body, line_start, start + 1)
    ctx = line_start if marker is not None and marker.end() == start else start
    text = body[ctx:end]
    # Soft line breaks inside a block are spaces to the segmenter (same length,
    # so offsets hold); pysbd would otherwise cut at every newline.
    flat = text.replace("\n", " ")
    cuts: list[int] = []
    cursor = 0
    for sentence in _segmenter().processor(flat).process():
        sentence = sentence.strip()
        if not sentence:
            continue
        found = flat.find(sentence, cursor)
        if found < 0:
            continue  # could not align: the text stays in the next sentence
        cursor = found + len(sentence)
        cuts.append(cursor)
    if not cuts or cuts[-1] < len(flat):
        cuts.append(len(flat))
    spans = []
    prev = start - ctx  # the marker stays outside every span
    for cut in cuts:
        if cut <= prev:
            continue  # a "sentence" inside the marker
        piece = text[prev:cut]
        stripped = piece.strip()
        if cut < len(flat) and (
            _TIME_OPENER.fullmatch(stripped) or _MARKERS_ONLY.fullmatch(stripped)
        ):
            continue  # not a sentence: it runs on into the next piece
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            spans.append((ctx + prev + lead, ctx + prev + lead + len(stripped)))
        prev = cut
    return spans


def _line_units(body: str) -> list[_Block]:
    units = []
    pos = 0
    for line in body.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            units.append(_Block("paragraph", pos + lead, pos + lead + len(stripped)))
        pos += len(line) + 1
    return units


def extract(
    body: str,
    *,
    threshold: float = checkworthiness.DEFAULT_THRESHOLD,
    lines: bool = False,
) -> list[SentenceDraft]:
    """Every sentence of ``body`` as a scored draft (see the module invariants).

    ``threshold``: a sentence is ``checkable`` when its score is at or above it.
    The default is the desk threshold, chosen on the CheckThat! dev split.
    """
    # (start, end, block kind, heading): headings first collected like
    # sentences, then every sentence scored in one batch (one embedding call).
    units: list[tuple[int, int, str, str | None]] = []
    if lines:
        units = [(u.start, u.end, "paragraph", None) for u in _line_units(body)]
    else:
        heading: str | None = None
        for block in _blocks(body):
            if block.kind in ("title", "heading"):
                if block.kind == "heading":
                    heading = body[block.start : block.end]
                units.append((block.start, block.end, block.kind, heading))
                continue
            units.extend(
                (start, end, block.kind, heading)
                for start, end in _sentence_spans(body, block.start, block.end)
            )
    sentences = [body[s:e] for s, e, kind, _ in units if kind not in _NEVER_CLAIMS]
    assessments = iter(checkworthiness.score_many(sentences))
    drafts = []
    for start, end, kind, heading in units:
        if kind in _NEVER_CLAIMS:
            score, checkable, claim_kind = 0.0, False, "heading"
            reasons = (_NEVER_CLAIMS[kind],)
        else:
            a = next(assessments)
            score, checkable, claim_kind = a.score, a.score >= threshold, a.kind
            reasons = a.reasons
        drafts.append(
            SentenceDraft(
                text=body[start:end],
                start=start,
                end=end,
                position=len(drafts),
                score=score,
                checkable=checkable,
                kind=claim_kind,
                reasons=reasons,
                heading=heading,
                block=kind,
            )
        )
    return drafts


_NEVER_CLAIMS = {
    "title": "the title is never a claim",
    "heading": "a heading is never a claim",
}
