"""Near-duplicates within one article: flagged at ingestion, merged in one click."""

from __future__ import annotations

import pytest
from django.urls import reverse

from factcheck.models import AuditEvent, ClaimState
from tests.factories import make_article

pytestmark = pytest.mark.django_db

LINES = [
    "Exports rose 12 percent in 2025, the ministry said.",
    "The city zoo welcomed two panda cubs born in captivity last spring.",
    "The ministry said exports grew by 12 percent in 2025.",
]


def test_a_restatement_is_flagged_as_the_same_as_the_first():
    article = make_article(lines=LINES)

    first, zoo, again = article.claims.order_by("start")

    assert again.duplicate_of == first
    assert first.duplicate_of is None and zoo.duplicate_of is None
    created = AuditEvent.objects.get(article=article, action="article.created")
    assert created.data["near_duplicates"] == 1


def test_distinct_claims_are_not_flagged():
    article = make_article(
        lines=[
            "Exports rose 12 percent in 2025, the ministry said.",
            "Imports of grain fell by a third after the drought of 2023.",
        ]
    )

    assert not article.claims.filter(duplicate_of__isnull=False).exists()


def test_editor_merges_a_near_duplicate_in_one_click(client, editor):
    article = make_article(lines=LINES)
    again = article.claims.order_by("start").last()
    client.force_login(editor)

    page = client.get(reverse("article-detail", args=[article.pk])).content.decode()
    assert "Same as" in page and "Merge into #1" in page

    response = client.post(
        reverse("claim-dismiss", args=[again.pk]),
        {"version": again.version, "reason": "same as #1"},
    )

    assert response.status_code == 302
    again.refresh_from_db()
    assert again.state == ClaimState.DISMISSED
    assert again.dismissed_reason == "same as #1"


def test_a_reviewer_sees_the_flag_but_no_merge(client, reviewer):
    article = make_article(lines=LINES)
    client.force_login(reviewer)

    page = client.get(reverse("article-detail", args=[article.pk])).content.decode()

    assert "Same as" in page and "Merge into" not in page
