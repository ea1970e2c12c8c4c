"""Publishing: refused until every claim is decided, versions, corrections, unpublish.

Both levels: the workflow functions and the editor's HTTP views.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from factcheck import workflow
from factcheck.models import ArticleState, AuditEvent, ClaimState, Publication
from factcheck.workflow import Conflict, InvalidTransition

from .factories import decide_claim, make_article, make_decided_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(reviewer, editor):
    return make_decided_article(
        reviewer=reviewer,
        editor=editor,
        ratings=["false", "true", "unverifiable"],
        outlet="Daily Planet",
        original_url="https://planet.example/story",
    )


def test_publishing_is_refused_until_every_claim_is_decided(reviewer, editor):
    article = make_article(actor=reviewer)
    first = article.claims.order_by("start").first()
    decide_claim(first, reviewer=reviewer, editor=editor)

    with pytest.raises(InvalidTransition, match="still need a decision"):
        workflow.publish_article(article, actor=editor)

    assert not Publication.objects.exists()
    check = workflow.check(editor, "article.publish", article)
    assert "2 claims still need a decision" in check.message


def test_publishing_needs_at_least_one_approved_claim(reviewer, editor):
    article = make_article(actor=reviewer)
    for claim in article.claims.all():
        workflow.dismiss_claim(claim, actor=editor, reason="Opinion.")

    with pytest.raises(InvalidTransition, match="Nothing to publish"):
        workflow.publish_article(article, actor=editor)


def test_first_publication_is_version_1_with_only_approved_claims(reviewer, editor):
    article = make_decided_article(reviewer=reviewer, editor=editor, dismiss=(1,))
    dismissed = article.claims.get(state=ClaimState.DISMISSED)

    publication = workflow.publish_article(article, actor=editor)

    article.refresh_from_db()
    assert article.state == ArticleState.PUBLISHED
    assert publication.version == 1
    payload = publication.payload
    assert [c["n"] for c in payload["claims"]] == [1, 2]
    assert dismissed.text not in str(payload)
    assert payload["counts"] == [
        {**payload["claims"][0]["rating"], "count": 2},
    ]
    event = AuditEvent.objects.get(action="article.published")
    assert event.data["version"] == 1 and event.article_id == article.pk


def test_reviewer_cannot_publish(decided, reviewer):
    with pytest.raises(PermissionDenied):
        workflow.publish_article(decided, actor=reviewer)


def test_a_later_internal_edit_changes_nothing_public(decided, editor, other_editor):
    publication = workflow.publish_article(decided, actor=editor)
    claim = decided.claims.order_by("start").first()

    claim = workflow.reopen_claim(claim, actor=other_editor, reason="New data.")
    workflow.save_verdict_draft(
        claim,
        actor=claim.assignee,
        rating=None,
        rationale="DRAFT-SECRET rationale",
    )

    publication.refresh_from_db()
    assert "DRAFT-SECRET" not in str(publication.payload)
    assert Publication.objects.count() == 1


def test_correction_is_version_2_with_its_note_and_v1_stays_in_history(
    decided, editor, other_editor, reviewer
):
    workflow.publish_article(decided, actor=editor)
    claim = decided.claims.order_by("start").first()
    claim = workflow.reopen_claim(claim, actor=other_editor, reason="New data.")
    decide_claim(
        claim,
        reviewer=claim.assignee,
        editor=editor,
        rating_slug="half-true",
        rationale="Revised: partly right.",
    )

    with pytest.raises(ValidationError, match="correction needs a public note"):
        workflow.publish_article(decided, actor=editor)
    v2 = workflow.publish_article(
        decided, actor=editor, correction_note="New export figures were released."
    )

    assert v2.version == 2
    assert v2.correction_note == "New export figures were released."
    assert [h["version"] for h in v2.payload["history"]] == [1, 2]
    assert v2.payload["changes"] == [
        {
            "change": "rating",
            "n": 1,
            "claim": claim.text,
            "from": "False",
            "to": "Half true",
        }
    ]
    assert (
        Publication.objects.get(article=decided, version=1).payload["claims"][0][
            "rating"
        ]["label"]
        == "False"
    )
    assert AuditEvent.objects.filter(action="article.republished").count() == 1


def test_stale_publish_form_is_a_conflict(decided, editor):
    workflow.publish_article(decided, actor=editor)

    with pytest.raises(Conflict):
        workflow.publish_article(
            decided, actor=editor, correction_note="x", expected_version=0
        )


def test_unpublish_needs_a_reason_and_then_pages_answer_410(decided, editor, client):
    workflow.publish_article(decided, actor=editor)
    with pytest.raises(ValidationError):
        workflow.unpublish_article(decided, actor=editor, reason="  ")

    workflow.unpublish_article(decided, actor=editor, reason="Legal review.")

    decided.refresh_from_db()
    assert decided.state == ArticleState.UNPUBLISHED
    assert client.get(f"/fact-checks/{decided.slug}/").status_code == 410
    assert client.get(f"/fact-checks/{decided.slug}/claims/1/").status_code == 410
    assert client.get(f"/fact-checks/{decided.slug}/export.json").status_code == 410
    assert AuditEvent.objects.filter(action="article.unpublished").exists()


def test_republishing_after_unpublish_is_a_new_version(decided, editor):
    workflow.publish_article(decided, actor=editor)
    workflow.unpublish_article(decided, actor=editor, reason="Legal review.")

    v2 = workflow.publish_article(decided, actor=editor, correction_note="Cleared.")

    assert v2.version == 2
    decided.refresh_from_db()
    assert decided.state == ArticleState.PUBLISHED


# --- HTTP --------------------------------------------------------------------------


def test_publish_view_htmx_returns_the_panel(decided, editor, client):
    client.force_login(editor)

    response = client.post(
        reverse("article-publish", args=[decided.pk]),
        {"expected_version": 0},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="article-publishing"' in response.content
    assert b"Published version 1" in response.content
    assert Publication.objects.filter(article=decided, version=1).exists()


def test_publish_view_plain_post_redirects(decided, editor, client):
    client.force_login(editor)

    response = client.post(reverse("article-publish", args=[decided.pk]), {})

    assert response.status_code == 302
    assert Publication.objects.filter(article=decided).count() == 1


def test_correction_without_note_keeps_nothing_and_answers_400(decided, editor, client):
    workflow.publish_article(decided, actor=editor)
    client.force_login(editor)

    response = client.post(
        reverse("article-publish", args=[decided.pk]),
        {"expected_version": 1, "correction_note": ""},
    )

    assert response.status_code == 400
    assert b"correction needs a public note" in response.content
    assert Publication.objects.filter(article=decided).count() == 1


def test_undecided_article_publish_answers_409(reviewer, editor, client):
    article = make_article(actor=reviewer)
    client.force_login(editor)

    response = client.post(reverse("article-publish", args=[article.pk]), {})

    assert response.status_code == 409
    assert not Publication.objects.exists()


@pytest.mark.parametrize("persona", ["reviewer", "admin_user", "outsider"])
def test_only_editors_publish_and_unpublish(decided, persona, request, client):
    client.force_login(request.getfixturevalue(persona))

    publish = client.post(reverse("article-publish", args=[decided.pk]), {})
    unpublish = client.post(
        reverse("article-unpublish", args=[decided.pk]), {"reason": "x"}
    )

    assert publish.status_code == 403
    assert unpublish.status_code == 403
    assert not Publication.objects.exists()


def test_unpublish_view(decided, editor, client):
    workflow.publish_article(decided, actor=editor)
    client.force_login(editor)

    response = client.post(
        reverse("article-unpublish", args=[decided.pk]),
        {"reason": "Legal review."},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert b"unpublished" in response.content
    decided.refresh_from_db()
    assert decided.state == ArticleState.UNPUBLISHED


def test_panel_says_why_publishing_is_not_possible(reviewer, editor, client):
    article = make_article(actor=reviewer)
    request = RequestFactory().get("/")
    request.user = editor

    html = render_to_string(
        "factcheck/_article_publishing.html", {"article": article}, request=request
    )

    assert "Nothing to publish" in html
    assert 'action="/articles/' not in html
