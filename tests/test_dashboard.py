"""The dashboard: my claims, returned to me with the comment, counts with links."""

from __future__ import annotations

import pytest

from factcheck import workflow
from factcheck.counts import CAP
from factcheck.models import Claim, ClaimState

from .factories import make_article, make_claim, rating

pytestmark = pytest.mark.django_db


def test_my_claims_and_returned_with_the_editors_comment(client, reviewer):
    mine = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    returned = make_claim(state=ClaimState.RETURNED, reviewer=reviewer)
    client.force_login(reviewer)

    response = client.get("/")

    body = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["my_claims"]) == [mine]
    assert list(response.context["returned"]) == [returned]
    assert "Needs a primary source." in body


def test_counts_link_to_the_filtered_queue(client, reviewer):
    make_claim()
    client.force_login(reviewer)

    body = client.get("/").content.decode()

    assert 'href="/queue/?status=open"' in body
    assert 'href="/queue/?assignee=mine"' in body


def test_returned_shows_the_latest_return_and_who_made_it(
    client, reviewer, editor, other_editor
):
    claim = make_claim(state=ClaimState.RETURNED, reviewer=reviewer, editor=editor)
    claim = _return_again(claim, reviewer, other_editor, "Cite the 2025 report.")
    client.force_login(reviewer)

    response = client.get("/")

    body = response.content.decode()
    shown = response.context["returned"][0].return_verdict
    assert shown.decision_comment == "Cite the 2025 report."
    assert shown.decided_by == other_editor
    assert "Cite the 2025 report." in body and str(other_editor) in body
    # Only the newest return is shown, not the history.
    assert "Needs a primary source." not in body


def _return_again(claim, reviewer, editor, comment):
    claim = workflow.submit_verdict(
        claim, actor=reviewer, rating=rating("false"), rationale="Revised."
    )
    return workflow.return_verdict(claim, actor=editor, comment=comment)


def _returned_claims(n, reviewer, editor):
    for _ in range(n):
        make_claim(state=ClaimState.RETURNED, reviewer=reviewer, editor=editor)


def test_dashboard_query_count_is_constant_from_2_to_20_returned(
    client, reviewer, editor, django_assert_max_num_queries
):
    _returned_claims(2, reviewer, editor)
    make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    client.force_login(reviewer)
    with django_assert_max_num_queries(25) as small:
        client.get("/")
    _returned_claims(18, reviewer, editor)
    for _ in range(8):
        make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/")

    returned = response.context["returned"]
    assert len(returned) == 10 and response.context["more_returned"]
    assert all(c.return_verdict.decision_comment for c in returned)
    assert 'href="/queue/?status=returned&amp;assignee=mine"' in (
        response.content.decode()
    )


def test_awaiting_my_approval_leaves_out_my_own_submissions(
    client, reviewer, editor, other_editor
):
    theirs = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    mine = make_claim(state=ClaimState.SUBMITTED, reviewer=editor)
    client.force_login(editor)

    awaiting = client.get("/").context["awaiting_approval"]

    assert theirs in awaiting and mine not in awaiting
    client.force_login(other_editor)
    assert client.get("/").context["awaiting_approval"] == [theirs, mine]


def test_counts_stop_at_the_cap(client, reviewer):
    article = make_article()
    Claim.objects.bulk_create(
        Claim(article=article, position=n, text=f"Claim {n}", start=0, end=5)
        for n in range(10, CAP + 10)
    )
    client.force_login(reviewer)

    response = client.get("/")

    counts = {state.value: n for state, n, _url in response.context["counts"]}
    assert counts["open"] == f"{CAP:,}+"  # 1,003 open claims
    assert counts["submitted"] == "0"
    assert f"{CAP:,}+</span>" in response.content.decode()
