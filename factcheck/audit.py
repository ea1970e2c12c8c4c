"""Writing and verifying the audit trail.

``record()`` is the only way an ``AuditEvent`` is created. It must run inside the
transaction that makes the change it describes, so the change and its event commit
or roll back together. Events form a hash chain in id order: each stores the SHA-256
of its canonical content, which includes the previous event's hash. Appends are
serialised (an advisory lock on PostgreSQL; SQLite transactions already are), so the
chain has no forks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from .middleware import request_id_var
from .models import AuditEvent

GENESIS = "0" * 64
_LOCK_KEY = 0x46434B41  # any constant: the advisory lock that orders appends


class AuditAction(models.TextChoices):
    ARTICLE_CREATED = "article.created", "ingested the article"
    ARTICLE_EDITED = "article.edited", "edited the article details"
    ARTICLE_DUE_SET = "article.due_set", "set the article's due time"
    CLAIMS_EXTRACTED = "claims.extracted", "extracted claims"
    CLAIM_ADDED = "claim.added", "added a claim"
    CLAIM_EDITED = "claim.edited", "edited the claim"
    CLAIM_SPLIT = "claim.split", "split the claim"
    CLAIMS_MERGED = "claims.merged", "merged claims"
    CLAIM_DISMISSED = "claim.dismissed", "dismissed the claim"
    CLAIM_RESTORED = "claim.restored", "restored the claim"
    CLAIM_TAKEN = "claim.taken", "took the claim"
    CLAIM_RELEASED = "claim.released", "released the claim"
    CLAIM_ASSIGNED = "claim.assigned", "assigned the claim"
    CLAIM_DUE_SET = "claim.due_set", "set the claim's due time"
    CLAIM_REOPENED = "claim.reopened", "reopened the claim"
    SOURCE_ADDED = "source.added", "added a source"
    SOURCE_REMOVED = "source.removed", "removed a source"
    NOTE_ADDED = "note.added", "added a note"
    MATCH_CONFIRMED = "match.confirmed", "confirmed an earlier check of the same claim"
    MATCH_REJECTED = "match.rejected", "said an earlier check is not the same claim"
    FACTCHECKS_IMPORTED = "factchecks.imported", "imported fact-checks from elsewhere"
    VERDICT_SAVED = "verdict.saved", "saved a draft verdict"
    VERDICT_SUBMITTED = "verdict.submitted", "submitted the verdict"
    VERDICT_APPROVAL_RECORDED = "verdict.approval_recorded", "approved the verdict"
    VERDICT_APPROVED = "verdict.approved", "approved the verdict (final)"
    VERDICT_RETURNED = "verdict.returned", "returned the verdict"
    ARTICLE_PUBLISHED = "article.published", "published the fact-check"
    ARTICLE_REPUBLISHED = "article.republished", "published a correction"
    ARTICLE_UNPUBLISHED = "article.unpublished", "unpublished the fact-check"
    ERROR_REPORT_RECEIVED = "error_report.received", "reported an error"
    ERROR_REPORT_HANDLED = "error_report.handled", "handled an error report"
    USER_CREATED = "user.created", "created the user"
    USER_INVITED = "user.invited", "invited the user"
    USER_ROLE_CHANGED = "user.role_changed", "changed the user's role"
    USER_DEACTIVATED = "user.deactivated", "deactivated the user"
    USER_REACTIVATED = "user.reactivated", "reactivated the user"
    USER_PASSWORD_RESET_SENT = "user.password_reset_sent", "sent a password reset"
    USER_PASSWORD_SET = "user.password_set", "set their password"
    RATING_CREATED = "rating.created", "added a rating to the scale"
    RATING_CHANGED = "rating.changed", "changed a rating of the scale"
    TOKEN_CREATED = "token.created", "created an API token"
    TOKEN_REVOKED = "token.revoked", "revoked an API token"


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(
        fields,
        cls=DjangoJSONEncoder,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def _content(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.astimezone(UTC).isoformat(),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "article": event.article_id,
        "claim": event.claim_id,
        "subject_user": event.subject_user_id,
        "summary": event.summary,
        "data": event.data,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
    }


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(_content(event))).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def record(
    actor,
    action: AuditAction | str,
    *,
    article=None,
    claim=None,
    subject_user=None,
    summary: str = "",
    data: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event; call it inside the transaction of the change it records."""
    assert transaction.get_connection().in_atomic_block, (
        "audit.record() must run inside the transaction of the change"
    )
    if claim is not None and article is None:
        article = claim.article
    _lock_chain()
    last = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
    # A JSON round trip now, so the hash is computed over what the database returns.
    clean_data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    event = AuditEvent(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label
        or (actor.get_username() if getattr(actor, "pk", None) else "system"),
        action=str(action),
        article=article,
        claim=claim,
        subject_user=subject_user,
        summary=(summary or str(claim or article or subject_user or ""))[:300],
        data=clean_data,
        request_id=request_id_var.get(),
        prev_hash=last or GENESIS,
    )
    event.hash = compute_hash(event)
    event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str


def verify_chain(batch_size: int = 2000) -> Iterator[ChainBreak]:
    """Walk the chain in id order and yield each break (the first is the culprit)."""
    expected_prev = GENESIS
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=batch_size):
        if event.prev_hash != expected_prev:
            yield ChainBreak(
                event.pk,
                "its previous-hash link does not match the event before it "
                "(an event was removed or inserted out of order)",
            )
        elif compute_hash(event) != event.hash:
            yield ChainBreak(event.pk, "its content does not match its hash (altered)")
        expected_prev = event.hash


def describe(event: AuditEvent) -> str:
    """A readable sentence: "ana returned the verdict: needs a primary source"."""
    try:
        verb = AuditAction(event.action).label
    except ValueError:
        verb = event.action
    sentence = f"{event.actor_label} {verb}"
    detail = (event.data or {}).get("comment") or (event.data or {}).get("reason")
    return f"{sentence}: {detail}" if detail else sentence
