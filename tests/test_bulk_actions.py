"""Editors' bulk actions: each row its own transaction and event; failures named."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from factcheck import workflow
from factcheck.models import AuditEvent, ClaimState

from .factories import make_article

pytestmark = pytest.mark.django_db

LINES = [
    "Exports rose 12 percent in 2025, the ministry said.",
    "Officials reported 3,400 new rail wagons in 2024.",
    "The treaty was signed in Moscow in 2001.",
]


@pytest.fixture
def claims():
    return list(make_article(lines=LINES).claims.order_by("start"))


def test_bulk_assign_applies_each_row_with_its_own_event(editor, reviewer, claims):
    results = workflow.bulk_apply(
        [c.pk for c in claims], actor=editor, operation="assign", assignee=reviewer
    )

    assert all(r.ok for r in results) and len(results) == 3
    assert AuditEvent.objects.filter(action="claim.assigned").count() == 3
    for claim in claims:
        claim.refresh_from_db()
        assert claim.assignee == reviewer


def test_a_failing_row_is_named_and_the_others_apply(editor, reviewer, claims):
    dismissed = workflow.dismiss_claim(claims[1], actor=editor, reason="Dup")

    results = workflow.bulk_apply(
        [c.pk for c in claims], actor=editor, operation="assign", assignee=reviewer
    )

    by_id = {r.claim_id: r for r in results}
    assert not by_id[dismissed.pk].ok
    assert by_id[dismissed.pk].label.startswith(f"#{dismissed.pk} ")
    assert "dismissed" in by_id[dismissed.pk].message.lower()
    assert by_id[claims[0].pk].ok and by_id[claims[2].pk].ok
    assert AuditEvent.objects.filter(action="claim.assigned").count() == 2


def test_a_stale_row_is_refused(editor, reviewer, claims):
    versions = {c.pk: c.version for c in claims}
    workflow.take_claim(claims[0], actor=reviewer)

    results = workflow.bulk_apply(
        [c.pk for c in claims],
        actor=editor,
        operation="dismiss",
        reason="Out of scope",
        versions=versions,
    )

    assert [r.ok for r in results] == [False, True, True]
    assert "Someone else changed" in results[0].message


def test_release_dismiss_and_set_due(editor, reviewer, claims):
    workflow.take_claim(claims[0], actor=reviewer)
    due = timezone.now() + timedelta(hours=3)

    released = workflow.bulk_apply([claims[0].pk], actor=editor, operation="release")
    dued = workflow.bulk_apply(
        [c.pk for c in claims], actor=editor, operation="set_due", due_at=due
    )
    dismissed = workflow.bulk_apply(
        [claims[2].pk], actor=editor, operation="dismiss", reason="Opinion"
    )

    assert released[0].ok and all(r.ok for r in dued) and dismissed[0].ok
    claims[2].refresh_from_db()
    assert claims[2].state == ClaimState.DISMISSED and claims[2].due_at == due
    assert AuditEvent.objects.filter(action="claim.due_set").count() == 3


def test_reviewers_may_not_bulk(reviewer, claims):
    with pytest.raises(PermissionDenied):
        workflow.bulk_apply([claims[0].pk], actor=reviewer, operation="release")


def test_unknown_ids_are_reported(editor, claims):
    results = workflow.bulk_apply([999_999], actor=editor, operation="release")

    assert results[0].ok is False and results[0].label == "#999999"


# --- HTTP -----------------------------------------------------------------------


def test_bulk_view_reports_each_failure_by_name(client, editor, reviewer, claims):
    workflow.dismiss_claim(claims[1], actor=editor, reason="Dup")
    client.force_login(editor)

    response = client.post(
        reverse("queue-bulk"),
        {
            "claims": [c.pk for c in claims],
            "operation": "assign",
            "assignee": reviewer.pk,
            "next": "/queue/?status=open",
            **{f"v{c.pk}": c.version for c in claims},
        },
        follow=True,
    )

    body = response.content.decode()
    assert response.redirect_chain[-1][0] == "/queue/?status=open"
    assert "Applied to 2 of 3 claims." in body
    assert f"#{claims[1].pk} " in body
    claims[0].refresh_from_db()
    assert claims[0].assignee == reviewer


def test_bulk_view_validates_and_is_for_editors(client, editor, reviewer, claims):
    client.force_login(reviewer)
    forbidden = client.post(
        reverse("queue-bulk"), {"claims": [claims[0].pk], "operation": "release"}
    )
    client.force_login(editor)
    invalid = client.post(
        reverse("queue-bulk"),
        {"claims": [claims[0].pk], "operation": "dismiss", "reason": ""},
        follow=True,
    )

    assert forbidden.status_code == 403
    assert "Say why the claims are dismissed." in invalid.content.decode()
    claims[0].refresh_from_db()
    assert claims[0].state == ClaimState.OPEN
