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
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import QueryDict

from . import pagination
from .models import (
    Article,
    ArticleState,
    Claim,
    Claimant,
    ClaimState,
    Publication,
    Source,
    Verdict,
    VerdictState,
)
from .rendering import render_markdown

FORMAT = 2  # 2: claims numbered and keyed by Claim.public_number


def claim_ref(public_number: int) -> str:
    """The stable key that compares a claim across versions: its permanent number."""
    return f"n{public_number}"


def legacy_claim_ref(claim_pk: int) -> str:
    """The key format-1 snapshots used (an HMAC of SECRET_KEY), read only to carry
    those snapshots' claims over to permanent numbers; matches only while the key
    they were written with is still the current one."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"claim:{claim_pk}".encode(), hashlib.sha256
    )
    return digest.hexdigest()[:16]


def _published_numbers(article: Article) -> set[int]:
    """Every claim number any version of ``article`` ever showed."""
    numbers: set[int] = set()
    for payload in article.publications.values_list("payload", flat=True):
        numbers.update(c["n"] for c in payload.get("claims", []))
    return numbers


def assign_public_numbers(
    article: Article, previous: Publication | None
) -> dict[int, int]:
    """Give each approved claim without one its permanent public number.

    Run inside ``workflow.publish_article``'s transaction, before ``build_summary``.
    A claim a format-1 snapshot showed keeps the number it had there; any other new
    claim gets the next number never shown nor held, in body order. Returns
    {claim pk: number} for the claims numbered now (for the audit event).
    """
    pending = list(
        Claim.objects.filter(
            article=article, state=ClaimState.APPROVED, public_number__isnull=True
        ).order_by("start", "pk")
    )
    if not pending:
        return {}
    held = set(
        Claim.objects.filter(article=article, public_number__isnull=False).values_list(
            "public_number", flat=True
        )
    )
    legacy: dict[str, int] = {}
    if previous is not None and previous.payload.get("format", 1) < 2:
        legacy = {c["ref"]: c["n"] for c in previous.payload.get("claims", [])}
    assigned: dict[int, int] = {}
    for claim in pending:
        number = legacy.get(legacy_claim_ref(claim.pk))
        if number is not None and number not in held:
            assigned[claim.pk] = number
            held.add(number)
    next_number = max(held | _published_numbers(article), default=0) + 1
    for claim in pending:
        if claim.pk not in assigned:
            assigned[claim.pk] = next_number
            next_number += 1
    for claim in pending:
        # A queryset update: the number is not an edit, so the claim's optimistic
        # locking version (an editor's open form) is left alone.
        Claim.objects.filter(pk=claim.pk).update(public_number=assigned[claim.pk])
    return assigned


def comparable(payload: dict[str, Any] | None, article: Article) -> dict | None:
    """``payload`` with its claims keyed like the current format, for diffing.

    Format-1 snapshots keyed claims on ``legacy_claim_ref``; those keys are mapped to
    the claims' permanent refs (unmatched ones stay and read as removed).
    """
    if payload is None or payload.get("format", 1) >= 2:
        return payload
    refs = {
        legacy_claim_ref(pk): claim_ref(n)
        for pk, n in Claim.objects.filter(
            article=article, public_number__isnull=False
        ).values_list("pk", "public_number")
    }
    claims = [{**c, "ref": refs.get(c["ref"], c["ref"])} for c in payload["claims"]]
    return {**payload, "claims": claims}


def removed_claim(article_pk: int, n: int) -> dict[str, Any] | None:
    """When and why claim ``n`` left the public pages: the correction that removed it.

    None when no version ever showed ``n`` or the latest still does.
    """
    later = None
    for version in Publication.objects.filter(article_id=article_pk).order_by(
        "-version"
    ):
        if any(c["n"] == n for c in version.payload.get("claims", [])):
            if later is None:
                return None
            return {
                "published_at": later.published_at,
                "note": later.correction_note,
                "version": later.version,
            }
        later = version
    return None


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _approved_claims(article: Article):
    verdicts = Verdict.objects.filter(
        is_current=True, state=VerdictState.APPROVED
    ).select_related("rating", "submitted_by", "decided_by")
    sources = Source.objects.filter(removed_at__isnull=True).order_by("added_at", "pk")
    return (
        Claim.objects.filter(article=article, state=ClaimState.APPROVED)
        .select_related("claimant")
        .order_by("start", "pk")
        .prefetch_related(
            Prefetch("verdicts", queryset=verdicts, to_attr="approved_verdicts"),
            Prefetch("sources", queryset=sources, to_attr="live_sources"),
        )
    )


NOT_A_FACTUAL_CLAIM = "not-a-factual-claim"  # the default scale's non-verdict


def rating_is_verdict(rating: dict[str, Any]) -> bool:
    """Is a snapshot's rating a verdict on a factual claim (one with ClaimReview)?

    Snapshots written since ratings gained ``is_verdict`` record it. In an older
    snapshot the rating counts as a verdict unless it is the default scale's "Not a
    factual claim" (by slug, which never changes), the one non-verdict the default
    scale has. Any other rating that was not a verdict needed no source, and
    ``claimreview.carries_claimreview`` also requires a source, so such a claim in
    an old snapshot gets no markup either unless it cited one.
    """
    if "is_verdict" in rating:
        return bool(rating["is_verdict"])
    return rating.get("slug") != NOT_A_FACTUAL_CLAIM


def claimant_entry(claimant: Claimant | None) -> dict[str, Any] | None:
    """A claimant as a snapshot records it."""
    if claimant is None:
        return None
    return {
        "name": claimant.name,
        "kind": claimant.kind,
        "role": claimant.role,
        "same_as": claimant.same_as,
        "slug": claimant.slug,
    }


def _claim_entry(claim: Claim, verdict: Verdict) -> dict[str, Any]:
    rating = verdict.rating
    if claim.public_number is None:
        raise ValueError("assign_public_numbers() runs before build_summary().")
    entry: dict[str, Any] = {
        "n": claim.public_number,
        "ref": claim_ref(claim.public_number),
        "text": claim.text,
        # Who made the claim (None: the article's own assertion). Older snapshots
        # lack the key; their pages simply name nobody.
        "claimant": claimant_entry(claim.claimant),
        "rating": {
            "label": rating.label,
            "slug": rating.slug,
            "value": rating.value,
            "colour": rating.colour,
            "order": rating.order,
            # The rating's definition, shown under the verdict. Older snapshots lack
            # it; their pages simply omit the definition.
            "description": rating.description,
            # A verdict on a factual claim: published with ClaimReview (see
            # ``rating_is_verdict`` for snapshots written before this key).
            "is_verdict": rating.is_verdict,
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
    """The public snapshot of ``article``: approved claims and verdicts only.

    Claims appear in body order, each under its permanent ``public_number`` (see
    ``assign_public_numbers``), so a number never moves to another claim.
    """
    claims = []
    for claim in _approved_claims(article):
        verdict = claim.approved_verdicts[0] if claim.approved_verdicts else None
        if verdict is None or verdict.rating is None:
            continue  # defensive: an approved claim always has an approved verdict
        claims.append(_claim_entry(claim, verdict))
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


def _credit(claimant: dict[str, Any] | None) -> str:
    """A snapshot claimant as "Name, role"; "" for none."""
    if not claimant:
        return ""
    role = claimant.get("role")
    return f"{claimant['name']}, {role}" if role else claimant["name"]


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
        # Snapshots from before claimants lack the key: no change to report there.
        elif "claimant" in old and old["claimant"] != claim.get("claimant"):
            changes.append(
                {
                    "change": "claimant",
                    "n": claim["n"],
                    "claim": claim["text"],
                    "from": old["rating"]["label"],
                    "to": claim["rating"]["label"],
                    "claimant_from": _credit(old["claimant"]),
                    "claimant_to": _credit(claim.get("claimant")),
                }
            )
    for ref, old in before.items():
        if ref not in seen:
            changes.append(
                {
                    "change": "removed",
                    "n": old["n"],
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
    # order_by(): the model's default order would join the article into every row.
    first = Publication.objects.filter(
        article=OuterRef("article"), version=1
    ).order_by()
    return (
        Publication.objects.filter(
            article__state=ArticleState.PUBLISHED, version=Subquery(newest)
        )
        .annotate(first_published_at=Subquery(first.values("published_at")[:1]))
        .order_by("-first_published_at", "-pk")
    )


def first_publications(search: str = "") -> QuerySet[Publication]:
    """The first version of every published fact-check, newest first; ``search``
    keeps those whose latest snapshot mentions it.

    The public lists page through these by keyset (``pagination.keyset``): their
    order is a column of the rows themselves, which an index can serve, where
    ``latest_publications`` orders by a subquery computed for every published
    article; and it stays put when a correction is published. ``with_latest`` then
    reads the latest snapshots of one page only.
    """
    firsts = Publication.objects.filter(
        version=1, article__state=ArticleState.PUBLISHED
    )
    if search:
        matching = latest_publications().filter(
            payload__search_text__icontains=search.lower()
        )
        firsts = firsts.filter(article__in=matching.values("article"))
    return firsts.only("pk", "article_id", "published_at").order_by(
        "-published_at", "-pk"
    )


def with_latest(firsts: Iterable[Publication]) -> list[Publication]:
    """The latest snapshot of each article of ``firsts`` (with ``first_published_at``),
    in their order: one query."""
    firsts = list(firsts)
    latest = latest_publications().filter(article_id__in=[f.article_id for f in firsts])
    by_article = {p.article_id: p for p in latest}
    return [by_article[f.article_id] for f in firsts if f.article_id in by_article]


CLAIMANT_PAGE_SIZE = 20


class ClaimantRecord(NamedTuple):
    claimant: dict[str, Any]  # as the newest snapshot on the page credits them
    claims: list[dict[str, Any]]  # snapshot entries plus their "article"
    page: pagination.Window  # of first publications, newest fact-check first


def claimant_record(slug: str, query: QueryDict) -> ClaimantRecord | None:
    """A claimant's published claims, read from the latest snapshots only.

    ``Claim.claimant`` and ``Claim.public_number`` say which published articles and
    claim numbers to read; what is shown comes from those articles' latest
    snapshots, and only the entries a snapshot itself credits to ``slug`` (a claimant
    changed since publication moves at the next publication). Paginated by article
    (``query``'s keyset cursor): three queries whatever the number of claims or
    fact-checks. None when nothing is published.
    """
    claims = Claim.objects.filter(
        claimant__slug=slug,
        public_number__isnull=False,
        article__state=ArticleState.PUBLISHED,
    )
    firsts = first_publications().filter(article_id__in=claims.values("article_id"))
    page = pagination.keyset(firsts, query, per_page=CLAIMANT_PAGE_SIZE)
    publications = with_latest(page)
    numbers: dict[int, set[int]] = {}
    ids = [p.article_id for p in publications]
    for article_id, n in claims.filter(article_id__in=ids).values_list(
        "article_id", "public_number"
    ):
        numbers.setdefault(article_id, set()).add(n)
    entries = [
        {**entry, "article": p.payload["article"]}
        for p in publications
        for entry in p.payload["claims"]
        if entry["n"] in numbers.get(p.article_id, ())
        and (entry.get("claimant") or {}).get("slug") == slug
    ]
    if not entries:
        return None
    return ClaimantRecord(entries[0]["claimant"], entries, page)


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
