"""Re-anchoring: where each claim of an old article body sits in a new body; pure.

A claim is found by its content and its context, never by its offset alone:

1. **exact**: the old claim text occurs in the new body at a sentence boundary
   like the old one (the characters around it are boundaries, or the same as
   before). Several occurrences: the one whose surroundings agree longest with the
   old surroundings, then the one nearest the old position mapped into the new
   body (a word diff of the two bodies).
2. **fuzzy**: otherwise the most similar new sentence (or two consecutive
   sentences) that no exact anchor took and that is not an old sentence left
   unchanged, at ``MIN_SIMILARITY`` or more, nearer the mapped position winning
   near-ties. Such a claim is "changed".
3. otherwise the claim's sentence is gone: "vanished".

``kept`` and ``moved`` claims keep their exact text (``new_body[start:end]`` equals
the old text); ``changed`` ones point at the new sentence. No Django import.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

__all__ = ["MIN_SIMILARITY", "Anchor", "OldClaim", "diff_words", "reanchor"]

# Below this difflib ratio a new sentence is another sentence, not a rewording.
MIN_SIMILARITY = 0.6
# How much surrounding text is compared to tell repeated quotes apart.
CONTEXT_CHARS = 120
# A fuzzy candidate loses this much similarity per body length of distance.
DISTANCE_PENALTY = 0.1

_WORD = re.compile(r"\S+")
# Characters after which a new sentence may start.
_SENTENCE_END = frozenset(".!?…:;\"”’')]")


@dataclass(frozen=True)
class OldClaim:
    key: object  # the caller's id for the claim
    start: int
    end: int
    # A claim not in the old body (it vanished from an earlier version): the text
    # to look for, with no old context to compare.
    text: str | None = None

    def quote(self, old_body: str) -> str:
        return self.text if self.text is not None else old_body[self.start : self.end]


@dataclass(frozen=True)
class Anchor:
    key: object
    status: str  # "kept" | "moved" | "changed" | "vanished"
    start: int  # into the new body; for "vanished", where the text used to be
    end: int
    how: str  # "exact" | "exact+context" | "fuzzy" | "none"
    similarity: float = 1.0

    @property
    def flagged(self) -> bool:
        return self.status in ("changed", "vanished")


def _position_map(old: str, new: str):
    """A function from an old offset to the corresponding new offset (word diff)."""
    a = [(m.group(), m.start()) for m in _WORD.finditer(old)]
    b = [(m.group(), m.start()) for m in _WORD.finditer(new)]
    matcher = SequenceMatcher(None, [w for w, _ in a], [w for w, _ in b])
    pairs = [
        (a[i + k][1], b[j + k][1])
        for i, j, size in matcher.get_matching_blocks()
        for k in range(size)
    ]
    olds = [p[0] for p in pairs]

    def mapped(pos: int) -> int:
        i = bisect_right(olds, pos) - 1
        if i < 0:
            return min(pos, len(new))
        old_at, new_at = pairs[i]
        return min(len(new), new_at + (pos - old_at))

    return mapped


def _is_edge(ch: str) -> bool:
    return ch == "" or ch.isspace()


def _left_kind(body: str, pos: int) -> str:
    """What precedes ``pos``: a sentence's start, a word's start, or a character."""
    if pos and not body[pos - 1].isspace():
        return "char:" + body[pos - 1]
    before = body[max(0, pos - 200) : pos]
    stripped = before.rstrip()
    if not stripped or "\n" in before[len(stripped) :]:
        return "sentence"
    return "sentence" if stripped[-1] in _SENTENCE_END else "word"


def _boundary_ok(old: str, s: int, e: int, new: str, ns: int, ne: int) -> bool:
    """The match is cut like the old span: a sentence start stays a sentence
    start (so "X said <claim>" is not the claim), the end is an edge or the
    same character as before."""
    after_old, after_new = old[e : e + 1], new[ne : ne + 1]
    right = after_new == after_old or (_is_edge(after_new) and _is_edge(after_old))
    return right and _left_kind(old, s) == _left_kind(new, ns)


def _common_prefix(x: str, y: str) -> int:
    n = 0
    for p, q in zip(x, y, strict=False):
        if p != q:
            break
        n += 1
    return n


def _context_score(old: str, s: int, e: int, new: str, ns: int, ne: int) -> int:
    before = _common_prefix(
        old[max(0, s - CONTEXT_CHARS) : s][::-1],
        new[max(0, ns - CONTEXT_CHARS) : ns][::-1],
    )
    after = _common_prefix(old[e : e + CONTEXT_CHARS], new[ne : ne + CONTEXT_CHARS])
    return before + after


def _occurrences(haystack: str, needle: str) -> list[int]:
    found, i = [], haystack.find(needle)
    while i >= 0:
        found.append(i)
        i = haystack.find(needle, i + 1)
    return found


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in taken)


def reanchor(
    old_body: str,
    claims: Sequence[OldClaim],
    new_body: str,
    sentences: Sequence[tuple[int, int]],
) -> list[Anchor]:
    """One ``Anchor`` per claim, in the order given.

    ``sentences``: the sentence spans of ``new_body`` (``extraction.extract``),
    the candidates for fuzzy matching.
    """
    mapped = _position_map(old_body, new_body)
    result: dict[int, Anchor] = {}
    taken: list[tuple[int, int]] = []

    # 1. Exact quotes; claims with fewer candidates choose first.
    options = []
    for n, claim in enumerate(claims):
        text = claim.quote(old_body)
        hits = [
            h
            for h in _occurrences(new_body, text)
            if _boundary_ok(
                old_body, claim.start, claim.end, new_body, h, h + len(text)
            )
        ]
        if claim.text is not None:  # no old context: a sentence of its own
            hits = [
                h
                for h in _occurrences(new_body, text)
                if _left_kind(new_body, h) == "sentence"
                and _is_edge(new_body[h + len(text) : h + len(text) + 1])
            ]
        options.append((len(hits), n, text, hits))
    for count, n, text, hits in sorted(options, key=lambda o: (o[0], o[1])):
        claim = claims[n]
        if not count:
            continue
        where = mapped(claim.start)
        ranked = sorted(
            hits,
            key=lambda h: (
                -_context_score(
                    old_body, claim.start, claim.end, new_body, h, h + len(text)
                ),
                abs(h - where),
            ),
        )
        free = [h for h in ranked if not _overlaps(taken, h, h + len(text))]
        if not free:
            continue
        h = free[0]
        taken.append((h, h + len(text)))
        same = h == claim.start and claim.text is None
        status = "kept" if same else "moved"
        how = "exact" if count == 1 else "exact+context"
        result[n] = Anchor(claim.key, status, h, h + len(text), how)

    # 2. Fuzzy: new sentences no exact anchor took and that are not old text.
    spans = sorted(sentences)
    units = [(s, e) for s, e in spans]
    units += [(spans[i][0], spans[i + 1][1]) for i in range(len(spans) - 1)]
    fresh = [
        (s, e)
        for s, e in units
        if not _overlaps(taken, s, e) and new_body[s:e] not in old_body
    ]
    scored = []
    for n, claim in enumerate(claims):
        if n in result:
            continue
        text = claim.quote(old_body)
        where = mapped(claim.start)
        for s, e in fresh:
            matcher = SequenceMatcher(None, text, new_body[s:e], autojunk=False)
            if matcher.real_quick_ratio() < MIN_SIMILARITY:
                continue
            if matcher.quick_ratio() < MIN_SIMILARITY:
                continue
            ratio = matcher.ratio()
            if ratio < MIN_SIMILARITY:
                continue
            distance = abs(s - where) / max(1, len(new_body))
            scored.append((ratio - DISTANCE_PENALTY * distance, ratio, n, s, e))
    for _, ratio, n, s, e in sorted(scored, key=lambda x: (-x[0], x[2], x[3])):
        if n in result or _overlaps(taken, s, e):
            continue
        taken.append((s, e))
        result[n] = Anchor(claims[n].key, "changed", s, e, "fuzzy", round(ratio, 3))

    # 3. Vanished: a one-character place where the text used to be, on whitespace
    # no other claim covers, so it orders the claim list without hiding a claim.
    for n, claim in enumerate(claims):
        if n not in result:
            at = _free_space(new_body, mapped(claim.start), taken)
            taken.append((at, at + 1))
            result[n] = Anchor(claim.key, "vanished", at, at + 1, "none", 0.0)
    return [result[n] for n in range(len(claims))]


def _free_space(body: str, near: int, taken: list[tuple[int, int]]) -> int:
    """The whitespace character nearest before (else after) ``near`` that no span
    covers; ``near`` itself (clamped) when the body has none."""
    near = min(max(0, near), max(0, len(body) - 1))
    for at in (*range(near, -1, -1), *range(near + 1, len(body))):
        if body[at].isspace() and not _overlaps(taken, at, at + 1):
            return at
    return near


def diff_words(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff as ``(op, text)`` pieces, op one of "same", "del", "ins"."""
    a, b = re.findall(r"\S+\s*", old), re.findall(r"\S+\s*", new)
    pieces: list[tuple[str, str]] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", "".join(b[j1:j2])))
    return pieces
