"""Checked before?: new claims matched with earlier approved checks, and the answers."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from factcheck import semantic, workflow
from factcheck.models import AuditEvent, ClaimMatch, ClaimState, MatchAnswer
from factcheck.roles import Role
from tests.factories import make_article, make_claim, make_user

pytestmark = pytest.mark.django_db

EARLIER = "The government raised the minimum wage to 15 dollars an hour in 2024."
RESTATED = "In 2024 the minimum hourly wage was lifted by the government to $15."
UNRELATED = "The city zoo welcomed two panda cubs born in captivity last spring."


def approved_check(text: str = EARLIER):
    article = make_article(lines=[text], title="Wage policy")
    return make_claim(state=ClaimState.APPROVED, article=article)


def new_claim(text: str = RESTATED, **kw):
    return make_article(lines=[text], title="Later story", **kw).claims.get()


def test_a_restated_approved_claim_is_suggested_at_ingestion():
    earlier = approved_check()

    claim = new_claim()

    match = claim.matches.get()
    assert match.earlier == earlier and match.imported is None
    assert 0 < match.score <= 1 and match.answer == MatchAnswer.PENDING
    created = AuditEvent.objects.get(article=claim.article, action="article.created")
    assert created.data["checked_before"] == 1


def test_only_approved_claims_count_as_checked_before():
    make_article(lines=[EARLIER])  # open, never checked

    assert not new_claim().matches.exists()


def test_an_unrelated_claim_gets_no_suggestion():
    approved_check()

    assert not new_claim(UNRELATED).matches.exists()


def test_vectors_are_stored_at_write_time_and_follow_edits(reviewer):
    claim = new_claim(actor=reviewer)
    stored = np.frombuffer(bytes(claim.vector), dtype=np.float32)
    assert stored.shape == (semantic.DIM,)
    assert np.isclose(np.linalg.norm(stored), 1.0, atol=1e-5)

    edited = workflow.edit_claim(
        claim, actor=reviewer, start=claim.start, end=claim.start + 20
    )

    moved = np.frombuffer(bytes(edited.vector), dtype=np.float32)
    assert not np.array_equal(moved, stored)


def test_same_claim_reuses_the_earlier_sources_and_audits(reviewer):
    approved_check()
    claim = workflow.take_claim(new_claim(), actor=reviewer)
    match = claim.matches.get()

    workflow.answer_match(match, actor=reviewer, same=True)

    match.refresh_from_db()
    assert match.answer == MatchAnswer.SAME and match.answered_by == reviewer
    assert list(claim.sources.values_list("url", flat=True)) == [
        "https://stats.example/exports"
    ]
    event = AuditEvent.objects.get(claim=claim, action="match.confirmed")
    assert event.data["sources_copied"] == ["https://stats.example/exports"]


def test_not_the_same_hides_the_pair_for_good(reviewer):
    approved_check()
    claim = workflow.take_claim(new_claim(), actor=reviewer)
    match = claim.matches.get()

    workflow.answer_match(match, actor=reviewer, same=False)

    assert not claim.matches.exclude(answer=MatchAnswer.DIFFERENT).exists()
    assert AuditEvent.objects.filter(claim=claim, action="match.rejected").exists()
    with pytest.raises(workflow.InvalidTransition):
        workflow.answer_match(match, actor=reviewer, same=True)
    assert not claim.sources.exists()


def test_only_who_may_work_the_claim_answers(reviewer, other_reviewer):
    approved_check()
    claim = workflow.take_claim(new_claim(), actor=reviewer)
    match = claim.matches.get()

    with pytest.raises(PermissionDenied):
        workflow.answer_match(match, actor=other_reviewer, same=True)

    match.refresh_from_db()
    assert match.answer == MatchAnswer.PENDING
    assert not AuditEvent.objects.filter(action__startswith="match.").exists()


def test_claim_page_shows_the_earlier_verdict_and_answers_by_post(client, reviewer):
    earlier = approved_check()
    claim = workflow.take_claim(new_claim(), actor=reviewer)
    match = claim.matches.get()
    client.force_login(reviewer)

    page = client.get(reverse("claim-detail", args=[claim.pk])).content.decode()

    assert "Checked before: False" in page
    assert "Wage policy" in page and earlier.text in page
    assert "Same claim: reuse sources" in page

    url = reverse("match-answer", args=[match.pk])
    response = client.post(url, {"answer": "same"})

    assert response.status_code == 302
    assert claim.sources.filter(url="https://stats.example/exports").exists()


@pytest.mark.parametrize("answer", ["", "maybe", "SAME"])
def test_a_bad_answer_or_forged_match_changes_nothing(client, reviewer, answer):
    approved_check()
    claim = workflow.take_claim(new_claim(), actor=reviewer)
    client.force_login(reviewer)
    match = claim.matches.get()

    bad = client.post(reverse("match-answer", args=[match.pk]), {"answer": answer})
    forged = client.post(reverse("match-answer", args=[match.pk + 99]), {})

    assert bad.status_code == 302 and forged.status_code == 404
    match.refresh_from_db()
    assert match.answer == MatchAnswer.PENDING
    assert not claim.sources.exists()


def test_queue_and_article_page_mark_claims_checked_before(client, reviewer):
    approved_check()
    claim = new_claim()
    client.force_login(reviewer)

    queue = client.get(reverse("queue")).content.decode()
    article = client.get(reverse("article-detail", args=[claim.article_id]))

    assert "checked before" in queue
    assert "checked before" in article.content.decode()


def test_a_rejected_pair_is_no_longer_marked_in_the_queue(client, reviewer):
    approved_check()
    claim = workflow.take_claim(new_claim(), actor=reviewer)
    workflow.answer_match(claim.matches.get(), actor=reviewer, same=False)
    client.force_login(reviewer)

    queue = client.get(reverse("queue") + "?status=in_progress").content.decode()

    assert "checked before</span>" not in queue
    assert ClaimMatch.objects.count() == 1


def test_matches_are_made_against_many_earlier_checks(reviewer):
    editor = make_user(role=Role.EDITOR)
    for i in range(5):
        article = make_article(lines=[f"Unrelated item number {i} about bridges."])
        make_claim(state=ClaimState.APPROVED, article=article, editor=editor)
    earlier = approved_check()

    claim = new_claim()

    assert [m.earlier_id for m in claim.matches.all()][:1] == [earlier.pk]
