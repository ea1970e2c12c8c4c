"""Drafting and submitting a verdict: who may, what it needs, and read-only after."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from factcheck import workflow
from factcheck.models import AuditEvent, ClaimState, Rating, VerdictState
from factcheck.workflow import InvalidTransition

from .factories import make_claim, rating

pytestmark = pytest.mark.django_db


def _in_progress(reviewer):
    return make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)


def _add_source(claim, actor):
    workflow.add_source(claim, actor=actor, url="https://a.example/", title="A")


def test_draft_then_submit(reviewer):
    claim = _in_progress(reviewer)
    _add_source(claim, reviewer)

    draft = workflow.save_verdict_draft(
        claim, actor=reviewer, rating=rating("false"), rationale="Wrong."
    )
    claim = workflow.submit_verdict(claim, actor=reviewer)

    assert claim.state == ClaimState.SUBMITTED
    draft.refresh_from_db()
    assert draft.state == VerdictState.SUBMITTED and draft.submitted_by == reviewer
    actions = set(
        AuditEvent.objects.filter(claim=claim).values_list("action", flat=True)
    )
    assert {"verdict.saved", "verdict.submitted"} <= actions


@pytest.mark.parametrize(
    ("slug", "rationale", "with_source", "message"),
    [
        (None, "Because.", True, "Choose a rating"),
        ("false", "", True, "Write a rationale"),
        ("false", "Because.", False, "needs at least one source"),
    ],
)
def test_submit_needs_rating_rationale_and_source(
    reviewer, slug, rationale, with_source, message
):
    claim = _in_progress(reviewer)
    if with_source:
        _add_source(claim, reviewer)

    with pytest.raises(ValidationError, match=message):
        workflow.submit_verdict(
            claim,
            actor=reviewer,
            rating=rating(slug) if slug else None,
            rationale=rationale,
        )

    claim.refresh_from_db()
    assert claim.state == ClaimState.IN_PROGRESS


def test_a_rating_that_needs_no_source(reviewer):
    claim = _in_progress(reviewer)
    no_source = Rating.objects.filter(requires_source=False).first()
    assert no_source is not None

    claim = workflow.submit_verdict(
        claim, actor=reviewer, rating=no_source, rationale="Opinion, not fact."
    )

    assert claim.state == ClaimState.SUBMITTED


def test_a_removed_source_does_not_count(reviewer):
    claim = _in_progress(reviewer)
    _add_source(claim, reviewer)
    workflow.remove_source(claim.sources.get(), actor=reviewer)

    with pytest.raises(ValidationError, match="source"):
        workflow.submit_verdict(
            claim, actor=reviewer, rating=rating("false"), rationale="x"
        )


def test_only_assignee_or_editor_drafts(reviewer, other_reviewer, editor):
    claim = _in_progress(reviewer)

    with pytest.raises(PermissionDenied):
        workflow.save_verdict_draft(
            claim, actor=other_reviewer, rating=None, rationale="Mine now"
        )
    draft = workflow.save_verdict_draft(
        claim, actor=editor, rating=None, rationale="Editor's touch"
    )

    assert draft.rationale == "Editor's touch"


def test_submitted_claim_is_read_only_for_the_reviewer(reviewer):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)

    with pytest.raises(InvalidTransition):
        workflow.save_verdict_draft(claim, actor=reviewer, rating=None, rationale="x")
    with pytest.raises(InvalidTransition):
        workflow.submit_verdict(claim, actor=reviewer)


def test_returned_claim_is_revised_as_a_new_draft(reviewer):
    claim = make_claim(state=ClaimState.RETURNED, reviewer=reviewer)
    returned = claim.verdicts.get(is_current=True)

    draft = workflow.save_verdict_draft(
        claim, actor=reviewer, rating=rating("false"), rationale="Now with a source."
    )
    claim = workflow.submit_verdict(claim, actor=reviewer)

    returned.refresh_from_db()
    assert returned.state == VerdictState.RETURNED and not returned.is_current
    assert draft.pk != returned.pk
    assert claim.state == ClaimState.SUBMITTED


# --- HTTP -----------------------------------------------------------------------


def test_htmx_save_draft_returns_the_verdict_panel_and_status(client, reviewer):
    claim = _in_progress(reviewer)
    client.force_login(reviewer)

    response = client.post(
        reverse("verdict-save", args=[claim.pk]),
        {
            "rating": rating("false").pk,
            "rationale": "Draft text",
            "version": claim.version,
        },
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="claim-verdict"' in body and "Draft saved." in body
    # The status panel comes along out of band, drawn at the new version.
    assert 'id="claim-status"' in body and 'hx-swap-oob="true"' in body
    claim.refresh_from_db()
    assert f'name="version" value="{claim.version}"' in body


def test_plain_submit_redirects_and_submits(client, reviewer):
    claim = _in_progress(reviewer)
    _add_source(claim, reviewer)
    client.force_login(reviewer)

    response = client.post(
        reverse("verdict-submit", args=[claim.pk]),
        {"rating": rating("false").pk, "rationale": "Wrong.", "version": claim.version},
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED


def test_incomplete_submit_keeps_the_text(client, reviewer):
    claim = _in_progress(reviewer)
    client.force_login(reviewer)

    response = client.post(
        reverse("verdict-submit", args=[claim.pk]),
        {
            "rating": "",
            "rationale": "My long careful rationale",
            "version": claim.version,
        },
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose a rating" in body and "My long careful rationale" in body
    claim.refresh_from_db()
    assert claim.state == ClaimState.IN_PROGRESS


def test_preview_is_sanitised(client, reviewer):
    claim = _in_progress(reviewer)
    client.force_login(reviewer)
    data = {"rationale": "*yes* <img src=x onerror=alert(1)>", "version": claim.version}

    partial = client.post(
        reverse("verdict-preview", args=[claim.pk]),
        data,
        headers={"HX-Request": "true"},
    )
    page = client.post(reverse("verdict-preview", args=[claim.pk]), data)

    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body
    assert "<em>yes</em>" in body and "<img" not in body
    assert page.status_code == 200 and "<em>yes</em>" in page.content.decode()


def test_submitted_page_has_no_verdict_form_for_the_reviewer(client, reviewer):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    client.force_login(reviewer)

    body = client.get(claim.get_absolute_url()).content.decode()

    assert "Save draft" not in body and "Add source" not in body


def test_returned_comment_is_shown_to_the_reviewer(client, reviewer):
    claim = make_claim(state=ClaimState.RETURNED, reviewer=reviewer)
    client.force_login(reviewer)

    body = client.get(claim.get_absolute_url()).content.decode()

    assert "Needs a primary source." in body and "Save draft" in body


def test_the_verdict_form_explains_each_rating_and_what_it_needs(client, reviewer):
    claim = _in_progress(reviewer)
    Rating.objects.filter(slug="false").update(
        description="The claim is inaccurate.", required_approvals=2
    )
    retired = Rating.objects.exclude(slug="false").first()
    retired.active = False
    retired.save()
    client.force_login(reviewer)

    page = client.get(reverse("claim-detail", args=[claim.pk])).content.decode()

    guide = page.split('<details class="rating-guide">')[1].split("</details>")[0]
    assert "The claim is inaccurate." in guide
    assert "Needs 2 editors' approvals." in guide
    assert "Needs at least one source." in guide
    assert retired.label not in guide  # only ratings on offer
    # The menu offers exactly the ratings the guide explains.
    menu = page.split('name="rating"')[1].split("</select>")[0]
    assert retired.label not in menu and "The claim is inaccurate" not in menu
