"""Writing and verifying the audit trail.

``record()`` is the only way an ``AuditEvent`` is created. It must run inside the
transaction that makes the change it describes, so the change and its event commit
or roll back together. Events form a hash chain in id order: each stores the SHA-256
of its canonical content, which includes the previous event's hash. Appends are
serialised (an advisory lock on PostgreSQL; SQLite transactions already are), so the
chain has no forks. That lock is global and held until the commit, so every writer
waits while one holds it: ``record()`` prepares all it can before taking it, a
write records its event as its last statement, and nothing slow (email, rendering,
counting) runs between the event and the commit.

The chain proves itself whole from the first event to the last one it finds, so
cutting off the newest events would leave a valid, shorter chain. The head (the
newest event's hash and how many events lead up to it) is therefore announced
outside the database: logged on ``factcheck.audit.head`` after every commit that
appended events (never for a rollback), shown on the audit page, printed by
``manage.py audit_head`` (HMAC-signed under ``FACTCHECK_AUDIT_HEAD_KEY``), and
checked by ``verify_audit --head HASH --count N``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from .middleware import request_id_var
from .models import AuditEvent

GENESIS = "0" * 64
_LOCK_KEY = 0x46434B41  # any constant: the advisory lock that orders appends
head_log = logging.getLogger("factcheck.audit.head")

# The API token the current request authenticated with (``api.TokenAuth`` sets it,
# the API's URL wrapper resets it after each request). Every event recorded meanwhile
# names the token and its creator in ``data["via_token"]``, inside the hashed content.
api_token_var: ContextVar[Any] = ContextVar("api_token", default=None)


class AuditAction(models.TextChoices):
    ARTICLE_CREATED = "article.created", "ingested the article"
    ARTICLE_EDITED = "article.edited", "edited the article details"
    ARTICLE_DUE_SET = "article.due_set", "set the article's due time"
    ARTICLE_REVISED = "article.revised", "ingested a new version of the article"
    CLAIM_TEXT_CONFIRMED = (
        "claim.text_confirmed",
        "confirmed the verdict still holds for the changed text",
    )
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
    CLAIMANT_SET = "claim.claimant_set", "set who made the claim"
    SOURCE_ADDED = "source.added", "added a source"
    SOURCE_REMOVED = "source.removed", "removed a source"
    SOURCE_CAPTURED = "source.captured", "captured a source's page"
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
    SERVICE_ACCOUNT_CREATED = "service_account.created", "created a service account"
    RATING_CREATED = "rating.created", "added a rating to the scale"
    RATING_CHANGED = "rating.changed", "changed a rating of the scale"
    TOKEN_CREATED = "token.created", "created an API token"
    TOKEN_REVOKED = "token.revoked", "revoked an API token"
    WEBHOOK_CREATED = "webhook.created", "added a webhook"
    WEBHOOK_CHANGED = "webhook.changed", "changed a webhook"
    WEBHOOK_DISABLED = "webhook.disabled", "disabled a webhook"
    WEBHOOK_REDELIVERED = "webhook.redelivered", "redelivered a webhook event"
    PUBLISHER_CHANGED = "publisher.changed", "changed the publisher's details"
    PUBLIC_PAGE_CHANGED = "public_page.changed", "changed a public transparency page"
    TWO_FACTOR_ENABLED = "two_factor.enabled", "turned on two-factor sign-in"
    TWO_FACTOR_DISABLED = "two_factor.disabled", "turned off two-factor sign-in"
    RECOVERY_CODES_REGENERATED = (
        "two_factor.recovery_codes_regenerated",
        "replaced their recovery codes",
    )
    RECOVERY_CODE_USED = (
        "two_factor.recovery_code_used",
        "signed in with a recovery code",
    )
    TWO_FACTOR_POLICY_CHANGED = (
        "two_factor_policy.changed",
        "changed who must use two-factor sign-in",
    )


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


def _lock_and_read_last() -> tuple[int, str] | None:
    """Take the chain's lock, then read the newest event's (id, hash).

    On PostgreSQL in one round trip, as two statements sent together (no parameters,
    so psycopg sends them as one simple query): the read takes its snapshot after
    the lock is granted, so it sees what the previous holder committed.
    """
    if connection.vendor != "postgresql":
        _lock_chain()
        return AuditEvent.objects.order_by("-pk").values_list("pk", "hash").first()
    meta, quote = AuditEvent._meta, connection.ops.quote_name
    pk, digest = quote(meta.pk.column), quote(meta.get_field("hash").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pg_advisory_xact_lock({int(_LOCK_KEY)}); "
            f"SELECT {pk}, {digest} FROM {quote(meta.db_table)} "
            f"ORDER BY {pk} DESC LIMIT 1"
        )
        cursor.nextset()
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


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
    """Append one event; call it inside the transaction of the change it records,
    as that transaction's last statement (it takes the chain's lock until commit)."""
    assert transaction.get_connection().in_atomic_block, (
        "audit.record() must run inside the transaction of the change"
    )
    if claim is not None and article is None:
        article = claim.article
    data = dict(data or {})
    token = api_token_var.get()
    if token is not None:
        data["via_token"] = _token_snapshot(token)
    person = actor if getattr(actor, "pk", None) else None
    # Everything but the link to the previous event is settled before the lock.
    event = AuditEvent(
        actor=person,
        actor_label=actor_label or (person.get_username() if person else "system"),
        action=str(action),
        article=article,
        claim=claim,
        subject_user=subject_user,
        summary=(summary or str(claim or article or subject_user or ""))[:300],
        # A JSON round trip now, so the hash is computed over what the database returns.
        data=json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
        request_id=request_id_var.get(),
    )
    last = _lock_and_read_last()
    event.at = timezone.now()  # under the lock, so times never run against ids
    event.prev_hash = last[1] if last else GENESIS
    event.hash = compute_hash(event)
    event.save(force_insert=True)
    _announce_after_commit(_Appended(event.pk, event.hash, event.at, last))
    return event


def append_many(rows: list[dict[str, Any]]) -> int:
    """Append prepared events, oldest first, in one go: for bulk loads only.

    Each row holds an event's fields except the chain's (``prev_hash``, ``hash``).
    Like ``record``, call it as the last statement of the transaction that writes
    what the events describe: it holds the chain's lock until that commits.
    """
    assert transaction.get_connection().in_atomic_block, (
        "audit.append_many() must run inside the transaction of the change"
    )
    last = _lock_and_read_last()
    previous = last[1] if last else GENESIS
    events = []
    for fields in rows:
        event = AuditEvent(**fields, prev_hash=previous)
        event.hash = previous = compute_hash(event)
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    return len(events)


def _token_snapshot(token) -> dict[str, Any]:
    """What an event keeps about the token a write came through (ids and names)."""
    return {
        "id": token.pk,
        "name": token.name,
        "created_by": token.created_by_id,
        "created_by_label": token.created_by.get_username(),
        "service_account": token.user.is_service_account,
    }


# --- The chain's head -----------------------------------------------------------------


@dataclass(frozen=True)
class ChainHead:
    """The newest event's hash and how many events the chain holds up to it."""

    hash: str
    count: int
    event_id: int | None = None
    at: datetime | None = None

    def __str__(self) -> str:
        return f"Chain head: {self.hash} after {self.count} events"

    def message(self) -> str:
        """The exact bytes an HMAC signs (also what verify_audit checks)."""
        return f"factcheck-audit-head:v1:{self.hash}:{self.count}"

    def signature(self) -> str | None:
        """HMAC-SHA256 of ``message()`` under FACTCHECK_AUDIT_HEAD_KEY, or None."""
        return sign_head(self.hash, self.count)

    def as_dict(self) -> dict[str, Any]:
        return {
            "hash": self.hash,
            "count": self.count,
            "event_id": self.event_id,
            "at": self.at.astimezone(UTC).isoformat() if self.at else None,
            "signature": self.signature(),
        }


def sign_head(head_hash: str, count: int) -> str | None:
    key = settings.FACTCHECK.get("AUDIT_HEAD_KEY") or ""
    if not key:
        return None
    message = ChainHead(head_hash, count).message().encode()
    return "hmac-sha256:" + hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class _Known:
    """A fact this process learnt: ``count`` events have an id up to ``pk``."""

    pk: int
    hash: str
    count: int


_known: _Known | None = None


def _remember(pk: int, event_hash: str, count: int) -> None:
    global _known
    _known = _Known(pk, event_hash, count)


def _count_through(pk: int, event_hash: str) -> int:
    """How many events have an id up to ``pk`` (the event with ``event_hash``).

    Ids are not positions (a rolled-back insert burns a PostgreSQL sequence value),
    and a COUNT over the whole table on every append grows with the archive. So the
    process remembers the last head it saw and counts only the events after it: no
    query at all when nobody else appended meanwhile, one index range otherwise. The
    remembered event must still exist with the same hash (a rollback, or a test's
    flush, makes it vanish); if not, it counts once in full.
    """
    known = _known
    if known is not None and known.pk == pk and known.hash == event_hash:
        return known.count
    count = None
    if known is not None and known.pk < pk:
        span = AuditEvent.objects.filter(pk__gte=known.pk, pk__lte=pk).aggregate(
            n=Count("pk"), anchor=Count("pk", filter=Q(pk=known.pk, hash=known.hash))
        )
        if span["anchor"] == 1:
            count = known.count + span["n"] - 1
    if count is None:
        count = AuditEvent.objects.filter(pk__lte=pk).count()
    _remember(pk, event_hash, count)
    return count


def head() -> ChainHead:
    """The chain's head now: its newest event's hash and the number of events."""
    last = AuditEvent.objects.order_by("-pk").values_list("pk", "hash", "at").first()
    if last is None:
        return ChainHead(GENESIS, 0)
    pk, event_hash, at = last
    return ChainHead(event_hash, _count_through(pk, event_hash), pk, at)


@dataclass(frozen=True)
class _Appended:
    """An event a transaction appended, and the (id, hash) of the one before it."""

    event_id: int
    hash: str
    at: datetime
    previous: tuple[int, str] | None

    def head(self) -> ChainHead:
        """The head this event makes; counted after the commit, not under the lock."""
        count = (_count_through(*self.previous) if self.previous else 0) + 1
        _remember(self.event_id, self.hash, count)
        return ChainHead(self.hash, count, self.event_id, self.at)


class _Batch:
    """The events one transaction appended; its head is announced once, after commit."""

    def __init__(self) -> None:
        self.appended: list[_Appended] = []
        self.announced = False


class _Announcement:
    """An on_commit callback per event (so a rolled-back savepoint drops its own).

    The first one to run announces the batch's newest event that survived: its own,
    or a later one of the batch, checked in the database only when there is one.
    """

    def __init__(self, batch: _Batch, appended: _Appended, alias: str) -> None:
        self.batch, self.appended, self.alias = batch, appended, alias

    def __call__(self) -> None:
        if self.batch.announced:
            return
        self.batch.announced = True
        mine = self.batch.appended.index(self.appended)
        newest = self.appended
        for later in reversed(self.batch.appended[mine + 1 :]):
            events = AuditEvent.objects.using(self.alias)
            if events.filter(pk=later.event_id, hash=later.hash).exists():
                newest = later
                break
        head = newest.head()
        head_log.info(
            "%s (event #%s)", head, head.event_id, extra={"audit_head": head.as_dict()}
        )


def _announce_after_commit(appended: _Appended, alias: str = DEFAULT_DB_ALIAS) -> None:
    conn = connections[alias]
    # The batch of this transaction: the one a callback still queued belongs to (the
    # queue holds only callbacks whose savepoints were not rolled back).
    batch = next(
        (
            func.batch
            for _sids, func, _robust in getattr(conn, "run_on_commit", [])
            if isinstance(func, _Announcement)
        ),
        None,
    )
    if batch is None or batch.announced:
        batch = _Batch()
    batch.appended.append(appended)
    # robust: a failing announcement is logged by Django, never turns the committed
    # change into an error response.
    transaction.on_commit(
        _Announcement(batch, appended, alias), using=alias, robust=True
    )


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
    """A readable sentence: "ana returned the verdict: needs a primary source".

    A write through the API names its token and the token's creator: "cms (service
    account) ingested the article via token “CMS” (#3), created by ada".
    """
    try:
        verb = AuditAction(event.action).label
    except ValueError:
        verb = event.action
    data = event.data or {}
    via = data.get("via_token")
    actor = event.actor_label
    if isinstance(via, dict):
        if via.get("service_account"):
            actor += " (service account)"
        verb += (
            f" via token “{via.get('name', '')}” (#{via.get('id')}), "
            f"created by {via.get('created_by_label', '?')}"
        )
    sentence = f"{actor} {verb}"
    detail = data.get("comment") or data.get("reason")
    return f"{sentence}: {detail}" if detail else sentence
