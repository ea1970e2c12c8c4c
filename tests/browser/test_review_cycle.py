"""The acceptance path of issue #5: submit, return with a comment, revise, approve.

A reviewer submits a verdict on the claim page; an editor returns it from the
approvals queue with a comment; the reviewer sees the comment, revises and
resubmits; the editor approves. Every step goes through the real pages.
"""

from __future__ import annotations

import pytest

from factcheck import workflow
from factcheck.audit import AuditAction
from factcheck.models import AuditEvent, ClaimState
from factcheck.roles import Role
from tests.factories import make_claim, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/**")


def test_submit_return_revise_approve(page, login, live_server):
    reviewer = make_user(role=Role.REVIEWER, username="rae")
    make_user(role=Role.EDITOR, username="ed")
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    workflow.add_source(
        claim,
        actor=reviewer,
        url="https://stats.example/exports",
        title="Export statistics 2025",
    )
    claim_url = f"{live_server.url}/claims/{claim.pk}/"

    # The reviewer submits a verdict.
    login("rae")
    page.goto(claim_url)
    page.get_by_label("Rating").select_option(label="False")
    page.get_by_label("Rationale").fill("The official figure is 2 percent.")
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_function(
        "() => !document.querySelector('button.primary[formaction$=\"/submit/\"]')"
    )
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED
    _logout(page)

    # The editor returns it from the approvals queue with a comment.
    login("ed")
    page.goto(f"{live_server.url}/approvals/")
    row = page.locator(f"#approval-{claim.pk}")
    assert "The official figure is 2 percent." in row.inner_text()
    row.get_by_label("Return with a comment").fill("Needs a primary source.")
    row.get_by_role("button", name="Return").click()
    page.locator(f"#approval-{claim.pk}").get_by_text(
        "Returned to the reviewer"
    ).wait_for()
    claim.refresh_from_db()
    assert claim.state == ClaimState.RETURNED
    _logout(page)

    # The reviewer sees the comment, revises and resubmits.
    login("rae")
    page.goto(claim_url)
    assert page.get_by_text("Needs a primary source.").first.is_visible()
    page.get_by_label("Rationale").fill(
        "The statistics office's primary release gives 2 percent."
    )
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_function(
        "() => !document.querySelector('button.primary[formaction$=\"/submit/\"]')"
    )
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED
    _logout(page)

    # The editor approves.
    login("ed")
    page.goto(f"{live_server.url}/approvals/")
    row = page.locator(f"#approval-{claim.pk}")
    assert "primary release" in row.inner_text()
    row.get_by_role("button", name="Approve").click()
    page.locator(f"#approval-{claim.pk}").get_by_text("Verdict approved.").wait_for()

    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED
    actions = list(
        AuditEvent.objects.filter(claim=claim)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-4:] == [
        AuditAction.VERDICT_SUBMITTED,
        AuditAction.VERDICT_RETURNED,
        AuditAction.VERDICT_SUBMITTED,
        AuditAction.VERDICT_APPROVED,
    ]
