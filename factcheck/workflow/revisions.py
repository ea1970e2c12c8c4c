"""A new version of an article's text, and an editor's word that a verdict still holds.

Invariants:

* every version of the text stays readable (``ArticleRevision``; the original
  becomes number 1 on the first revision) and ``article.body`` is the newest;
* claims are re-anchored by content and context (``factcheck.reanchor``), never
  by offset alone, and keep their work (sources, notes, verdicts, assignee,
  state); a claim whose sentence changed or vanished is flagged
  (``Claim.text_changed``) with the reviewed text kept in ``previous_text``;
  a vanished claim keeps its text and its work and is never deleted;
* new checkable sentences that no claim covers become new claims, scored like
  at ingestion; claims are renumbered 1..n in body order;
* the slow work (normalising, extraction, re-anchoring, embeddings) happens
  before the transaction; one audit event per call.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import audit, checked_before, ingest, reanchor
from ..audit import AuditAction
from ..claimants import speaker_turns, suggest_for
from ..models import Article, ArticleRevision, Claim, ClaimMatch, ClaimState, User
from .articles import _clean_metadata, claim_from_draft, create_article
from .base import begin, lock_article, save_claim
from .claimants import claimants_for
from .rules import Conflict, InvalidTransition, ensure

COUNTS = ("kept", "moved", "changed", "vanished", "new")
_CLAIM_FIELDS = ("pk", "start", "end", "text", "vanished", "state")


def current_revision(article: Article) -> int:
    """The number of the article's current text (1 until it is first revised)."""
    latest = article.revisions.order_by("-number").values_list("number", flat=True)
    return latest.first() or 1


def _old_claims(claims: list[dict]) -> tuple[list, list]:
    """Live and dismissed claims as ``OldClaim``s, anchored separately.

    A dismissed claim (say, merged into its neighbour) may overlap a live one, so
    it must not compete with it for the same text.
    """
    live, dismissed = [], []
    for row in claims:
        old = reanchor.OldClaim(
            row["pk"],
            row["start"],
            row["end"],
            row["text"] if row["vanished"] else None,
        )
        (dismissed if row["state"] == ClaimState.DISMISSED else live).append(old)
    return live, dismissed


def _anchor(old_body: str, claims: list[dict], new_body: str, sentences) -> dict:
    live, dismissed = _old_claims(claims)
    anchors = reanchor.reanchor(old_body, live, new_body, sentences)
    anchors += reanchor.reanchor(old_body, dismissed, new_body, sentences)
    return {a.key: a for a in anchors}


def _snapshot(article: Article) -> list[dict]:
    return list(article.claims.order_by("pk").values(*_CLAIM_FIELDS))


def ingest_article(
    *,
    actor: User,
    raw: bytes | str,
    filename: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> tuple[Article, ArticleRevision | None]:
    """A new article or, when its original URL is already on the desk, a new
    version of that article (outlets update stories after publication).

    Returns the article and the new revision (None for a new article). The newest
    article with that exact URL is the one revised.
    """
    url = str((metadata or {}).get("original_url") or "").strip()
    existing = (
        Article.objects.filter(original_url=url).order_by("-ingested_at", "-pk").first()
        if url
        else None
    )
    if existing is None:
        article = create_article(
            actor=actor, raw=raw, filename=filename, metadata=metadata
        )
        return article, None
    revision = revise_article(
        existing, actor=actor, raw=raw, filename=filename, metadata=metadata
    )
    return existing, revision


def revise_article(
    article: Article | int,
    *,
    actor: User,
    raw: bytes | str,
    filename: str | None = None,
    metadata: dict[str, Any] | None = None,
    version: int | None = None,
) -> ArticleRevision:
    """Store a new version of the article's text and re-anchor its claims.

    ``version``: the revision number the form or client was drawn at; a newer
    revision meanwhile is a ``Conflict``. ``metadata``: only the fields given
    change (title, outlet, author, original URL and date, language).
    """
    pk = article.pk if isinstance(article, Article) else article
    article = Article.objects.get(pk=pk)
    ensure(actor, "article.revise", article)
    given = dict(metadata or {})
    # Only the given fields that differ: the same text with the same details again
    # (a CMS pushing the story twice) is not a new version.
    meta = {
        k: v
        for k, v in _clean_metadata(given).items()
        if k in given and getattr(article, k) != v
    }
    try:
        prepared = ingest.prepare(raw, filename)
    except ingest.TextRefused as exc:
        raise ValidationError(exc.message) from None
    new_body = prepared.body
    # Slow, pure work before the lock: extraction, re-anchoring, embeddings.
    drafts = ingest.extract(prepared)
    sentences = [(d.start, d.end) for d in drafts]
    old_body, claims = article.body, _snapshot(article)
    anchors = _anchor(old_body, claims, new_body, sentences)
    checkable = [
        d for d in drafts if d.checkable and d.block not in ("title", "heading")
    ]

    with transaction.atomic():
        article = lock_article(article)
        ensure(actor, "article.revise", article)
        number = current_revision(article)
        if version is not None and int(version) != number:
            raise Conflict(
                f"Someone else stored version {number} of this article meanwhile; "
                "compare it with yours before sending it again.",
                current=article,
            )
        if article.body != old_body or _snapshot(article) != claims:
            # A claim edit landed between the read and the lock: anchor again.
            old_body, claims = article.body, _snapshot(article)
            anchors = _anchor(old_body, claims, new_body, sentences)
        if new_body == old_body and not meta:
            raise ValidationError("This text is the same as the current version.")
        revision = _store(article, actor, prepared, filename, number, anchors)
        counts, flags, new_claims = _apply(article, anchors, checkable, new_body)
        for name, value in meta.items():
            setattr(article, name, value)
        article.body = new_body
        article.source_format = prepared.source_format
        article.source_filename = (filename or "")[:255]
        article.warnings, article.repairs = prepared.warnings, prepared.repairs
        article.save()
        counts["new"] = new_claims
        revision.summary = counts
        revision.save(update_fields=["summary"])
        audit.record(
            actor,
            AuditAction.ARTICLE_REVISED,
            article=article,
            data={
                "revision": revision.number,
                **counts,
                "flagged": flags,
                "metadata": sorted(meta),
                "source_format": prepared.source_format,
                "filename": filename or "",
            },
        )
    return revision


def _store(article, actor, prepared, filename, number, anchors) -> ArticleRevision:
    if not article.revisions.exists():
        ArticleRevision.objects.create(
            article=article,
            number=1,
            body=article.body,
            source_format=article.source_format,
            source_filename=article.source_filename,
            created_by=article.ingested_by,
            created_at=article.ingested_at,
        )
    return ArticleRevision.objects.create(
        article=article,
        number=number + 1,
        body=prepared.body,
        source_format=prepared.source_format,
        source_filename=(filename or "")[:255],
        created_by=actor,
        created_at=timezone.now(),
    )


def _apply(article, anchors, checkable, new_body) -> tuple[dict, list, int]:
    """Move, flag and number the claims; add the new ones. Inside the transaction."""
    counts = dict.fromkeys(COUNTS[:-1], 0)
    flags = []
    claims = list(article.claims.select_for_update())
    changed_texts = [
        new_body[a.start : a.end] for a in anchors.values() if a.status == "changed"
    ]
    vectors = iter(checked_before.vectors_for(changed_texts))
    fields = {
        "start",
        "end",
        "text",
        "text_changed",
        "vanished",
        "previous_text",
        "vector",
        "version",
    }
    for claim in claims:
        anchor = anchors[claim.pk]
        counts[anchor.status] += 1
        if anchor.status == "kept":
            continue
        claim.version += 1
        if anchor.status == "moved":
            claim.start, claim.end = anchor.start, anchor.end
            claim.vanished = False  # a vanished claim's sentence came back verbatim
            continue
        flags.append(
            {"claim": claim.pk, "status": anchor.status, "how": anchor.how}
            | ({"similarity": anchor.similarity} if anchor.status == "changed" else {})
        )
        if not claim.text_changed:
            claim.previous_text = claim.text  # the text as reviewed
        claim.text_changed = True
        claim.start, claim.end = anchor.start, anchor.end
        if anchor.status == "changed":
            claim.text = new_body[anchor.start : anchor.end]
            claim.vector = next(vectors)
            claim.vanished = False
        else:
            claim.vanished = True
    # New sentences: checkable drafts no present claim covers.
    covered = [(c.start, c.end) for c in claims if not c.vanished]
    fresh = [
        d for d in checkable if not any(s < d.end and d.start < e for s, e in covered)
    ]
    added = _add_claims(article, fresh, new_body)
    everything = sorted([*claims, *added], key=lambda c: (c.start, c.pk))
    for n, claim in enumerate(everything, 1):
        claim.position = n
    Claim.objects.bulk_update(claims, [*fields, "position"], batch_size=500)
    Claim.objects.bulk_update(added, ["position"], batch_size=500)
    return counts, flags, len(added)


def _add_claims(article, drafts, body) -> list[Claim]:
    if not drafts:
        return []
    texts = [d.text for d in drafts]
    vectors = checked_before.vectors_for(texts)
    suggestions = checked_before.candidates(texts, vectors, exclude_article=article.pk)
    turns = speaker_turns(body)
    people = claimants_for([suggest_for(body, d.start, d.end, turns) for d in drafts])
    added = Claim.objects.bulk_create(
        [
            # Position 0: numbered with the others by the caller.
            claim_from_draft(article, d, 0, vector, claimant)
            for d, vector, claimant in zip(drafts, vectors, people, strict=True)
        ],
        batch_size=500,
    )
    ClaimMatch.objects.bulk_create(
        ClaimMatch(
            claim=added[c.index],
            earlier_id=c.earlier_id,
            imported_id=c.imported_id,
            score=c.score,
        )
        for c in suggestions
    )
    return added


def confirm_claim_text(
    claim: Claim | int, *, actor: User, note: str = "", expected_version=None
) -> Claim:
    """An editor confirms the claim's verdict still holds for its changed text.

    Clears the "text changed since review" flag, which lets the article be
    published again (``publish_article`` refuses an approved, flagged claim).
    """
    with transaction.atomic():
        claim, _ = begin(claim, actor, "claim.confirm_text", expected_version)
        if not claim.text_changed:
            raise InvalidTransition(
                "The claim's text has not changed since review: nothing to confirm."
            )
        before = claim.previous_text
        claim.text_changed = False
        claim.previous_text = ""
        save_claim(claim, "text_changed", "previous_text")
        audit.record(
            actor,
            AuditAction.CLAIM_TEXT_CONFIRMED,
            claim=claim,
            data={
                "previous_text": before,
                "text": claim.text,
                "vanished": claim.vanished,
                "note": (note or "").strip()[:2000],
            },
        )
    return claim


__all__ = ["confirm_claim_text", "current_revision", "revise_article"]
