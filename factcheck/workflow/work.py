"""The reviewer's working material and the editor's scheduling: sources, notes, due
times, and bulk actions over queue rows.

Invariants:
- sources and verdicts change only through the assignee or an editor ("claim.work"),
  and never while the claim is submitted, approved or dismissed;
- a source's URL is http(s) and appears once among a claim's live sources; removing a
  source is a soft delete (``removed_at``/``removed_by``) so history stays whole;
- adding a source or a note is additive: it neither checks nor bumps the claim's
  version, so it never turns someone's open verdict form stale; a due time is
  scheduling, not content, so it does not bump the version either;
- ``bulk_apply`` runs each row in its own transaction through the single-row function,
  so each row writes its own audit event and one failing row never undoes the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from .. import audit, capture
from ..audit import AuditAction
from ..models import Article, Claim, Note, Source, User
from .base import begin, lock_article
from .claims import assign_claim, dismiss_claim, release_claim
from .rules import EDIT, InvalidTransition, ensure

MAX_URL = 1000
MAX_TITLE = 300
MAX_PUBLISHER = 200
MAX_EXCERPT = 5_000
MAX_NOTE = 10_000

_http_url = URLValidator(schemes=["http", "https"])


def _clean_source(url: str, title: str, publisher: str, excerpt: str) -> tuple:
    url, title = (url or "").strip(), (title or "").strip()
    publisher, excerpt = (publisher or "").strip(), (excerpt or "").strip()
    problems = []
    if not url:
        problems.append("Give the source's URL.")
    elif len(url) > MAX_URL:
        problems.append(f"The URL is limited to {MAX_URL:,} characters.")
    else:
        try:
            _http_url(url)
        except ValidationError:
            problems.append("Only http:// and https:// web addresses can be sources.")
    if not title:
        problems.append("Give the source a title.")
    elif len(title) > MAX_TITLE:
        problems.append(f"The title is limited to {MAX_TITLE} characters.")
    if len(publisher) > MAX_PUBLISHER:
        problems.append(f"The publisher is limited to {MAX_PUBLISHER} characters.")
    if len(excerpt) > MAX_EXCERPT:
        problems.append(f"The excerpt is limited to {MAX_EXCERPT:,} characters.")
    if problems:
        raise ValidationError(problems)
    return url, title, publisher, excerpt


def add_source(
    claim: Claim | int,
    *,
    actor: User,
    url: str,
    title: str,
    publisher: str = "",
    excerpt: str = "",
    accessed_on: date | None = None,
) -> Source:
    """Attach a piece of evidence to the claim (assignee or editor, while in work)."""
    url, title, publisher, excerpt = _clean_source(url, title, publisher, excerpt)
    with transaction.atomic():
        claim, _ = begin(claim, actor, "claim.work")
        if claim.sources.filter(url=url, removed_at__isnull=True).exists():
            raise ValidationError("This URL is already a source of the claim.")
        source = Source.objects.create(
            claim=claim,
            url=url,
            title=title,
            publisher=publisher,
            excerpt=excerpt,
            accessed_on=accessed_on or timezone.localdate(),
            added_by=actor,
        )
        if capture.enabled():  # decided now: a pause covers the sources added in it
            transaction.on_commit(partial(capture.enqueue, source.pk))
        audit.record(
            actor,
            AuditAction.SOURCE_ADDED,
            claim=claim,
            data={"source": source.pk, "url": url, "title": title},
        )
    return source


def remove_source(source: Source | int, *, actor: User) -> Source:
    """Take a source off the claim (soft: it stays in the history)."""
    pk = source.pk if isinstance(source, Source) else source
    with transaction.atomic():
        source = Source.objects.select_for_update().get(pk=pk)
        claim, _ = begin(source.claim_id, actor, "claim.work")
        if source.removed_at is not None:
            raise InvalidTransition("This source was already removed.")
        source.removed_at, source.removed_by = timezone.now(), actor
        source.save(update_fields=["removed_at", "removed_by"])
        audit.record(
            actor,
            AuditAction.SOURCE_REMOVED,
            claim=claim,
            data={"source": source.pk, "url": source.url, "title": source.title},
        )
    return source


def add_note(claim: Claim | int, *, actor: User, body: str) -> Note:
    """Add an internal note (Markdown, stored raw, sanitised when rendered)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write the note first.")
    if len(body) > MAX_NOTE:
        raise ValidationError(f"A note is limited to {MAX_NOTE:,} characters.")
    with transaction.atomic():
        claim, _ = begin(claim, actor, "claim.note")
        note = Note.objects.create(claim=claim, author=actor, body=body)
        audit.record(
            actor,
            AuditAction.NOTE_ADDED,
            claim=claim,
            data={"note": note.pk, "body": body},
        )
    return note


def set_claim_due(
    claim: Claim | int,
    *,
    actor: User,
    due_at: datetime | None,
    expected_version: int | None = None,
) -> Claim:
    """An editor sets (or clears, with None) the claim's own due time."""
    with transaction.atomic():
        claim, _ = begin(claim, actor, "claim.set_due", expected_version)
        before = claim.due_at
        if before == due_at:
            return claim
        claim.due_at = due_at
        # Scheduling is not content: no version bump, so no open form turns stale.
        claim.save(update_fields=["due_at", "updated_at"])
        audit.record(
            actor,
            AuditAction.CLAIM_DUE_SET,
            claim=claim,
            data={"before": before, "after": due_at},
        )
    return claim


def set_article_due(
    article: Article | int, *, actor: User, due_at: datetime | None
) -> Article:
    """An editor sets the due time of a whole article; its claims inherit it."""
    with transaction.atomic():
        article = lock_article(article)
        ensure(actor, "article.set_due", article)
        before = article.due_at
        if before == due_at:
            return article
        article.due_at = due_at
        article.save(update_fields=["due_at", "updated_at"])
        audit.record(
            actor,
            AuditAction.ARTICLE_DUE_SET,
            article=article,
            data={"before": before, "after": due_at},
        )
    return article


@dataclass(frozen=True)
class BulkResult:
    claim_id: int
    label: str
    ok: bool
    message: str


BULK_OPERATIONS = ("assign", "release", "dismiss", "set_due")


def _bulk_one(claim: Claim, actor: User, operation: str, version, params) -> str:
    if operation == "assign":
        assignee = params["assignee"]
        assign_claim(claim, actor=actor, assignee=assignee, expected_version=version)
        return f"Assigned to {assignee}."
    if operation == "release":
        release_claim(claim, actor=actor, expected_version=version)
        return "Released."
    if operation == "dismiss":
        dismiss_claim(
            claim,
            actor=actor,
            reason=params.get("reason", ""),
            expected_version=version,
        )
        return "Dismissed."
    due_at = params.get("due_at")
    set_claim_due(claim, actor=actor, due_at=due_at, expected_version=version)
    return f"Due {due_at:%d %b %H:%M}." if due_at else "Due time cleared."


def bulk_apply(
    claims_ids,
    *,
    actor: User,
    operation: str,
    versions: dict[int, int] | None = None,
    **params: Any,
) -> list[BulkResult]:
    """Apply one editor operation to many claims, row by row.

    Each row is its own transaction and audit event (the single-row functions do
    both); a row that fails (stale version, wrong state, no permission) is reported
    by name and the others still apply. ``versions`` maps claim ids to the version
    the editor saw, so a row someone changed meanwhile is refused, not overwritten.
    """
    if operation not in BULK_OPERATIONS:
        raise ValidationError(f"Unknown bulk operation “{operation}”.")
    if not actor.has_perm(EDIT):
        raise PermissionDenied("Only editors apply bulk actions.")
    if operation == "assign" and params.get("assignee") is None:
        raise ValidationError("Choose whom to assign the claims to.")
    ids = list(dict.fromkeys(int(pk) for pk in claims_ids))
    claims = Claim.objects.in_bulk(ids)
    versions = versions or {}
    results = []
    for pk in ids:
        claim = claims.get(pk)
        if claim is None:
            results.append(BulkResult(pk, f"#{pk}", False, "No such claim."))
            continue
        label = f"#{pk} {claim}"
        try:
            message = _bulk_one(claim, actor, operation, versions.get(pk), params)
        except ValidationError as exc:
            results.append(BulkResult(pk, label, False, " ".join(exc.messages)))
        except (InvalidTransition, PermissionDenied) as exc:
            results.append(BulkResult(pk, label, False, str(exc) or "Not allowed."))
        else:
            results.append(BulkResult(pk, label, True, message))
    return results


__all__ = [
    "BULK_OPERATIONS",
    "BulkResult",
    "add_note",
    "add_source",
    "bulk_apply",
    "remove_source",
    "set_article_due",
    "set_claim_due",
]
