"""The dashboard: my claims, returned to me with the comment, counts with links."""

from __future__ import annotations

import pytest

from factcheck.models import ClaimState

from .factories import make_claim

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


def test_dashboard_query_count_is_constant(
    client, reviewer, editor, django_assert_max_num_queries
):
    make_claim(state=ClaimState.RETURNED, reviewer=reviewer, editor=editor)
    client.force_login(reviewer)
    with django_assert_max_num_queries(25) as small:
        client.get("/")
    for _ in range(8):
        make_claim(state=ClaimState.RETURNED, reviewer=reviewer, editor=editor)
        make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/")

    assert len(response.context["returned"]) == 9
