"""Take, take next, release, assign, and dismiss/restore from the claim page:
the workflow rules and their HTTP views."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from factcheck import workflow
from factcheck.models import AuditEvent, ClaimState
from factcheck.workflow import Conflict, InvalidTransition

from .factories import make_article, make_claim

pytestmark = pytest.mark.django_db

LINES = [
    "Officials said unemployment fell to 4 percent in 2024.",
    "I think the weather is nice.",
    "The ministry reported 3,400 new rail wagons in 2023, up 12 percent.",
]


def test_take_makes_the_claim_mine_with_one_event(reviewer):
    claim = make_claim()

    claim = workflow.take_claim(claim, actor=reviewer)

    assert claim.state == ClaimState.IN_PROGRESS and claim.assignee == reviewer
    assert AuditEvent.objects.filter(claim=claim, action="claim.taken").count() == 1


def test_a_taken_claim_cannot_be_taken_again(reviewer, other_reviewer):
    claim = workflow.take_claim(make_claim(), actor=reviewer)

    with pytest.raises(InvalidTransition):
        workflow.take_claim(claim, actor=other_reviewer)


def test_take_from_a_stale_page_is_a_conflict(reviewer, other_reviewer):
    claim = make_claim()
    seen = claim.version
    workflow.take_claim(claim, actor=reviewer)
    workflow.release_claim(claim, actor=reviewer)

    with pytest.raises(Conflict):
        workflow.take_claim(claim, actor=other_reviewer, expected_version=seen)


def test_take_next_hands_out_the_highest_score_first(reviewer, other_reviewer):
    article = make_article(lines=LINES)
    by_score = list(article.claims.order_by("-score", "created_at", "pk"))

    first = workflow.take_next_claim(actor=reviewer)
    second = workflow.take_next_claim(actor=other_reviewer)

    assert [first.pk, second.pk] == [by_score[0].pk, by_score[1].pk]
    assert first.assignee == reviewer and second.assignee == other_reviewer


def test_take_next_returns_none_when_nothing_is_free(reviewer):
    article = make_article(lines=LINES[:1])
    workflow.take_next_claim(actor=reviewer)

    assert workflow.take_next_claim(actor=reviewer, article=article) is None


def test_take_next_needs_the_review_permission(admin_user):
    make_claim()

    with pytest.raises(PermissionDenied):
        workflow.take_next_claim(actor=admin_user)


def test_release_by_assignee_and_not_by_others(reviewer, other_reviewer, editor):
    claim = workflow.take_claim(make_claim(), actor=reviewer)

    with pytest.raises(PermissionDenied):
        workflow.release_claim(claim, actor=other_reviewer)
    claim = workflow.release_claim(claim, actor=reviewer)

    assert claim.state == ClaimState.OPEN and claim.assignee is None
    claim = workflow.take_claim(claim, actor=other_reviewer)
    assert workflow.release_claim(claim, actor=editor).assignee is None


def test_editor_assigns_and_reassigns(editor, reviewer, other_reviewer):
    claim = make_claim()

    claim = workflow.assign_claim(claim, actor=editor, assignee=reviewer)
    claim = workflow.assign_claim(claim, actor=editor, assignee=other_reviewer)

    assert claim.assignee == other_reviewer and claim.state == ClaimState.IN_PROGRESS
    events = AuditEvent.objects.filter(claim=claim, action="claim.assigned")
    assert events.count() == 2
    assert events.order_by("pk").last().data["previous"] == reviewer.username


def test_reviewer_may_not_assign(reviewer, other_reviewer):
    with pytest.raises(PermissionDenied):
        workflow.assign_claim(make_claim(), actor=reviewer, assignee=other_reviewer)


def test_assign_to_someone_who_cannot_review_is_refused(editor, admin_user):
    with pytest.raises(ValidationError):
        workflow.assign_claim(make_claim(), actor=editor, assignee=admin_user)


# --- HTTP -----------------------------------------------------------------------


def test_htmx_take_swaps_the_workspace(client, reviewer):
    claim = make_claim()
    client.force_login(reviewer)

    response = client.post(
        reverse("claim-take", args=[claim.pk]),
        {"version": claim.version},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="claim-workspace"' in body and "The claim is yours." in body
    claim.refresh_from_db()
    assert claim.assignee == reviewer


def test_plain_take_redirects_to_the_claim(client, reviewer):
    claim = make_claim()
    client.force_login(reviewer)

    response = client.post(reverse("claim-take", args=[claim.pk]))

    assert response.status_code == 302
    assert response["Location"] == claim.get_absolute_url()


def test_take_of_a_taken_claim_says_who_has_it(client, reviewer, other_reviewer):
    claim = workflow.take_claim(make_claim(), actor=other_reviewer)
    client.force_login(reviewer)

    response = client.post(reverse("claim-take", args=[claim.pk]), follow=True)

    assert "Not possible while it is in progress" in response.content.decode()
    claim.refresh_from_db()
    assert claim.assignee == other_reviewer


def test_take_next_view_redirects_to_the_claim(client, reviewer):
    claim = make_claim(article=make_article(lines=LINES[:1]))
    client.force_login(reviewer)

    response = client.post(reverse("queue-take-next"))

    assert response.status_code == 302
    assert response["Location"] == claim.get_absolute_url()
    claim.refresh_from_db()
    assert claim.assignee == reviewer


def test_take_next_view_with_nothing_left(client, reviewer):
    client.force_login(reviewer)

    response = client.post(reverse("queue-take-next"), follow=True)

    assert "Nothing left to take" in response.content.decode()


def test_release_view(client, reviewer):
    claim = workflow.take_claim(make_claim(), actor=reviewer)
    client.force_login(reviewer)

    response = client.post(
        reverse("claim-release", args=[claim.pk]), {"version": claim.version}
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.OPEN


def test_assign_view_is_for_editors(client, editor, reviewer, other_reviewer):
    claim = make_claim()
    url = reverse("claim-assign", args=[claim.pk])
    data = {"assignee": other_reviewer.pk, "version": claim.version}

    client.force_login(reviewer)
    forbidden = client.post(url, data)
    client.force_login(editor)
    done = client.post(url, data, headers={"HX-Request": "true"})

    assert forbidden.status_code == 403
    assert done.status_code == 200 and "Assigned to sam" in done.content.decode()
    claim.refresh_from_db()
    assert claim.assignee == other_reviewer


def test_detail_shows_only_allowed_buttons(client, reviewer, other_reviewer, editor):
    claim = workflow.take_claim(make_claim(), actor=reviewer)

    client.force_login(other_reviewer)
    theirs = client.get(claim.get_absolute_url()).content.decode()
    client.force_login(reviewer)
    mine = client.get(claim.get_absolute_url()).content.decode()
    client.force_login(editor)
    editors = client.get(claim.get_absolute_url()).content.decode()

    assert "Release" not in theirs and "Save draft" not in theirs
    assert "Release" in mine and "Save draft" in mine and "Assign to" not in mine
    assert "Assign to" in editors and "Change due times" in editors


def test_forged_claim_id_is_404(client, reviewer):
    client.force_login(reviewer)

    assert client.get(reverse("claim-detail", args=[987_654])).status_code == 404
    assert client.post(reverse("claim-take", args=[987_654])).status_code == 404


def test_admin_reads_the_workspace_without_any_action(client, admin_user, reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    client.force_login(admin_user)

    response = client.get(claim.get_absolute_url())

    body = response.content.decode()
    assert response.status_code == 200
    for label in ("Take this claim", "Release", "Save draft", "Add source", "Add note"):
        assert label not in body


def _from_claim_page(client, name, claim, **data):
    """Post Dismiss/Restore as the claim page's status panel does."""
    form = {"version": claim.version, "next": claim.get_absolute_url(), **data}
    return client.post(reverse(name, args=[claim.pk]), form)


def test_status_panel_offers_dismiss_and_restore_to_editors_only(
    client, reviewer, editor
):
    live = make_claim()
    dismissed = make_claim(state=ClaimState.DISMISSED, editor=editor)

    client.force_login(reviewer)
    reviewers = client.get(live.get_absolute_url()).content.decode()
    client.force_login(editor)
    on_live = client.get(live.get_absolute_url()).content.decode()
    on_dismissed = client.get(dismissed.get_absolute_url()).content.decode()

    assert "Dismiss claim" not in reviewers
    assert reverse("claim-dismiss", args=[live.pk]) in on_live
    assert "Restore to the queue" not in on_live
    assert reverse("claim-restore", args=[dismissed.pk]) in on_dismissed
    assert "Dismiss claim" not in on_dismissed
    assert "Not checkable." in on_dismissed  # the reason is shown


def test_dismiss_from_the_claim_page_comes_back_to_it(client, editor):
    claim = make_claim()
    client.force_login(editor)

    response = _from_claim_page(client, "claim-dismiss", claim, reason="Opinion")

    assert response.status_code == 302
    assert response["Location"] == claim.get_absolute_url()
    claim.refresh_from_db()
    assert claim.state == ClaimState.DISMISSED
    assert claim.dismissed_reason == "Opinion"
    assert AuditEvent.objects.filter(claim=claim, action="claim.dismissed").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Claim dismissed." in page and "Restore to the queue" in page


def test_dismiss_without_a_reason_is_refused_back_on_the_claim_page(client, editor):
    claim = make_claim()
    client.force_login(editor)

    response = _from_claim_page(client, "claim-dismiss", claim, reason="  ")

    assert response.status_code == 302
    assert response["Location"] == claim.get_absolute_url()
    claim.refresh_from_db()
    assert claim.state == ClaimState.OPEN
    assert not AuditEvent.objects.filter(claim=claim, action="claim.dismissed").exists()
    page = client.get(response["Location"]).content.decode()
    assert '<p class="message error" role="status">This field is required.' in page


def test_restore_from_the_claim_page_comes_back_to_it(client, editor):
    claim = make_claim(state=ClaimState.DISMISSED, editor=editor)
    client.force_login(editor)

    response = _from_claim_page(client, "claim-restore", claim)

    assert response["Location"] == claim.get_absolute_url()
    claim.refresh_from_db()
    assert claim.state == ClaimState.OPEN and claim.dismissed_reason == ""
    assert AuditEvent.objects.filter(claim=claim, action="claim.restored").count() == 1


def test_dismiss_ignores_a_next_that_leaves_the_site(client, editor):
    claim = make_claim()
    client.force_login(editor)

    response = client.post(
        reverse("claim-dismiss", args=[claim.pk]),
        {
            "version": claim.version,
            "reason": "Opinion",
            "next": "https://evil.example/",
        },
    )

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert response["Location"].startswith(claim.article.get_absolute_url())


def test_stale_dismiss_from_the_claim_page_says_so(client, editor, reviewer):
    claim = make_claim()
    seen = claim.version
    workflow.take_claim(claim, actor=reviewer)
    client.force_login(editor)

    response = client.post(
        reverse("claim-dismiss", args=[claim.pk]),
        {"version": seen, "reason": "Opinion", "next": claim.get_absolute_url()},
        follow=True,
    )

    claim.refresh_from_db()
    assert claim.state == ClaimState.IN_PROGRESS
    assert "Someone else changed this claim" in response.content.decode()


def test_reviewers_may_not_dismiss(client, reviewer):
    claim = make_claim()
    client.force_login(reviewer)

    response = _from_claim_page(client, "claim-dismiss", claim, reason="Opinion")

    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.state == ClaimState.OPEN
