"""Checked before?: which earlier checks a new claim may restate.

Responsibility: keep a ``matching.Matcher`` over everything already checked (the
desk's claims with an approved verdict, and imported fact-checks) and rank new
claim texts against it. Read-only: ``workflow`` stores the matches it returns.

The index is built from vectors stored at write time (never re-encoded) and cached
in the process; a one-row signature query (counts and latest change of both
sources) tells when it is stale, so an approval or an import is seen by the next
ingestion in every app process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max, Prefetch

from . import matching, semantic
from .models import (
    Claim,
    ClaimMatch,
    ClaimState,
    ImportedFactCheck,
    MatchAnswer,
    Source,
    Verdict,
)

# Two claims of one article are near-duplicates when each scores at least this share
# of its score against itself on the other (the matcher's combined score). Not
# measured on labelled data (there is none for duplicates within an article): at
# 0.6 a sentence must share most of its weighted words or its meaning with the other.
NEAR_DUPLICATE = 0.6
# Articles with more checkable sentences than this are not compared pairwise.
MAX_PAIRWISE = 2_000
# How many suggestions a claim shows at most.
TOP = 3
# Show a match at or above this combined score (see ``matching.DEFAULT_MIN_SCORE``).
MIN_SCORE = matching.DEFAULT_MIN_SCORE

_lock = threading.Lock()
_cache: dict[str, object] = {"signature": None, "matcher": None}


@dataclass(frozen=True)
class Candidate:
    """One suggestion for the claim at ``index`` in the list that was matched."""

    index: int
    earlier_id: int | None
    imported_id: int | None
    score: float


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def vectors_for(texts: list[str]) -> list[bytes]:
    """What to store in ``Claim.vector`` for these claim texts."""
    return [to_bytes(v) for v in matching.embed(texts)] if texts else []


def _checked_claims():
    return Claim.objects.filter(state=ClaimState.APPROVED, vector__isnull=False)


def _signature() -> tuple:
    claims = _checked_claims().aggregate(n=Count("pk"), last=Max("updated_at"))
    imported = ImportedFactCheck.objects.aggregate(
        n=Count("pk"), last=Max("imported_at")
    )
    return (claims["n"], claims["last"], imported["n"], imported["last"])


def _build() -> matching.Matcher:
    ids: list[tuple[str, int]] = []
    texts: list[str] = []
    titles: list[str] = []
    vectors: list[bytes] = []
    for pk, text, vector in _checked_claims().values_list("pk", "text", "vector"):
        ids.append(("claim", pk))
        texts.append(text)
        titles.append("")
        vectors.append(bytes(vector))
    for pk, text, title, vector in ImportedFactCheck.objects.values_list(
        "pk", "claim_text", "title", "vector"
    ):
        ids.append(("imported", pk))
        texts.append(text)
        titles.append(title)
        vectors.append(bytes(vector))
    matrix = (
        np.frombuffer(b"".join(vectors), dtype=np.float32).reshape(-1, semantic.DIM)
        if vectors
        else np.zeros((0, semantic.DIM), dtype=np.float32)
    )
    return matching.Matcher.from_rows(ids, texts, matrix, titles)


def index() -> matching.Matcher:
    """The matcher over every earlier check, rebuilt when one was added or changed."""
    signature = _signature()
    with _lock:
        if _cache["signature"] != signature:
            _cache["matcher"] = _build()
            _cache["signature"] = signature
        return _cache["matcher"]


def candidates(
    texts: list[str], vectors: list[bytes], *, exclude_article: int | None = None
) -> list[Candidate]:
    """Earlier checks each text may restate, best first per text, above MIN_SCORE.

    ``exclude_article``: claims of this article are not "earlier checks" of it.
    """
    matcher = index()
    if not texts or not len(matcher):
        return []
    query = np.frombuffer(b"".join(vectors), dtype=np.float32).reshape(-1, semantic.DIM)
    # A few more than shown, so dropping same-article claims still leaves TOP.
    ranked = matcher.top(texts, k=TOP + 5, min_score=MIN_SCORE, query_vectors=query)
    same_article = set()
    if exclude_article is not None:
        claim_ids = [doc[1] for row in ranked for doc, _ in row if doc[0] == "claim"]
        same_article = set(
            Claim.objects.filter(
                pk__in=claim_ids, article_id=exclude_article
            ).values_list("pk", flat=True)
        )
    out = []
    for i, row in enumerate(ranked):
        kept = [
            (doc, score)
            for doc, score in row
            if not (doc[0] == "claim" and doc[1] in same_article)
        ][:TOP]
        for (source, pk), score in kept:
            out.append(
                Candidate(
                    index=i,
                    earlier_id=pk if source == "claim" else None,
                    imported_id=pk if source == "imported" else None,
                    score=min(1.0, max(0.0, round(score, 4))),
                )
            )
    return out


def near_duplicates(texts: list[str], vectors: list[bytes]) -> dict[int, int]:
    """Within one article: index of a later claim -> index of the first earlier
    claim it restates."""
    n = len(texts)
    if n < 2 or n > MAX_PAIRWISE:
        return {}
    matrix = np.frombuffer(b"".join(vectors), dtype=np.float32).reshape(
        -1, semantic.DIM
    )
    matcher = matching.Matcher.from_rows(list(range(n)), texts, matrix)
    scores = matcher.scores(texts, matrix)
    own = np.diag(scores).copy()
    own[own <= 0] = np.inf  # a text with no words matches nothing
    relative = scores / own[:, None]
    both = np.minimum(relative, relative.T)
    found = {}
    for later in range(1, n):
        earlier = np.flatnonzero(both[later, :later] >= NEAR_DUPLICATE)
        if earlier.size:
            found[later] = int(earlier[0])
    return found


def shown_for(claim: Claim) -> list[ClaimMatch]:
    """The claim's suggestions still worth showing (not answered "not the same"),
    best first, each with what the page shows of the earlier check: its article,
    current verdict and rating (``earlier.current``), live sources
    (``earlier.live_sources``). Four queries whatever the number."""
    verdicts = Verdict.objects.filter(is_current=True).select_related("rating")
    sources = Source.objects.filter(removed_at__isnull=True)
    return list(
        claim.matches.exclude(answer=MatchAnswer.DIFFERENT)
        .select_related("earlier__article", "imported")
        .prefetch_related(
            Prefetch("earlier__verdicts", queryset=verdicts, to_attr="current"),
            Prefetch("earlier__sources", queryset=sources, to_attr="live_sources"),
        )
    )
