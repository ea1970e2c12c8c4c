"""What the public sees: immutable publication snapshots and readers' error reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class Publication(models.Model):
    """A versioned, immutable snapshot of an article's approved results."""

    article = models.ForeignKey(
        "factcheck.Article", on_delete=models.PROTECT, related_name="publications"
    )
    version = models.PositiveIntegerField()
    payload = models.JSONField()
    correction_note = models.TextField(blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["article", "-version"]
        get_latest_by = "version"
        indexes = [
            # /fact-checks/ and claimant pages: fact-checks by first publication.
            models.Index(
                fields=["-published_at", "-id"],
                name="publication_first_newest",
                condition=models.Q(version=1),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "version"], name="publication_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("public-summary", args=[self.article.slug])


class ErrorReportState(models.TextChoices):
    NEW = "new", "New"
    RESOLVED = "resolved", "Resolved"
    REJECTED = "rejected", "Rejected"


class ErrorReport(models.Model):
    """A reader's correction request; it reaches the editors and publishes nothing."""

    article = models.ForeignKey(
        "factcheck.Article", on_delete=models.PROTECT, related_name="error_reports"
    )
    claim_number = models.PositiveIntegerField(null=True, blank=True)
    publication_version = models.PositiveIntegerField()
    text = models.TextField()
    email = models.EmailField(blank=True)
    # A salted hash of the reader's address, for rate limiting without storing the IP.
    address_hash = models.CharField(max_length=64, db_index=True)
    state = models.CharField(
        max_length=20, choices=ErrorReportState.choices, default=ErrorReportState.NEW
    )
    created_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "-created_at"])]

    def __str__(self) -> str:
        return f"Error report on {self.article} ({self.get_state_display()})"
