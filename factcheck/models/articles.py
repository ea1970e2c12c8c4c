"""Articles: the normalised text that claims point into, and its provenance."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse


class ArticleState(models.TextChoices):
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        return self.filter(state=ArticleState.PUBLISHED)

    def in_review(self) -> ArticleQuerySet:
        return self.filter(state=ArticleState.IN_REVIEW)

    def with_claim_counts(self) -> ArticleQuerySet:
        """Annotate ``claims_<state>`` and ``claims_total`` in one query."""
        from .claims import ClaimState

        counts = {
            f"claims_{state.value}": Count("claims", filter=Q(claims__state=state))
            for state in ClaimState
        }
        return self.annotate(claims_total=Count("claims"), **counts)


class Article(models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    body = models.TextField(help_text="Normalised text; claim offsets point into it.")
    outlet = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=200, blank=True)
    original_url = models.URLField(max_length=500, blank=True)
    original_published_on = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=12, default="en")
    source_format = models.CharField(max_length=10, default="text")
    # The uploaded file's name, if the text came from a file (the demo keys on it).
    source_filename = models.CharField(max_length=255, blank=True)
    # Text-quality findings of ingestion: [{"kind", "position", "length", "message",
    # "repaired"}], positions into ``body``.
    warnings = models.JSONField(default=list, blank=True)
    repairs = models.JSONField(default=list, blank=True)
    state = models.CharField(
        max_length=20, choices=ArticleState.choices, default=ArticleState.IN_REVIEW
    )
    due_at = models.DateTimeField(null=True, blank=True)
    ingested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ingested_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-ingested_at", "-id"]
        permissions = [("publish_article", "Can publish and unpublish fact-checks")]
        indexes = [
            models.Index(fields=["state", "-ingested_at"]),
            # /articles/ walks this in keyset pages instead of sorting the table.
            models.Index(fields=["-ingested_at", "-id"], name="article_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(body=""), name="article_body_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ArticleState.values), name="article_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("article-detail", args=[self.pk])


class ArticleRevision(models.Model):
    """One version of an article's text, kept readable after a newer one replaced it.

    Written by ``workflow.revise_article``: on the first revision the original text
    becomes number 1, so every version the desk reviewed can be read again.
    """

    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    body = models.TextField()
    source_format = models.CharField(max_length=10, default="text")
    source_filename = models.CharField(max_length=255, blank=True)
    # What re-anchoring did to the claims: {"kept", "moved", "changed", "vanished",
    # "new"} counts; empty for the original text.
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["article_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="article_revision_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article} (version {self.number})"

    def get_absolute_url(self) -> str:
        return reverse("article-revision", args=[self.article_id, self.number])
