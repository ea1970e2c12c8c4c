"""Desk search finds articles and claims by words, on SQLite and on PostgreSQL.

Assertions hold on both databases: full-text search (PostgreSQL) and the every-word
fallback (SQLite) agree on whole words that appear or do not appear in a text.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from factcheck.models import ClaimState
from factcheck.search import CLAIM_LIMIT, search_desk

from .factories import make_article, make_claim

pytestmark = pytest.mark.django_db

SEARCH = reverse("search")


def _claim_texts(results) -> set[str]:
    return {claim.text for claim in results.claims}


def test_finds_a_claim_by_a_word_in_its_text(reviewer):
    make_article(
        lines=[
            "The harbour authority said 840 zeppelins docked in 2024.",
            "Tourism grew by a third in the northern provinces.",
        ]
    )

    results = search_desk(reviewer, "zeppelins")

    assert _claim_texts(results) == {
        "The harbour authority said 840 zeppelins docked in 2024."
    }


def test_the_page_shows_the_claim_with_its_article_status_and_verdict(client, editor):
    article = make_article(
        title="Harbour figures",
        lines=["The harbour authority said 840 zeppelins docked in 2024."],
    )
    claim = make_claim(state=ClaimState.SUBMITTED, article=article)
    client.force_login(editor)

    response = client.get(SEARCH, {"q": "zeppelins"})

    assert response.status_code == 200
    assert response.context["results"].claims == [claim]
    assert response.context["results"].claims[0].verdict.rating.slug == "false"
    html = response.content.decode()
    assert reverse("claim-detail", args=[claim.pk]) in html
    assert "Harbour figures" in html
    assert "<mark>zeppelins</mark>" in html
    assert "state-submitted" in html


def test_finds_an_article_by_a_word_in_its_title(reviewer):
    article = make_article(title="Lighthouse budget questioned")
    make_article(title="Rail wagons counted")

    results = search_desk(reviewer, "lighthouse")

    assert results.articles == [article]


def test_finds_claims_of_every_status(reviewer, editor):
    texts = {
        state: f"The quarry produced {n} tonnes of basalt last year."
        for n, state in enumerate(
            [ClaimState.OPEN, ClaimState.APPROVED, ClaimState.DISMISSED], start=1
        )
    }
    for state, text in texts.items():
        make_claim(state=state, article=make_article(lines=[text]), editor=editor)

    results = search_desk(reviewer, "basalt")

    assert {c.state for c in results.claims} == set(texts)


def test_every_word_must_match(reviewer):
    make_article(
        lines=[
            "Fishermen landed record mackerel catches near Tromsø.",
            "Fishermen protested the new herring quotas in Bergen.",
            "Mackerel prices fell in Bergen markets.",
        ]
    )

    results = search_desk(reviewer, "mackerel Bergen")

    assert _claim_texts(results) == {"Mackerel prices fell in Bergen markets."}


@pytest.mark.parametrize("persona", ["reviewer", "editor", "admin_user"])
def test_every_desk_role_may_search(client, request, persona):
    make_article(lines=["The observatory counted 12 comets in March."])
    client.force_login(request.getfixturevalue(persona))

    response = client.get(SEARCH, {"q": "comets"})

    assert response.status_code == 200
    assert len(response.context["results"].claims) == 1


def test_a_user_without_a_role_gets_nothing(client, outsider):
    make_article(
        title="Observatory report",
        lines=["The observatory counted 12 comets in March."],
    )
    client.force_login(outsider)

    response = client.get(SEARCH, {"q": "comets"})

    assert response.status_code == 403
    assert b"comets" not in response.content
    results = search_desk(outsider, "observatory comets")
    assert results.claims == [] and results.articles == []


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(SEARCH, {"q": "comets"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}])
def test_an_empty_query_shows_a_hint_and_searches_nothing(
    client, reviewer, django_assert_max_num_queries, params
):
    make_article()
    client.force_login(reviewer)

    with django_assert_max_num_queries(10) as queries:
        response = client.get(SEARCH, params)

    assert response.status_code == 200
    results = response.context["results"]
    assert not results.searched and results.claims == [] and results.articles == []
    tables = ('"factcheck_claim"', '"factcheck_article"')
    assert not [
        q for q in queries.captured_queries if any(t in q["sql"] for t in tables)
    ]


@pytest.mark.parametrize(
    "query",
    [
        "exports\x00rose",
        "\x00",
        "\x01\x1f\x7f\u202e exports",
        "x" * 5000,
        "exports " * 700,
        "!!! ... ???",
        "'\"()&|!:* <-> \\",
        "-",
        '"unterminated quote',
        "<script>alert(1)</script>",
        "the of and",
        "exports & !rose :* (2025) <-> 'x' \\",
    ],
    ids=[
        "nul-inside",
        "nul-only",
        "control-chars",
        "5000-chars",
        "5000-chars-of-words",
        "punctuation",
        "tsquery-operators",
        "minus",
        "quote",
        "markup",
        "stop-words",
        "words-and-operators",
    ],
)
def test_hostile_queries_never_break_the_page(client, reviewer, query):
    make_article()
    client.force_login(reviewer)
    client.raise_request_exception = False

    response = client.get(SEARCH, {"q": query})

    if "\x00" in query:
        # Refused at the edge (factcheck.middleware), before the search runs.
        assert response.status_code == 400
        return
    assert response.status_code == 200
    assert len(response.context["results"].query) <= 200
    assert b"<script>alert" not in response.content


def test_a_nul_byte_is_a_word_boundary(reviewer):
    make_article(lines=["The ministry said exports rose 12 percent in 2025."])

    results = search_desk(reviewer, "exports\x00rose")

    assert len(results.claims) == 1


def test_only_punctuation_finds_nothing(reviewer):
    make_article(lines=["Exports rose... again?! Officials were unsure."])

    results = search_desk(reviewer, "?! ...")

    assert results.claims == [] and results.articles == []


def test_results_are_capped(reviewer):
    make_article(
        lines=[f"Beekeepers reported {n} hives lost." for n in range(CLAIM_LIMIT + 3)]
    )

    results = search_desk(reviewer, "beekeepers")

    assert len(results.claims) == CLAIM_LIMIT
    assert results.more_claims


def _add_matches(n: int) -> None:
    make_article(lines=[f"Shipyard number {i} launched a tanker." for i in range(n)])


def test_the_query_count_does_not_grow_with_the_matches(
    client, reviewer, editor, django_assert_max_num_queries
):
    # One match with everything a line can show: an assignee, a verdict, its rating.
    worked = make_article(lines=["Shipyard crews launched a tanker early."])
    make_claim(state=ClaimState.SUBMITTED, article=worked, editor=editor)
    _add_matches(2)
    client.force_login(reviewer)

    # Session (read and save), user, permissions, roles; then claims, their current
    # verdicts, articles: whatever the number of matches.
    with django_assert_max_num_queries(11) as few:
        response = client.get(SEARCH, {"q": "shipyard tanker"})
    assert len(response.context["results"].claims) == 3
    _add_matches(27)
    with django_assert_max_num_queries(11) as many:
        response = client.get(SEARCH, {"q": "shipyard tanker"})

    assert len(response.context["results"].claims) == CLAIM_LIMIT
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_navigation_has_the_search_box_for_the_desk(client, reviewer):
    client.force_login(reviewer)

    html = client.get(reverse("dashboard")).content.decode()

    assert 'role="search"' in html
    assert f'action="{SEARCH}"' in html
    assert '<label for="nav-search-q"' in html and 'name="q"' in html


def test_the_navigation_has_no_search_box_without_a_role(client, outsider):
    client.force_login(outsider)

    html = client.get(reverse("dashboard")).content.decode()

    assert 'role="search"' not in html
