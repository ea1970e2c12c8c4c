"""Checked before?: fact-checks imported from elsewhere, and the matches between a new
claim and earlier checks (the desk's own approved claims or imported ones).

A match is suggested at ingestion and answered once by the desk: "same claim" (its
sources are reused) or "not the same" (the pair never shows again). Vectors are the
``factcheck.matching.embed`` encodings, float32 bytes, computed when a row is written.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ImportedFactCheck(models.Model):
    """A fact-check another publisher published, loaded by ``import_claimreviews``."""

    # SHA-256 of publisher, URL and claim text: importing the same item again updates
    # it instead of adding a copy.
    key = models.CharField(max_length=64, unique=True)
    publisher = models.CharField(max_length=200)
    url = models.URLField(max_length=1000, blank=True)
    claim_text = models.TextField()
    title = models.CharField(max_length=500, blank=True)
    claimant = models.CharField(max_length=200, blank=True)
    rating = models.CharField(max_length=200, blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    vector = models.BinaryField(editable=False)
    imported_at = models.DateTimeField(auto_now_add=True)  # last (re-)import

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.claim_text[:70]}"


class MatchAnswer(models.TextChoices):
    PENDING = "pending", "Not answered"
    SAME = "same", "Same claim"
    DIFFERENT = "different", "Not the same"


class ClaimMatch(models.Model):
    """A new claim that may restate an earlier check (exactly one of two targets)."""

    claim = models.ForeignKey(
        "factcheck.Claim", on_delete=models.PROTECT, related_name="matches"
    )
    earlier = models.ForeignKey(
        "factcheck.Claim",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    imported = models.ForeignKey(
        ImportedFactCheck,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    score = models.FloatField()
    answer = models.CharField(
        max_length=10, choices=MatchAnswer.choices, default=MatchAnswer.PENDING
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(earlier__isnull=True) ^ Q(imported__isnull=True),
                name="match_one_target",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="match_score_range"
            ),
            models.UniqueConstraint(
                fields=["claim", "earlier"], name="match_earlier_once"
            ),
            models.UniqueConstraint(
                fields=["claim", "imported"], name="match_imported_once"
            ),
        ]

    def __str__(self) -> str:
        return f"claim {self.claim_id} ~ {self.earlier_id or self.imported_id}"
