"""Desk search: articles and claims of any status, found by words, for the desk only.

On PostgreSQL it is full-text search (``websearch`` syntax: every word must match,
"quoted phrases" and ``-word`` work; English stemming; best match first). Elsewhere
(SQLite) every word of the query must appear, case-insensitively, newest first.

Invariants: read only. The query is cleaned before it reaches the database (control
characters, which PostgreSQL refuses as NUL bytes, become spaces; its length is
capped), and a query without a letter or digit runs nothing. The cost is bounded by
what is shown, not by the archive: results are capped, PostgreSQL ranks only the
newest ``RANKED`` matches (matching uses the GIN indexes of migration 0005), and the
rows carry what their lines show (article, assignee, current verdict and its
rating) in three queries whatever the number of hits. People without a desk role
find nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Substr

from .models import Article, Claim, Verdict
from .roles import is_staff_member

MAX_QUERY_LENGTH = 200
MAX_WORDS = 10  # the SQLite fallback's AND clauses, so a query's SQL stays small
CLAIM_LIMIT = 20
ARTICLE_LIMIT = 10
RANKED = 200  # PostgreSQL ranks at most this many of the newest matches
EXCERPT_CHARS = 240
CONFIG = "english"
# Text search reads at most this much of a body: a tsvector holds 1 MB at most, so a
# whole 1 MB article could fail; news articles are far shorter. Migration 0005 indexes
# exactly these expressions; change them together.
BODY_CHARS = 100_000

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class DeskSearch:
    """What a search found; ``searched`` is False when there was nothing to look for."""

    query: str = ""
    searched: bool = False
    claims: list[Claim] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    more_claims: bool = False
    more_articles: bool = False


def clean_query(raw: object) -> str:
    """The query as searched: control characters out, spaces squeezed, length capped."""
    text = raw if isinstance(raw, str) else ""
    text = "".join(
        " " if unicodedata.category(ch).startswith("C") else ch
        for ch in text[: MAX_QUERY_LENGTH * 4]
    )
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def search_desk(
    user, query: object, *, limit: int = CLAIM_LIMIT, article_limit: int = ARTICLE_LIMIT
) -> DeskSearch:
    """Claims (by text) and articles (by title and body) matching every word."""
    query = clean_query(query)
    words = _WORD.findall(query)
    if not words or not is_staff_member(user):
        return DeskSearch(query=query, searched=bool(words))
    if connection.vendor == "postgresql":
        claims, articles = _postgres(query)
    else:
        claims, articles = _fallback(words[:MAX_WORDS])
    if not user.has_perm("factcheck.view_claim"):
        claims = claims.none()
    claim_rows = list(_with_row_context(claims)[: limit + 1])
    article_rows = list(articles.defer(*_HEAVY)[: article_limit + 1])
    highlight = _highlighter(words)
    for claim in claim_rows:
        claim.verdict = claim.current_verdicts[0] if claim.current_verdicts else None
        claim.excerpt = _excerpt(claim.text, highlight)
    return DeskSearch(
        query=query,
        searched=True,
        claims=claim_rows[:limit],
        articles=article_rows[:article_limit],
        more_claims=len(claim_rows) > limit,
        more_articles=len(article_rows) > article_limit,
    )


# Article columns no result line shows; a body can be a megabyte.
_HEAVY = ("body", "warnings", "repairs")


def claim_vector() -> SearchVector:
    return SearchVector("text", config=CONFIG)


def article_vector() -> SearchVector:
    return SearchVector("title", config=CONFIG, weight="A") + SearchVector(
        Substr("body", 1, BODY_CHARS), config=CONFIG, weight="B"
    )


def _ranked(model, vector, rank_by, query: SearchQuery, newest) -> QuerySet:
    """The newest ``RANKED`` matches (by id: the planner may then walk the primary key
    backwards and stop early for a common word, or use the GIN index for a rare one),
    best first."""
    matching = model.objects.annotate(document=vector).filter(document=query)
    candidates = matching.order_by("-pk").values("pk")[:RANKED]
    return (
        model.objects.filter(pk__in=candidates)
        .annotate(rank=SearchRank(rank_by, query))
        .order_by("-rank", *newest)
    )


def _postgres(query: str) -> tuple[QuerySet, QuerySet]:
    search = SearchQuery(query, config=CONFIG, search_type="websearch")
    vector = claim_vector()
    claims = _ranked(Claim, vector, vector, search, ("-created_at", "-pk"))
    # Articles rank by their title only: title hits first, then the newest. Ranking
    # by the body would parse up to ``RANKED`` whole bodies on every search.
    title = SearchVector("title", config=CONFIG)
    articles = _ranked(
        Article, article_vector(), title, search, ("-ingested_at", "-pk")
    )
    return claims, articles


def _fallback(words: list[str]) -> tuple[QuerySet, QuerySet]:
    """Every word somewhere in the text (AND), newest first."""
    in_claim, in_article = Q(), Q()
    for word in words:
        in_claim &= Q(text__icontains=word)
        in_article &= Q(title__icontains=word) | Q(body__icontains=word)
    claims = Claim.objects.filter(in_claim).order_by("-created_at", "-pk")
    articles = Article.objects.filter(in_article).order_by("-ingested_at", "-pk")
    return claims, articles


def _with_row_context(claims: QuerySet) -> QuerySet:
    current = Verdict.objects.filter(is_current=True).select_related("rating")
    return (
        claims.select_related("article", "assignee")
        .defer(*(f"article__{name}" for name in _HEAVY))
        .prefetch_related(
            Prefetch("verdicts", queryset=current, to_attr="current_verdicts")
        )
    )


def _highlighter(words: list[str]) -> re.Pattern | None:
    """Words (and the words they start) to mark in an excerpt, longest first."""
    terms = sorted({w.lower() for w in words if len(w) > 1}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile(
        r"(?<!\w)(?:" + "|".join(map(re.escape, terms)) + r")\w*", re.IGNORECASE
    )


def _excerpt(text: str, highlight: re.Pattern | None) -> list[tuple[str, bool]]:
    """The text around the first match as (segment, is_match) pairs, for escaping."""
    first = highlight.search(text) if highlight else None
    start = max(0, (first.start() if first else 0) - EXCERPT_CHARS // 3)
    start = 0 if len(text) <= EXCERPT_CHARS else min(start, len(text) - EXCERPT_CHARS)
    window = text[start : start + EXCERPT_CHARS]
    parts: list[tuple[str, bool]] = [("…", False)] if start else []
    pos = 0
    for match in highlight.finditer(window) if highlight else ():
        if match.start() > pos:
            parts.append((window[pos : match.start()], False))
        parts.append((match.group(), True))
        pos = match.end()
    parts.append((window[pos:], False))
    if start + EXCERPT_CHARS < len(text):
        parts.append(("…", False))
    return [(segment, hit) for segment, hit in parts if segment]
