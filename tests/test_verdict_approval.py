"""Editors approve or return submitted verdicts; nobody decides their own submission."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from factcheck import workflow
from factcheck.audit import AuditAction
from factcheck.models import AuditEvent, Claim, ClaimState, Rating, VerdictState
from factcheck.roles import Role

from .factories import make_claim, make_user

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _events(action: str, claim: Claim) -> int:
    return AuditEvent.objects.filter(action=action, claim=claim).count()


def _require_two_approvals() -> None:
    # The desk's scale is configuration data; arranging it directly is fine here.
    Rating.objects.filter(slug="false").update(required_approvals=2)


# --- Approve ------------------------------------------------------------------


def test_editor_approves_a_submitted_verdict(reviewer, editor):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)

    claim = workflow.approve_verdict(claim, actor=editor)

    assert claim.state == ClaimState.APPROVED
    verdict = workflow.current_verdict(claim)
    assert verdict.state == VerdictState.APPROVED
    assert verdict.decided_by == editor
    assert _events(AuditAction.VERDICT_APPROVED, claim) == 1


def test_approve_over_http_plain_post_redirects(client, reviewer, editor):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    client.force_login(editor)

    response = client.post(
        reverse("claim-approve", args=[claim.pk]), {"version": claim.version}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("approval-list")
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED


def test_approve_over_htmx_returns_the_row(client, reviewer, editor):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    client.force_login(editor)

    response = client.post(
        reverse("claim-approve", args=[claim.pk]),
        {"version": claim.version},
        headers=HTMX,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="approval-{claim.pk}"' in html
    assert "Verdict approved." in html
    assert "claim-changed" in response["HX-Trigger"]
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED


def test_htmx_from_the_claim_page_returns_the_decision_section(
    client, reviewer, editor
):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    client.force_login(editor)

    response = client.post(
        reverse("claim-return", args=[claim.pk]),
        {"version": claim.version, "comment": ""},
        headers={**HTMX, "HX-Target": "claim-decision"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert '<section id="claim-decision"' in html
    assert "a comment is required" in html
    assert "<html" not in html


def test_stale_version_is_a_conflict(client, reviewer, editor):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    client.force_login(editor)

    response = client.post(
        reverse("claim-return", args=[claim.pk]),
        {"version": claim.version - 1, "comment": "Keep my words"},
    )

    assert response.status_code == 409
    assert "Keep my words" in response.content.decode()
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED


# --- Return -------------------------------------------------------------------


def test_return_needs_a_comment(reviewer, editor):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)

    with pytest.raises(ValidationError):
        workflow.return_verdict(claim, actor=editor, comment="   ")

    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED
    assert _events(AuditAction.VERDICT_RETURNED, claim) == 0


def test_return_without_comment_over_http_is_refused(client, reviewer, editor):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    client.force_login(editor)

    response = client.post(reverse("claim-return", args=[claim.pk]), {"comment": ""})

    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED


def test_return_with_comment_reaches_the_reviewer(client, reviewer, editor):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    client.force_login(editor)

    response = client.post(
        reverse("claim-return", args=[claim.pk]),
        {"version": claim.version, "comment": "Needs a primary source"},
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.RETURNED
    assert claim.assignee == reviewer
    verdict = workflow.current_verdict(claim)
    assert verdict.decision_comment == "Needs a primary source"
    event = AuditEvent.objects.get(action=AuditAction.VERDICT_RETURNED, claim=claim)
    assert event.data["comment"] == "Needs a primary source"
    assert event.subject_user == reviewer


def test_comment_length_is_bounded(client, reviewer, editor):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    client.force_login(editor)

    response = client.post(
        reverse("claim-return", args=[claim.pk]), {"comment": "x" * 5000}
    )

    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED


# --- Reopen -------------------------------------------------------------------


def test_reopen_needs_a_reason_and_audits_it(client, reviewer, editor):
    claim = make_claim(state=ClaimState.APPROVED, reviewer=reviewer, editor=editor)
    client.force_login(editor)

    refused = client.post(reverse("claim-reopen", args=[claim.pk]), {"reason": ""})
    reopened = client.post(
        reverse("claim-reopen", args=[claim.pk]),
        {"reason": "Reader reported a wrong year", "next": "/approvals/"},
    )

    assert refused.status_code == 400
    assert reopened.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.IN_PROGRESS
    assert claim.assignee == reviewer
    event = AuditEvent.objects.get(action=AuditAction.CLAIM_REOPENED, claim=claim)
    assert event.data["reason"] == "Reader reported a wrong year"


def test_reopen_redirect_never_leaves_the_site(client, reviewer, editor):
    claim = make_claim(state=ClaimState.APPROVED, reviewer=reviewer, editor=editor)
    client.force_login(editor)

    response = client.post(
        reverse("claim-reopen", args=[claim.pk]),
        {"reason": "Correction", "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("approval-list")


def test_reviewer_cannot_reopen(client, reviewer, editor):
    claim = make_claim(state=ClaimState.APPROVED, reviewer=reviewer, editor=editor)
    client.force_login(reviewer)

    response = client.post(reverse("claim-reopen", args=[claim.pk]), {"reason": "Mine"})

    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED


# --- Four eyes ----------------------------------------------------------------


def test_editor_cannot_approve_or_return_own_submission(editor):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=editor)

    with pytest.raises(PermissionDenied):
        workflow.approve_verdict(claim, actor=editor)
    with pytest.raises(PermissionDenied):
        workflow.return_verdict(claim, actor=editor, comment="Self-review")

    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED
    assert not workflow.current_verdict(claim).approvals.exists()


@pytest.mark.parametrize("name", ["claim-approve", "claim-return"])
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_forged_post_on_own_submission_is_403(client, editor, name, headers):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=editor)
    client.force_login(editor)
    before = AuditEvent.objects.count()

    response = client.post(
        reverse(name, args=[claim.pk]),
        {"version": claim.version, "comment": "Looks fine to me"},
        headers=headers,
    )

    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED
    assert AuditEvent.objects.count() == before


def test_own_submission_is_shown_as_such_without_buttons(client, editor):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=editor)
    client.force_login(editor)

    html = client.get(reverse("approval-list")).content.decode()

    assert "Your submission." in html
    assert reverse("claim-approve", args=[claim.pk]) not in html
    assert reverse("claim-return", args=[claim.pk]) not in html


@pytest.mark.parametrize("persona", ["reviewer", "admin_user", "outsider"])
def test_non_editors_cannot_decide(client, request, persona, other_reviewer):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=other_reviewer)
    client.force_login(request.getfixturevalue(persona))

    approve = client.post(reverse("claim-approve", args=[claim.pk]))
    listing = client.get(reverse("approval-list"))

    assert approve.status_code == 403
    assert listing.status_code == 403
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED


def test_forged_claim_id_is_404(client, editor):
    client.force_login(editor)

    response = client.post(reverse("claim-approve", args=[999999]))

    assert response.status_code == 404


# --- Approval policy per rating ----------------------------------------------


def test_two_approvals_needs_a_second_distinct_editor(
    client, reviewer, editor, other_editor
):
    _require_two_approvals()
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)

    claim = workflow.approve_verdict(claim, actor=editor)

    assert claim.state == ClaimState.SUBMITTED
    assert _events(AuditAction.VERDICT_APPROVAL_RECORDED, claim) == 1
    client.force_login(editor)
    assert "1 of 2 approvals" in client.get(reverse("approval-list")).content.decode()
    again = client.post(reverse("claim-approve", args=[claim.pk]))
    assert again.status_code == 403  # the same editor twice counts once

    claim = workflow.approve_verdict(claim, actor=other_editor)

    assert claim.state == ClaimState.APPROVED
    assert _events(AuditAction.VERDICT_APPROVED, claim) == 1
    assert workflow.current_verdict(claim).approvals.count() == 2


def test_submitter_approval_never_counts(editor, other_editor):
    _require_two_approvals()
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=editor)

    with pytest.raises(PermissionDenied):
        workflow.approve_verdict(claim, actor=editor)
    claim = workflow.approve_verdict(claim, actor=other_editor)

    assert claim.state == ClaimState.SUBMITTED


def test_a_return_resets_the_approvals(client, reviewer, editor, other_editor):
    _require_two_approvals()
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    workflow.approve_verdict(claim, actor=editor)

    workflow.return_verdict(claim, actor=other_editor, comment="Cite the census")
    claim = workflow.submit_verdict(claim, actor=reviewer)

    assert claim.state == ClaimState.SUBMITTED
    assert workflow.current_verdict(claim).approvals.count() == 0
    client.force_login(editor)
    assert "0 of 2 approvals" in client.get(reverse("approval-list")).content.decode()
    claim = workflow.approve_verdict(claim, actor=editor)
    assert claim.state == ClaimState.SUBMITTED  # the earlier approval did not carry


# --- The queue ----------------------------------------------------------------


def test_queue_is_oldest_first_with_context(client, reviewer, editor):
    first = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    second = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    client.force_login(editor)

    html = client.get(reverse("approval-list")).content.decode()

    assert html.index(f'id="approval-{first.pk}"') < html.index(
        f'id="approval-{second.pk}"'
    )
    assert html.count('class="card approval"') == 2
    assert "Export statistics 2025" in html  # the source
    assert "<p>The official figure is 2 percent.</p>" in html  # rendered Markdown


def test_queue_query_count_is_constant(client, editor, django_assert_max_num_queries):
    reviewer = make_user(role=Role.REVIEWER)
    make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    client.force_login(editor)
    with django_assert_max_num_queries(40) as small:
        client.get(reverse("approval-list"))
    for _ in range(10):
        make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("approval-list"))

    assert response.content.decode().count('class="card approval"') == 11
