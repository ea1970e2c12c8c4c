"""The review of a claim: the verdict scale, sources, notes, verdicts, approvals.

A verdict is never overwritten once submitted: a returned verdict stays as it was and
the revision is a new row; at most one verdict per claim is current.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Rating(models.Model):
    """One step of the desk's verdict scale; admins edit it."""

    label = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    colour = models.CharField(max_length=7, default="#6b7280")
    order = models.PositiveSmallIntegerField(default=0)
    # ClaimReview numeric value, 1 (worst) to 5 (best); None for non-numeric ratings.
    value = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    requires_source = models.BooleanField(default=True)
    # A verdict on a factual claim: published with ClaimReview markup, and so always
    # backed by a source. False for "not a factual claim" and the like, which are
    # listed publicly without ClaimReview.
    is_verdict = models.BooleanField(default=True)
    required_approvals = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=True) | (Q(value__gte=1) & Q(value__lte=5)),
                name="rating_value_range",
            ),
            models.CheckConstraint(
                condition=Q(required_approvals__gte=1), name="rating_approvals_min"
            ),
            models.CheckConstraint(
                condition=Q(is_verdict=False) | Q(requires_source=True),
                name="rating_verdict_needs_source",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Source(models.Model):
    claim = models.ForeignKey(
        "factcheck.Claim", on_delete=models.PROTECT, related_name="sources"
    )
    url = models.URLField(max_length=1000)
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    excerpt = models.TextField(blank=True)
    accessed_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    # Removal is a soft delete, so the audit trail and history stay whole.
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "url"],
                condition=Q(removed_at__isnull=True),
                name="source_url_once_per_claim",
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="source_url_http",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Note(models.Model):
    """Internal discussion on a claim; Markdown, sanitised on render, never public."""

    claim = models.ForeignKey(
        "factcheck.Claim", on_delete=models.PROTECT, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Note by {self.author} on claim {self.claim_id}"


class VerdictState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned"
    APPROVED = "approved", "Approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Verdict(models.Model):
    claim = models.ForeignKey(
        "factcheck.Claim", on_delete=models.PROTECT, related_name="verdicts"
    )
    rating = models.ForeignKey(
        Rating, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rationale = models.TextField(blank=True, help_text="Public; Markdown.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        max_length=20, choices=VerdictState.choices, default=VerdictState.DRAFT
    )
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The approvals queue, oldest submission first: read in index order,
            # one page at a time, whatever the backlog.
            models.Index(
                fields=["submitted_at", "claim"],
                name="verdict_awaiting_approval",
                condition=Q(is_current=True, state="submitted"),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(is_current=True),
                name="one_current_verdict_per_claim",
            ),
            models.CheckConstraint(
                condition=Q(state__in=VerdictState.values), name="verdict_state_valid"
            ),
        ]

    def __str__(self) -> str:
        rating = self.rating.label if self.rating_id else "no rating"
        return f"{rating} ({self.get_state_display()}) on claim {self.claim_id}"


class Approval(models.Model):
    """One editor's approval of a submitted verdict; a rating may need several."""

    verdict = models.ForeignKey(
        Verdict, on_delete=models.PROTECT, related_name="approvals"
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["verdict", "editor"], name="approve_once_per_editor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.editor} approved verdict {self.verdict_id}"
