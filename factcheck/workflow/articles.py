"""Articles in, claims out: ingestion and the span edits a reviewer makes before review.

Invariants kept by every function here:

* ``article.body[c.start:c.end] == c.text`` for every claim, and ``c.text`` has no
  leading or trailing whitespace;
* an article's claims are numbered 1..n by ``position`` in body order (``start``);
* rows are never deleted: a merged claim is dismissed with "merged into #<id>";
* one transaction and exactly one audit event per call; a refused ingestion stores
  nothing at all (the text is read and checked before the transaction starts).
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import Http404
from django.utils.dateparse import parse_date
from django.utils.text import slugify

from .. import audit, checked_before, checkworthiness, ingest
from ..audit import AuditAction
from ..claimants import speaker_turns, suggest_for
from ..models import Article, Claim, ClaimKind, ClaimMatch, ClaimState, User
from .base import begin, lock_article, save_claim
from .claimants import claimants_for
from .rules import ensure

# A claim is a sentence or a few; a longer span is a selection gone wrong.
MAX_CLAIM_CHARS = 5_000
SLUG_MAX = 120
DERIVED_TITLE_MAX = 120
_METADATA_FIELDS = {
    "title": 300,
    "outlet": 200,
    "author": 200,
    "original_url": 500,
    "original_published_on": None,
    "language": 12,
}
_SCORED_FIELDS = ("text", "start", "end", "score", "kind", "reasons", "vector")


# --------------------------------------------------------------------------------
# Ingestion


def _clean_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    unknown = set(metadata) - set(_METADATA_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown article fields: {', '.join(sorted(unknown))}.")
    clean: dict[str, Any] = {}
    title_max = int(settings.FACTCHECK.get("MAX_TITLE_LENGTH") or 300)
    for name, limit in _METADATA_FIELDS.items():
        value = metadata.get(name)
        if name == "original_published_on":
            if isinstance(value, str) and value.strip():
                parsed = parse_date(value.strip())
                if parsed is None:
                    raise ValidationError("The publication date must be YYYY-MM-DD.")
                value = parsed
            clean[name] = value if isinstance(value, date) else None
            continue
        value = " ".join(str(value or "").split())
        limit = title_max if name == "title" else limit
        if len(value) > limit:
            label = name.replace("_", " ")
            raise ValidationError(
                f"The {label} is {len(value)} characters; the limit is {limit}."
            )
        clean[name] = value
    if clean["original_url"]:
        URLValidator(schemes=["http", "https"], message="Enter an http(s) URL.")(
            clean["original_url"]
        )
    clean["language"] = clean["language"] or "en"
    return clean


def _derived_title(prepared: ingest.Prepared, drafts) -> str:
    """The text's own title line, else its first line, shortened to fit."""
    if prepared.title:
        line = prepared.title
    else:
        titled = next((d for d in drafts if d.block == "title"), None)
        line = titled.text if titled else prepared.body.split("\n", 1)[0]
    line = " ".join(line.split())
    if len(line) > DERIVED_TITLE_MAX:
        line = line[: DERIVED_TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"
    return line or "Untitled article"


def _unique_slug(title: str) -> str:
    base = slugify(title)[: SLUG_MAX - 8].strip("-") or "article"
    slug = base
    while Article.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def _kind(value: str) -> str:
    return value if value in ClaimKind.values else ClaimKind.OTHER


def _clamp(score: float) -> float:
    return min(1.0, max(0.0, float(score)))


def claim_from_draft(article: Article, draft, position: int, vector, claimant) -> Claim:
    """An unsaved claim for an extraction draft (ingestion and new versions)."""
    return Claim(
        article=article,
        position=position,
        text=draft.text,
        start=draft.start,
        end=draft.end,
        heading=(draft.heading or "")[:300],
        kind=_kind(draft.kind),
        score=_clamp(draft.score),
        reasons=list(draft.reasons),
        vector=vector,
        claimant=claimant,
    )


def create_article(
    *,
    actor: User,
    raw: bytes | str,
    filename: str | None = None,
    metadata: dict[str, Any],
    lines: bool = False,
    threshold: float | None = None,
) -> Article:
    """Ingest a text: normalise, store the article, one claim per checkable sentence.

    Refusals (``ValidationError``) leave the database untouched.
    """
    ensure(actor, "article.create", Article())
    meta = _clean_metadata(metadata)
    try:
        prepared = ingest.prepare(raw, filename)
    except ingest.TextRefused as exc:
        raise ValidationError(exc.message) from None
    # Extraction is pure CPU work: done before the transaction so no lock waits on it.
    drafts = ingest.extract(prepared, lines=lines, threshold=threshold)
    checkable = [
        d for d in drafts if d.checkable and d.block not in ("title", "heading")
    ]
    title = meta.pop("title") or _derived_title(prepared, drafts)
    # Vectors and "checked before?" suggestions: reads and CPU, before the lock.
    texts = [d.text for d in checkable]
    vectors = checked_before.vectors_for(texts)
    suggestions = checked_before.candidates(texts, vectors)
    duplicates = checked_before.near_duplicates(texts, vectors)
    # Who made each claim: its transcript speaker or its attribution (pure, fast).
    turns = speaker_turns(prepared.body)
    suggested = [suggest_for(prepared.body, d.start, d.end, turns) for d in checkable]
    with transaction.atomic():
        article = Article(
            title=title,
            slug=_unique_slug(title),
            body=prepared.body,
            source_format=prepared.source_format,
            source_filename=(filename or "")[:255],
            warnings=prepared.warnings,
            repairs=prepared.repairs,
            ingested_by=actor,
            **meta,
        )
        article.save()
        people = claimants_for(suggested)
        claims = Claim.objects.bulk_create(
            [
                claim_from_draft(article, d, n, vector, claimant)
                for n, (d, vector, claimant) in enumerate(
                    zip(checkable, vectors, people, strict=True), 1
                )
            ],
            batch_size=500,
        )
        for later, earlier in duplicates.items():
            claims[later].duplicate_of = claims[earlier]
        Claim.objects.bulk_update(
            [claims[i] for i in duplicates], ["duplicate_of"], batch_size=500
        )
        ClaimMatch.objects.bulk_create(
            ClaimMatch(
                claim=claims[c.index],
                earlier_id=c.earlier_id,
                imported_id=c.imported_id,
                score=c.score,
            )
            for c in suggestions
        )
        audit.record(
            actor,
            AuditAction.ARTICLE_CREATED,
            article=article,
            data={
                "claims": len(checkable),
                "checked_before": len({c.index for c in suggestions}),
                "near_duplicates": len(duplicates),
                "claimants": sum(1 for p in people if p is not None),
                "warnings": len(prepared.warnings),
                "repairs": len(prepared.repairs),
                "source_format": prepared.source_format,
                "filename": filename or "",
            },
        )
    return article


# --------------------------------------------------------------------------------
# Claim spans


def _span(body: str, start: int, end: int) -> tuple[int, int]:
    """Validate a span of ``body`` and trim its surrounding whitespace."""
    try:
        start, end = int(start), int(end)
    except (TypeError, ValueError):
        raise ValidationError("The span must be two character offsets.") from None
    if not (0 <= start < end <= len(body)):
        raise ValidationError(
            f"The span {start}–{end} is outside the article text (0–{len(body)})."
        )
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    if start == end:
        raise ValidationError("The selected text is empty.")
    if end - start > MAX_CLAIM_CHARS:
        raise ValidationError(
            f"A claim is limited to {MAX_CLAIM_CHARS:,} characters; select less text."
        )
    return start, end


def _describe(claim: Claim) -> dict[str, Any]:
    return {"start": claim.start, "end": claim.end, "text": claim.text}


def _rescore(claim: Claim, body: str, start: int, end: int) -> None:
    claim.start, claim.end, claim.text = start, end, body[start:end]
    claim.vector = checked_before.vectors_for([claim.text])[0]
    assessment = checkworthiness.score(claim.text)
    claim.score = _clamp(assessment.score)
    claim.kind = _kind(assessment.kind)
    claim.reasons = list(assessment.reasons)


def _refuse_overlap(article: Article, start: int, end: int, *exclude: int) -> None:
    """Live claims never overlap: each stays highlightable in place."""
    clash = (
        article.claims.exclude(state=ClaimState.DISMISSED)
        .exclude(pk__in=exclude)
        .filter(start__lt=end, end__gt=start)
        .order_by("start")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            f"That text overlaps claim #{clash.position} (“{clash}”): edit or merge "
            "that claim instead."
        )


def _article_id(claim: Claim | int) -> int:
    """The claim's article, read first so the article can be locked before the claim.

    Locking the article first serialises the span edits of one article, which
    renumber its claims; a forged id is a 404 like any other missing claim.
    """
    if isinstance(claim, Claim):
        return claim.article_id
    try:
        return Claim.objects.values_list("article_id", flat=True).get(pk=int(claim))
    except (Claim.DoesNotExist, TypeError, ValueError):
        raise Http404("No such claim.") from None


def _renumber(article: Article) -> None:
    """Positions 1..n in body order, after a claim was added, split or merged."""
    claims = list(article.claims.order_by("start", "pk").only("pk", "position"))
    changed = []
    for n, claim in enumerate(claims, start=1):
        if claim.position != n:
            claim.position = n
            changed.append(claim)
    Claim.objects.bulk_update(changed, ["position"], batch_size=500)


def edit_claim(
    claim: Claim | int,
    *,
    actor: User,
    start: int,
    end: int,
    expected_version: int | None = None,
) -> Claim:
    """Move a claim's span; its text becomes the body at the trimmed span, re-scored."""
    with transaction.atomic():
        article = lock_article(_article_id(claim))
        claim, _ = begin(claim, actor, "claim.edit", expected_version)
        body = article.body
        start, end = _span(body, start, end)
        if (start, end) == (claim.start, claim.end):
            raise ValidationError("The span is unchanged.")
        _refuse_overlap(article, start, end, claim.pk)
        before = _describe(claim)
        _rescore(claim, body, start, end)
        save_claim(claim, *_SCORED_FIELDS)
        # A span may move past a neighbour: keep positions in body order.
        _renumber(article)
        audit.record(
            actor,
            AuditAction.CLAIM_EDITED,
            claim=claim,
            data={"before": before, "after": _describe(claim)},
        )
    claim.refresh_from_db(fields=["position"])
    return claim


def split_claim(
    claim: Claim | int,
    *,
    actor: User,
    at: int,
    expected_version: int | None = None,
) -> tuple[Claim, Claim]:
    """Cut a claim in two at body offset ``at``; the second part is a new open claim."""
    with transaction.atomic():
        article = lock_article(_article_id(claim))
        claim, _ = begin(claim, actor, "claim.edit", expected_version)
        try:
            at = int(at)
        except (TypeError, ValueError):
            raise ValidationError("Say where to split the claim.") from None
        if not claim.start < at < claim.end:
            raise ValidationError("The split point must lie inside the claim's text.")
        body = article.body
        if not body[claim.start : at].strip() or not body[at : claim.end].strip():
            raise ValidationError("Both parts of a split claim need some text.")
        before = _describe(claim)
        first_span = _span(body, claim.start, at)
        second_span = _span(body, at, claim.end)
        second = Claim(
            article=article,
            position=claim.position + 1,
            heading=claim.heading,
            added_by_hand=claim.added_by_hand,
            claimant_id=claim.claimant_id,  # both parts were said by the same one
        )
        _rescore(second, body, *second_span)
        second.save()
        _rescore(claim, body, *first_span)
        save_claim(claim, *_SCORED_FIELDS)
        _renumber(article)
        audit.record(
            actor,
            AuditAction.CLAIM_SPLIT,
            claim=claim,
            data={
                "before": before,
                "after": [_describe(claim), _describe(second)],
                "new_claim": second.pk,
            },
        )
    claim.refresh_from_db(fields=["position"])
    second.refresh_from_db(fields=["position"])
    return claim, second


def merge_claims(
    first: Claim | int,
    second: Claim | int,
    *,
    actor: User,
    expected_version: int | None = None,
) -> Claim:
    """Join two neighbouring claims into ``first``; ``second`` is dismissed as merged.

    ``expected_version`` is the version of ``first`` the form was drawn from.
    """
    first_pk = first.pk if isinstance(first, Claim) else int(first)
    second_pk = second.pk if isinstance(second, Claim) else int(second)
    if first_pk == second_pk:
        raise ValidationError("A claim cannot be merged with itself.")
    with transaction.atomic():
        article_ids = set(
            Claim.objects.filter(pk__in=[first_pk, second_pk]).values_list(
                "article_id", flat=True
            )
        )
        if len(article_ids) != 1:
            raise ValidationError("Only claims of the same article can be merged.")
        article = lock_article(article_ids.pop())
        first, _ = begin(first_pk, actor, "claim.edit", expected_version)
        second, _ = begin(second_pk, actor, "claim.edit")
        start, end = min(first.start, second.start), max(first.end, second.end)
        between = (
            article.claims.exclude(state=ClaimState.DISMISSED)
            .exclude(pk__in=[first.pk, second.pk])
            .filter(start__lt=end, end__gt=start)
        )
        if between.exists():
            raise ValidationError("Only neighbouring claims can be merged.")
        start, end = _span(article.body, start, end)
        before = [_describe(first), _describe(second)]
        _rescore(first, article.body, start, end)
        save_claim(first, *_SCORED_FIELDS)
        second.state, second.assignee = ClaimState.DISMISSED, None
        second.dismissed_reason = f"merged into #{first.pk}"
        save_claim(second, "state", "assignee", "dismissed_reason")
        _renumber(article)
        audit.record(
            actor,
            AuditAction.CLAIMS_MERGED,
            claim=first,
            data={
                "before": before,
                "after": _describe(first),
                "merged_claim": second.pk,
            },
        )
    first.refresh_from_db(fields=["position"])
    return first


def add_claim(article: Article | int, *, actor: User, start: int, end: int) -> Claim:
    """Add a claim by hand from a selection of the article text (scored like others)."""
    with transaction.atomic():
        article = lock_article(article)
        ensure(actor, "article.add_claim", article)
        start, end = _span(article.body, start, end)
        _refuse_overlap(article, start, end)
        previous = article.claims.filter(start__lt=start).order_by("-start").first()
        claim = Claim(
            article=article,
            position=(previous.position + 1) if previous else 1,
            heading=previous.heading if previous else "",
            added_by_hand=True,
        )
        _rescore(claim, article.body, start, end)
        claim.claimant = claimants_for([suggest_for(article.body, start, end)])[0]
        claim.save()
        _renumber(article)
        claim.refresh_from_db(fields=["position"])
        audit.record(
            actor,
            AuditAction.CLAIM_ADDED,
            claim=claim,
            data={"after": _describe(claim), "score": claim.score, "kind": claim.kind},
        )
    return claim
