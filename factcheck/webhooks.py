"""Webhook deliveries: the payload, the signature, and sending without SSRF.

A change that webhooks announce (publish, correct, unpublish, approve) calls
``announce()`` inside its own transaction: it writes one ``WebhookDelivery`` per
subscribed endpoint (an outbox) and, on commit, enqueues ``tasks.deliver_webhook``
for each. ``attempt()`` sends one delivery; a failure is retried after
``BACKOFF`` (1 min, 5 min, 30 min, 2 h, 12 h), then the delivery is "failed".

Signing follows Stripe: ``X-Factcheck-Signature: t=<unix time>,v1=<hex HMAC-SHA256
of "<t>.<body>" under the endpoint's secret>``. A receiver recomputes it over the raw
body and refuses an old timestamp (``verify_signature``, written to be copied).

Sending never reaches a private, loopback, link-local, multicast, reserved or cloud
metadata address: the host name is resolved once, every address it resolves to is
checked, and the connection goes to the checked address (with the name as Host and
TLS SNI), so a second DNS answer cannot swap it (``safe_http``). Redirects are not
followed. The ``WEBHOOK_ALLOW_PRIVATE`` setting opens private and loopback addresses
(local development, tests); link-local and metadata addresses stay refused.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from . import safe_http
from .models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent

SIGNATURE_HEADER = "X-Factcheck-Signature"
EVENT_HEADER = "X-Factcheck-Event"
DELIVERY_HEADER = "X-Factcheck-Delivery"
TOLERANCE = 300  # seconds a receiver accepts a signature's timestamp either way
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
MAX_RESPONSE_BYTES = 64 * 1024  # read at most this much of a receiver's answer
MAX_LOG = 20  # attempts kept in a delivery's log
# While one worker sends, others leave the delivery alone this long; a worker that
# died mid-send is retried after it.
LEASE = timedelta(minutes=2)
USER_AGENT = "FactcheckDesk-Webhooks/1"
# The checks and pinned connections live in safe_http (shared with source capture).
UnsafeDestination = safe_http.UnsafeDestination
DeliveryError = safe_http.NetworkError  # the receiver could not be reached in time


# --- Signing ------------------------------------------------------------------------


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-Factcheck-Signature`` value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    body: bytes,
    header: str,
    secret: str,
    *,
    tolerance: int = TOLERANCE,
    now: float | None = None,
) -> bool:
    """Is ``header`` a valid signature of the raw request ``body`` under ``secret``?

    For receivers; standard library only, so it can be copied as it is. Refuses a
    timestamp more than ``tolerance`` seconds away (a replayed delivery).
    """
    parts: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return any(hmac.compare_digest(expected, v) for v in parts.get("v1", []))


# --- Payloads and the outbox --------------------------------------------------------


def _public(name: str, *args) -> str:
    return settings.FACTCHECK["PUBLIC_BASE_URL"] + reverse(name, args=args)


def article_data(article, *, version: int | None = None) -> dict:
    return {
        "id": article.pk,
        "title": article.title,
        "public_url": _public("public-summary", article.slug),
        "version": version,
    }


def claim_data(claim, *, rating: str) -> dict:
    number = claim.public_number
    return {
        "id": claim.pk,
        "public_number": number,
        # Only a published claim has a public page.
        "public_url": _public("public-claim", claim.article.slug, number)
        if number
        else None,
        "verdict": rating,
    }


def build_payload(
    delivery_uuid, event: str, data: dict, *, created: datetime | None = None
) -> dict:
    created = created or timezone.now()
    return {
        "id": str(delivery_uuid),
        "type": event,
        "created": created.isoformat(),
        "data": data,
    }


def announce(event: WebhookEvent, data: Callable[[], dict]) -> None:
    """Queue ``event`` for every active endpoint that wants it.

    Call inside the transaction of the change (before its ``audit.record``): the
    deliveries commit or roll back with it, and the sending tasks are enqueued
    only after the commit. ``data`` is built only when an endpoint wants it.
    """
    hooks = [h for h in Webhook.objects.filter(active=True) if event in h.events]
    if not hooks:
        return
    now = timezone.now()
    data = data()
    deliveries = []
    for hook in hooks:
        delivery = WebhookDelivery(webhook=hook, event=event, next_attempt_at=now)
        delivery.payload = build_payload(delivery.uuid, event, data, created=now)
        deliveries.append(delivery)
    created = WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in created:
        transaction.on_commit(partial(enqueue, delivery.pk))


def enqueue(delivery_id: int, *, run_after: datetime | None = None) -> None:
    """Hand one delivery to the task backend (deferred if the backend can)."""
    from .tasks import deliver_webhook

    task = deliver_webhook
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # left for deliver_due_webhooks (a worker, or a redelivery)
        task = task.using(run_after=run_after)
    task.enqueue(delivery_id)


# --- Where a webhook may go ---------------------------------------------------------


def _refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why webhooks may not reach ``ip``, or None."""
    return safe_http.refusal(
        ip, allow_private=settings.FACTCHECK["WEBHOOK_ALLOW_PRIVATE"]
    )


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an acceptable webhook URL; DNS is not consulted."""
    return safe_http.check_url(
        url, allow_private=settings.FACTCHECK["WEBHOOK_ALLOW_PRIVATE"], what="Webhooks"
    )


def resolve(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to), every resolved address checked."""
    return safe_http.resolve(
        url, allow_private=settings.FACTCHECK["WEBHOOK_ALLOW_PRIVATE"], what="Webhooks"
    )


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body`` to ``url``; the response status. No redirects are followed."""
    connection, path = safe_http.connect(
        url,
        settings.FACTCHECK["WEBHOOK_TIMEOUT"],
        allow_private=settings.FACTCHECK["WEBHOOK_ALLOW_PRIVATE"],
        what="Webhooks",
    )
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)  # drained, capped, then dropped
        return response.status
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}"[:300]) from exc
    finally:
        connection.close()


# --- Attempts -----------------------------------------------------------------------


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Take the lease on a due delivery (one UPDATE), or None if it is not ours."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    taken = (
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, webhook__active=True
        )
        .filter(due)
        .update(next_attempt_at=now + LEASE)
    )
    if not taken:
        return None
    return WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)


def attempt(delivery_id: int, *, now: datetime | None = None) -> str | None:
    """Send one due delivery once and record the attempt; its status after, or None
    when it was not due (delivered, given up, not yet time, another worker's, or its
    endpoint is disabled: held until it is enabled again)."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.uuid),
        SIGNATURE_HEADER: sign(delivery.webhook.secret, body, timestamp),
    }
    started = time.monotonic()
    status_code, error = None, ""
    try:
        status_code = post(delivery.webhook.url, body, headers)
        if not 200 <= status_code < 300:
            error = f"The receiver answered {status_code}."
    except (UnsafeDestination, DeliveryError) as exc:
        error = str(exc)
    ms = round((time.monotonic() - started) * 1000)
    return _record(delivery, now=now, status_code=status_code, error=error, ms=ms)


def _record(delivery, *, now, status_code, error: str, ms: int) -> str:
    attempts = delivery.attempts + 1
    entry = {
        "at": now.isoformat(),
        "status_code": status_code,
        "error": error,
        "ms": ms,
    }
    update = {
        "attempts": attempts,
        "last_status_code": status_code,
        "last_error": error[:500],
        "log": (delivery.log + [entry])[-MAX_LOG:],
    }
    retry_at = None
    if not error:
        update.update(status=DeliveryStatus.DELIVERED, delivered_at=now)
        update["next_attempt_at"] = None
    elif attempts >= MAX_ATTEMPTS:
        update.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    else:
        retry_at = now + BACKOFF[attempts - 1]
        update["next_attempt_at"] = retry_at
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**update)
    if retry_at is not None:
        enqueue(delivery.pk, run_after=retry_at)
    return update.get("status", DeliveryStatus.PENDING)


def deliver_due(*, now: datetime | None = None, limit: int = 100) -> int:
    """Attempt every pending delivery whose time has come; how many were attempted.

    The safety net behind deferred tasks: it also picks up deliveries whose worker
    died mid-send and, with a backend that cannot defer, the retries.
    """
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now, webhook__active=True
    ).order_by("next_attempt_at", "pk")
    ids = list(due.values_list("pk", flat=True)[:limit])
    return sum(attempt(pk, now=now) is not None for pk in ids)


def requeue(delivery: WebhookDelivery, *, now: datetime) -> None:
    """Make one delivery due again (a redelivery): pending now, attempts kept, so
    a failed delivery gets one more attempt, not a new series of retries."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
    )


# --- The one-line hooks the workflow calls (inside its transaction) -------------------


def announce_publication(publication) -> None:
    """Version 1 is "article.published"; later versions are corrections."""
    event = (
        WebhookEvent.ARTICLE_PUBLISHED
        if publication.version == 1
        else WebhookEvent.ARTICLE_CORRECTED
    )

    def data() -> dict:
        article = article_data(publication.article, version=publication.version)
        if publication.version == 1:
            return {"article": article}
        return {"article": article, "correction_note": publication.correction_note}

    announce(event, data)


def announce_unpublished(article, *, reason: str) -> None:
    announce(
        WebhookEvent.ARTICLE_UNPUBLISHED,
        lambda: {"article": article_data(article), "reason": reason},
    )


def announce_approval(claim, *, rating: str) -> None:
    announce(
        WebhookEvent.CLAIM_APPROVED,
        lambda: {
            "claim": claim_data(claim, rating=rating),
            "article": {"id": claim.article_id, "title": claim.article.title},
        },
    )
