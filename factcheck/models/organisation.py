"""Who publishes and how: the publisher, its transparency pages, and claimants.

Both are edited by admins in the app (``workflow.organisation``), audited, and read by
the public pages and the ClaimReview / NewsMediaOrganization markup. ``Publisher`` is a
single row (pk 1); until an admin saves it, the deployment's settings stand in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Publisher(models.Model):
    """The fact-checking organisation named as the author of every ClaimReview."""

    name = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    logo_url = models.URLField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="publisher_single_row")
        ]

    def __str__(self) -> str:
        return self.name


class PublicPageKind(models.TextChoices):
    RATINGS = "ratings", "Ratings"
    METHODOLOGY = "methodology", "Methodology"
    CORRECTIONS = "corrections", "Corrections policy"
    FUNDING = "funding", "Funding and ownership"
    TEAM = "team", "Team"


class PublicPage(models.Model):
    """One admin-edited transparency page (Markdown, sanitised on render)."""

    kind = models.CharField(max_length=20, choices=PublicPageKind.choices, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.title


class ClaimantKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANISATION = "organisation", "Organisation"


class Claimant(models.Model):
    """Who made a claim: the ``itemReviewed.author`` of its ClaimReview."""

    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=20, choices=ClaimantKind.choices, default=ClaimantKind.PERSON
    )
    role = models.CharField(max_length=200, blank=True)
    # A page that identifies the claimant unambiguously (e.g. Wikidata, Wikipedia).
    same_as = models.URLField(max_length=500, blank=True)
    slug = models.SlugField(max_length=220, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("name"), name="claimant_name_once"
            ),
            models.CheckConstraint(
                condition=Q(same_as="")
                | Q(same_as__startswith="http://")
                | Q(same_as__startswith="https://"),
                name="claimant_same_as_http",
            ),
        ]

    def __str__(self) -> str:
        return self.name
