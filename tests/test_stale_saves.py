"""No lost work: two sessions edit the same claim; the second sees a conflict."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from factcheck import workflow
from factcheck.models import AuditEvent, ClaimState
from factcheck.workflow import Conflict

from .factories import make_claim, rating

pytestmark = pytest.mark.django_db


def test_workflow_refuses_a_draft_from_an_older_version(reviewer, editor):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    seen = claim.version
    workflow.save_verdict_draft(
        claim, actor=editor, rating=None, rationale="Editor", expected_version=seen
    )

    with pytest.raises(Conflict) as info:
        workflow.save_verdict_draft(
            claim, actor=reviewer, rating=None, rationale="Me", expected_version=seen
        )

    assert info.value.current.version == seen + 1
    assert claim.verdicts.get(is_current=True).rationale == "Editor"


def _sessions(reviewer, editor):
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(reviewer)
    return first, second


def _save(client, claim, text, version, **headers):
    return client.post(
        reverse("verdict-save", args=[claim.pk]),
        {"rating": rating("false").pk, "rationale": text, "version": version},
        headers=headers,
    )


def test_second_browser_gets_409_with_both_texts(reviewer, editor):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    first, second = _sessions(reviewer, editor)
    # Both pages were drawn at the same version.
    seen = claim.version

    saved = _save(first, claim, "The editor careful rationale", seen)
    stale = _save(second, claim, "The reviewer own rationale", seen)

    assert saved.status_code == 302
    assert stale.status_code == 409
    body = stale.content.decode()
    assert "Someone else saved this claim" in body
    assert "The editor careful rationale" in body  # theirs, shown
    assert "The reviewer own rationale" in body  # mine, kept in the form
    assert claim.verdicts.get(is_current=True).rationale.startswith("The editor")
    assert AuditEvent.objects.filter(claim=claim, action="verdict.saved").count() == 1


def test_htmx_conflict_is_a_200_partial_that_can_be_resaved(reviewer, editor):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    first, second = _sessions(reviewer, editor)
    seen = claim.version
    _save(first, claim, "Theirs", seen)

    stale = _save(second, claim, "Mine", seen, **{"HX-Request": "true"})

    body = stale.content.decode()
    assert stale.status_code == 200 and "<html" not in body
    assert 'class="conflict"' in body and "Theirs" in body and "Mine" in body
    claim.refresh_from_db()
    # The form is redrawn at the current version, so saving again is deliberate.
    assert f'name="version" value="{claim.version}"' in body
    again = _save(second, claim, "Mine", claim.version)
    assert again.status_code == 302
    assert claim.verdicts.get(is_current=True).rationale == "Mine"


def test_stale_submit_is_refused_too(reviewer, editor):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    workflow.add_source(claim, actor=reviewer, url="https://a.example/", title="A")
    first, second = _sessions(reviewer, editor)
    seen = claim.version
    _save(first, claim, "Theirs", seen)

    response = second.post(
        reverse("verdict-submit", args=[claim.pk]),
        {"rating": rating("false").pk, "rationale": "Mine", "version": seen},
    )

    assert response.status_code == 409
    claim.refresh_from_db()
    assert claim.state == ClaimState.IN_PROGRESS


def test_adding_sources_and_notes_does_not_make_a_form_stale(reviewer, editor):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    seen = claim.version
    workflow.add_source(claim, actor=editor, url="https://b.example/", title="B")
    workflow.add_note(claim, actor=editor, body="FYI")
    workflow.set_claim_due(claim, actor=editor, due_at=None)

    draft = workflow.save_verdict_draft(
        claim, actor=reviewer, rating=None, rationale="Fine", expected_version=seen
    )

    assert draft.rationale == "Fine"


def test_stale_release_from_a_full_page_redirects_with_the_conflict(
    client, reviewer, editor
):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    seen = claim.version
    workflow.save_verdict_draft(claim, actor=editor, rating=None, rationale="x")
    client.force_login(reviewer)

    response = client.post(
        reverse("claim-release", args=[claim.pk]), {"version": seen}, follow=True
    )

    assert "Someone else changed this claim" in response.content.decode()
    claim.refresh_from_db()
    assert claim.assignee == reviewer
