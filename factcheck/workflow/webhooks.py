"""Webhook endpoints (admins): add, edit, disable, redeliver; each write audited.

Invariants:
- The secret is made here, returned once by ``create_webhook`` and never written to
  the audit trail (events record the URL, the events and the active flag only).
- An address webhooks may never reach (``webhooks.check_url``) is refused when it
  is saved, and checked again after DNS resolution whenever a delivery is sent.
- An edit drawn before someone else saved is refused (``Conflict``); the version is
  the row's ``updated_at``.
- Endpoints are disabled, never deleted; a redelivery re-queues one delivery.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import audit, webhooks
from ..audit import AuditAction
from ..models import User, Webhook, WebhookDelivery, WebhookEvent
from .rules import Conflict, ensure

SECRET_PREFIX = "whsec_"
MAX_URL = 500


def version_of(hook: Webhook) -> str:
    return hook.updated_at.isoformat()


def _clean(url: str, events) -> tuple[str, list[str]]:
    url = (url or "").strip()
    if not url:
        raise ValidationError("Give the address the events are sent to.")
    if len(url) > MAX_URL:
        raise ValidationError(f"The address is limited to {MAX_URL} characters.")
    try:
        webhooks.check_url(url)
    except webhooks.UnsafeDestination as exc:
        raise ValidationError(str(exc)) from exc
    chosen = [e for e in WebhookEvent.values if e in set(events or [])]
    if not chosen or len(chosen) != len(set(events)):
        raise ValidationError("Choose at least one event from the list.")
    return url, chosen


def _state(hook: Webhook) -> dict:
    """What an audit event keeps about an endpoint: never its secret."""
    return {"url": hook.url, "events": hook.events, "active": hook.active}


def create_webhook(*, actor: User, url: str, events) -> tuple[Webhook, str]:
    """Register an endpoint; returns it and its signing secret (shown once)."""
    ensure(actor, "webhook.create", None)
    url, events = _clean(url, events)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        hook = Webhook.objects.create(
            url=url, secret=secret, events=events, created_by=actor
        )
        audit.record(
            actor,
            AuditAction.WEBHOOK_CREATED,
            summary=url[:300],
            data={"webhook": hook.pk, **_state(hook)},
        )
    return hook, secret


def update_webhook(
    hook: Webhook | int,
    *,
    actor: User,
    url: str,
    events,
    active: bool,
    expected_version: str | None = None,
) -> Webhook:
    """Change an endpoint's address, events or whether it is active."""
    ensure(actor, "webhook.edit", None)
    url, events = _clean(url, events)
    with transaction.atomic():
        hook = Webhook.objects.select_for_update().get(pk=getattr(hook, "pk", hook))
        if expected_version is not None and str(expected_version) != version_of(hook):
            raise Conflict(
                "Someone else changed this webhook while you were editing it. The "
                "current version is shown; your changes are kept in the form.",
                current=hook,
            )
        before = _state(hook)
        hook.url, hook.events, hook.active = url, events, bool(active)
        after = _state(hook)
        if after == before:
            return hook
        hook.save(update_fields=["url", "events", "active", "updated_at"])
        audit.record(
            actor,
            AuditAction.WEBHOOK_CHANGED,
            summary=url[:300],
            data={"webhook": hook.pk, "before": before, "after": after},
        )
    return hook


def disable_webhook(hook: Webhook | int, *, actor: User) -> Webhook:
    """Stop sending to an endpoint; deliveries still pending are held (not sent)
    until an admin enables it again."""
    ensure(actor, "webhook.disable", None)
    with transaction.atomic():
        hook = Webhook.objects.select_for_update().get(pk=getattr(hook, "pk", hook))
        if not hook.active:
            raise ValidationError("This webhook is already disabled.")
        hook.active = False
        hook.save(update_fields=["active", "updated_at"])
        audit.record(
            actor,
            AuditAction.WEBHOOK_DISABLED,
            summary=hook.url[:300],
            data={"webhook": hook.pk, "url": hook.url},
        )
    return hook


def redeliver_webhook(
    delivery: WebhookDelivery | int, *, actor: User
) -> WebhookDelivery:
    """Send one delivery again now (same payload and delivery id)."""
    ensure(actor, "webhook.redeliver", None)
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("webhook")
            .get(pk=getattr(delivery, "pk", delivery))
        )
        if not delivery.webhook.active:
            raise ValidationError("Enable the webhook before redelivering to it.")
        webhooks.requeue(delivery, now=timezone.now())
        transaction.on_commit(lambda pk=delivery.pk: webhooks.enqueue(pk))
        audit.record(
            actor,
            AuditAction.WEBHOOK_REDELIVERED,
            summary=delivery.webhook.url[:300],
            data={
                "webhook": delivery.webhook_id,
                "delivery": str(delivery.uuid),
                "event": delivery.event,
                "status": delivery.status,
                "attempts": delivery.attempts,
            },
        )
    return delivery
