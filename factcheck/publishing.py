"""What the public may see: the publication snapshot and how public pages read it.

``build_summary(article)`` turns the live rows into a JSON-able dict holding ONLY the
approved claims with their approved verdicts, their live sources, the article's public
metadata and the counts per rating. It never includes notes, drafts, dismissed or
unfinished claims, check-worthiness scores, assignees or user ids; reviewer and editor
names only when ``settings.FACTCHECK["PUBLISH_NAMES"]`` says so.

``workflow.publish_article`` stores that dict, plus version data and the correction
history, in an immutable ``Publication``. Public pages read only the latest snapshot
of a published article (``latest_publication``), so later internal edits never reach
the public until someone publishes again.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import OuterRef, Prefetch, Subquery

from .models import (
    Article,
    ArticleState,
    Claim,
    ClaimState,
    Publication,
    Source,
    Verdict,
    VerdictState,
)
from .rendering import render_markdown

FORMAT = 1


def claim_ref(claim_pk: int) -> str:
    """An opaque, stable key for a claim, so versions can be compared without ids."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"claim:{claim_pk}".encode(), hashlib.sha256
    )
    return digest.hexdigest()[:16]


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _approved_claims(article: Article):
    verdicts = Verdict.objects.filter(
        is_current=True, state=VerdictState.APPROVED
    ).select_related("rating", "submitted_by", "decided_by")
    sources = Source.objects.filter(removed_at__isnull=True).order_by("added_at", "pk")
    return (
        Claim.objects.filter(article=article, state=ClaimState.APPROVED)
        .order_by("start", "pk")
        .prefetch_related(
            Prefetch("verdicts", queryset=verdicts, to_attr="approved_verdicts"),
            Prefetch("sources", queryset=sources, to_attr="live_sources"),
        )
    )


def _claim_entry(n: int, claim: Claim, verdict: Verdict) -> dict[str, Any]:
    rating = verdict.rating
    entry: dict[str, Any] = {
        "n": n,
        "ref": claim_ref(claim.pk),
        "text": claim.text,
        "rating": {
            "label": rating.label,
            "slug": rating.slug,
            "value": rating.value,
            "colour": rating.colour,
            "order": rating.order,
        },
        "rationale": verdict.rationale,
        "rationale_html": render_markdown(verdict.rationale),
        "sources": [
            {
                "url": s.url,
                "title": s.title,
                "publisher": s.publisher,
                "excerpt": s.excerpt,
                "accessed_on": _iso(s.accessed_on),
            }
            for s in claim.live_sources
        ],
        "submitted_at": _iso(verdict.submitted_at),
        "approved_at": _iso(verdict.decided_at),
    }
    if settings.FACTCHECK.get("PUBLISH_NAMES"):
        entry["reviewer"] = str(verdict.submitted_by) if verdict.submitted_by else ""
        entry["editor"] = str(verdict.decided_by) if verdict.decided_by else ""
    return entry


def build_summary(article: Article) -> dict[str, Any]:
    """The public snapshot of ``article``: approved claims and verdicts only."""
    claims = []
    for claim in _approved_claims(article):
        verdict = claim.approved_verdicts[0] if claim.approved_verdicts else None
        if verdict is None or verdict.rating is None:
            continue  # defensive: an approved claim always has an approved verdict
        claims.append(_claim_entry(len(claims) + 1, claim, verdict))
    counts: dict[str, dict[str, Any]] = {}
    for entry in claims:
        rating = entry["rating"]
        row = counts.setdefault(rating["slug"], {**rating, "count": 0})
        row["count"] += 1
    ordered_counts = sorted(counts.values(), key=lambda r: (r["order"], r["label"]))
    meta = {
        "title": article.title,
        "slug": article.slug,
        "outlet": article.outlet,
        "author": article.author,
        "original_url": article.original_url,
        "original_published_on": _iso(article.original_published_on),
        "language": article.language,
    }
    search_text = " ".join(
        [article.title, article.outlet, article.author]
        + [c["text"] for c in claims]
        + [c["rating"]["label"] for c in claims]
    )
    return {
        "format": FORMAT,
        "article": meta,
        "claims": claims,
        "counts": ordered_counts,
        "total": len(claims),
        # One lowercased string the public index searches, so search reads only
        # what the snapshot made public.
        "search_text": search_text.lower(),
    }


def diff_summaries(
    previous: dict[str, Any] | None, current: dict[str, Any]
) -> list[dict[str, Any]]:
    """What changed for the public between two snapshots, claim by claim."""
    if previous is None:
        return []
    before = {c["ref"]: c for c in previous.get("claims", [])}
    changes = []
    seen = set()
    for claim in current["claims"]:
        old = before.get(claim["ref"])
        seen.add(claim["ref"])
        if old is None:
            changes.append(
                {
                    "change": "added",
                    "n": claim["n"],
                    "claim": claim["text"],
                    "from": None,
                    "to": claim["rating"]["label"],
                }
            )
        elif old["rating"]["slug"] != claim["rating"]["slug"]:
            changes.append(
                {
                    "change": "rating",
                    "n": claim["n"],
                    "claim": claim["text"],
                    "from": old["rating"]["label"],
                    "to": claim["rating"]["label"],
                }
            )
        elif (
            old["rationale"] != claim["rationale"] or old["sources"] != claim["sources"]
        ):
            changes.append(
                {
                    "change": "rationale",
                    "n": claim["n"],
                    "claim": claim["text"],
                    "from": old["rating"]["label"],
                    "to": claim["rating"]["label"],
                }
            )
    for ref, old in before.items():
        if ref not in seen:
            changes.append(
                {
                    "change": "removed",
                    "n": None,
                    "claim": old["text"],
                    "from": old["rating"]["label"],
                    "to": None,
                }
            )
    return changes


def latest_publications():
    """The newest snapshot of every published article, newest fact-check first."""
    newest = (
        Publication.objects.filter(article=OuterRef("article"))
        .order_by("-version")
        .values("version")[:1]
    )
    first = Publication.objects.filter(article=OuterRef("article"), version=1)
    return (
        Publication.objects.filter(
            article__state=ArticleState.PUBLISHED, version=Subquery(newest)
        )
        .annotate(first_published_at=Subquery(first.values("published_at")[:1]))
        .order_by("-first_published_at", "-pk")
    )


class PublicState(NamedTuple):
    article_pk: int
    state: str
    version: int


def public_state(slug: str) -> PublicState | None:
    """The article's state and latest version, for a slug that was ever published.

    One small indexed query; it is all a cached public page asks the database, so an
    unpublished page disappears at once in every app process. Plain SQL because
    this runs on every public request and the ORM's compilation cost more than the
    query itself (bench/public_throughput.py).
    """
    article, publication = Article._meta.db_table, Publication._meta.db_table
    sql = (
        f"SELECT a.id, a.state, (SELECT MAX(p.version) FROM {publication} p "
        f"WHERE p.article_id = a.id) FROM {article} a WHERE a.slug = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug])
        row = cursor.fetchone()
    if row is None or row[2] is None:
        return None
    return PublicState(*row)
