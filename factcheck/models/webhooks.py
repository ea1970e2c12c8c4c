"""Webhooks: endpoints admins register, and the deliveries made to them.

Invariants:
- ``Webhook.secret`` is kept (it signs every delivery, so it cannot be a hash); it
  is shown once, when ``workflow.create_webhook`` makes it, and never put in the
  audit trail or on a page again.
- A ``WebhookDelivery`` row is written in the transaction of the change it
  announces (an outbox), so a rolled-back publish announces nothing and a committed
  one is never lost; sending happens in a task after commit (``factcheck.tasks``).
- Endpoints are disabled, never deleted, so the delivery log keeps pointing at them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class WebhookEvent(models.TextChoices):
    ARTICLE_PUBLISHED = "article.published", "Article published"
    ARTICLE_CORRECTED = "article.corrected", "Article corrected (republished)"
    ARTICLE_UNPUBLISHED = "article.unpublished", "Article unpublished"
    CLAIM_APPROVED = "claim.approved", "Claim approved"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


class Webhook(models.Model):
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100)
    events = models.JSONField(default=list)  # WebhookEvent values
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-active", "-id"]

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> list[str]:
        return [WebhookEvent(e).label for e in self.events if e in WebhookEvent]


class WebhookDelivery(models.Model):
    # Sent as ``X-Factcheck-Delivery`` and as the payload's ``id``: receivers use it
    # to ignore a delivery they already handled (a redelivery keeps it).
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    webhook = models.ForeignKey(
        Webhook, on_delete=models.PROTECT, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # One entry per attempt: {"at", "status_code", "error", "ms"} (capped in length).
    log = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"], name="webhook_delivery_due"
            ),
            models.Index(fields=["webhook", "-id"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id} ({self.status})"
