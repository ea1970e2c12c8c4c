"""Claims: checkable spans of an article, and who is looking at them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse


class ClaimState(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned"
    APPROVED = "approved", "Approved"
    DISMISSED = "dismissed", "Dismissed"


# The queue's default view: claims a reviewer still has to work on.
NEEDS_WORK = (ClaimState.OPEN, ClaimState.IN_PROGRESS, ClaimState.RETURNED)
_NEEDS_WORK = Q(state__in=[state.value for state in NEEDS_WORK])


class ClaimKind(models.TextChoices):
    STATISTIC = "statistic", "Statistic"
    QUANTITY = "quantity", "Quantity"
    ATTRIBUTED = "attributed statement", "Attributed statement"
    EVENT = "event", "Event"
    HISTORICAL = "historical", "Historical"
    COMPARISON = "comparison", "Comparison"
    CAUSAL = "causal", "Causal"
    PREDICTION = "prediction", "Prediction"
    OPINION = "opinion", "Opinion"
    OTHER = "other", "Other"


class ClaimQuerySet(models.QuerySet):
    def needing_work(self) -> ClaimQuerySet:
        return self.filter(state__in=NEEDS_WORK)

    def unassigned(self) -> ClaimQuerySet:
        return self.filter(assignee__isnull=True)

    def assigned_to(self, user) -> ClaimQuerySet:
        return self.filter(assignee=user)

    def awaiting_approval(self) -> ClaimQuerySet:
        return self.filter(state=ClaimState.SUBMITTED)

    def by_priority(self) -> ClaimQuerySet:
        return self.order_by("-score", "created_at", "pk")

    def with_context(self) -> ClaimQuerySet:
        return self.select_related("article", "assignee")

    def with_checked_before(self) -> ClaimQuerySet:
        """Annotate ``checked_before``: a suggested earlier check not yet rejected."""
        from .matching import ClaimMatch, MatchAnswer

        suggested = ClaimMatch.objects.filter(claim=models.OuterRef("pk")).exclude(
            answer=MatchAnswer.DIFFERENT
        )
        return self.annotate(checked_before=models.Exists(suggested))


class Claim(models.Model):
    article = models.ForeignKey(
        "factcheck.Article", on_delete=models.PROTECT, related_name="claims"
    )
    position = models.PositiveIntegerField(help_text="Order within the article.")
    text = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    heading = models.CharField(max_length=300, blank=True)
    kind = models.CharField(
        max_length=30, choices=ClaimKind.choices, default=ClaimKind.OTHER
    )
    score = models.FloatField(default=0.0)
    reasons = models.JSONField(default=list, blank=True)
    state = models.CharField(
        max_length=20, choices=ClaimState.choices, default=ClaimState.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_claims",
    )
    due_at = models.DateTimeField(null=True, blank=True)
    dismissed_reason = models.TextField(blank=True)
    added_by_hand = models.BooleanField(default=False)
    # factcheck.matching.embed(text) as float32 bytes, written with the text, so
    # "checked before?" never re-encodes the archive.
    vector = models.BinaryField(null=True, blank=True, editable=False)
    # An earlier claim of the same article this one restates, found at ingestion.
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who made the claim (suggested at extraction from its attribution, editable).
    claimant = models.ForeignKey(
        "factcheck.Claimant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
    )
    # The claim's permanent public number (``/fact-checks/<slug>/claims/<n>/``),
    # assigned once by ``workflow.publish_article`` and never reused or moved.
    public_number = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # A new version of the article changed or removed the claim's sentence
    # (``workflow.revise_article``): "text changed since review" until an editor
    # confirms the verdict still holds. ``previous_text`` is the text reviewed
    # before the change (for the diff); a vanished claim keeps its text.
    text_changed = models.BooleanField(default=False)
    vanished = models.BooleanField(default=False)
    previous_text = models.TextField(blank=True)
    # Optimistic locking: every write bumps it; a form carries the one it was drawn at.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["article_id", "start", "pk"]
        permissions = [
            ("review_claim", "Can take claims and draft verdicts"),
            ("approve_verdict", "Can approve or return verdicts and manage claims"),
        ]
        indexes = [
            models.Index(fields=["state", "-score", "created_at"]),
            models.Index(fields=["assignee", "state"]),
            models.Index(fields=["article", "start"]),
            models.Index(fields=["kind", "state"]),
            models.Index(fields=["due_at"]),
            # The queue by priority and by age (measured by bench/web_throughput.py):
            # partial, so the archive of decided claims does not widen them.
            models.Index(
                fields=["-score", "created_at", "id"],
                name="claim_needs_work_priority",
                condition=_NEEDS_WORK,
            ),
            models.Index(
                fields=["created_at", "id"],
                name="claim_needs_work_age",
                condition=_NEEDS_WORK,
            ),
            # The dashboard's "awaiting my approval", newest changes first.
            models.Index(
                fields=["state", "updated_at", "id"], name="claim_state_updated"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="claim_span"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="claim_score_range"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ClaimState.values), name="claim_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=ClaimState.IN_PROGRESS) | Q(assignee__isnull=False),
                name="claim_in_progress_has_assignee",
            ),
            models.UniqueConstraint(
                fields=["article", "public_number"],
                condition=Q(public_number__isnull=False),
                name="claim_public_number_once",
            ),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:77] + "…"

    def get_absolute_url(self) -> str:
        return reverse("claim-detail", args=[self.pk])

    def text_diff(self) -> list[tuple[str, str]]:
        """The text as reviewed against the current one, word by word."""
        from ..reanchor import diff_words

        return diff_words(self.previous_text, self.text) if self.text_changed else []

    @property
    def source_span(self) -> str:
        return self.article.body[self.start : self.end]


class ClaimPresence(models.Model):
    """Who has a claim's page open: refreshed by a light poll, stale after a minute.

    Not a domain record (no audit): it is an ephemeral signal shared by every app
    process through the database.
    """

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "user"], name="presence_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} on claim {self.claim_id}"
