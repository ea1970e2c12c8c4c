"""Search-as-you-type lookups: bounded suggestions for the article and person boxes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from factcheck.forms.lookups import LIMIT, MAX_LENGTH, referenced_id
from factcheck.models import Article

from .factories import make_article, make_user

pytestmark = pytest.mark.django_db

ARTICLES = reverse("lookup-articles")
PEOPLE = reverse("lookup-people")


def _values(response) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', response.content.decode())


def _titled(*titles: str) -> list[Article]:
    return [
        make_article(title=title, lines=["Exports rose 4 percent."]) for title in titles
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("#12", 12),
        ("Budget 2025 (#12)", 12),
        ("Budget (#12) extra", None),
        ("#twelve", None),
        ("budget", None),
    ],
)
def test_what_names_a_row_by_id(text, expected):
    assert referenced_id(text) == expected


def test_words_find_titles_containing_them_newest_first(client, reviewer):
    older, newer, _other = _titled("Rail budget", "The BUDGET vote", "Treaty")
    client.force_login(reviewer)

    response = client.get(ARTICLES, {"q": "budget"})

    assert response.status_code == 200
    assert _values(response) == [
        f"The BUDGET vote (#{newer.pk})",
        f"Rail budget (#{older.pk})",
    ]
    assert "<html" not in response.content.decode()


def test_an_id_finds_its_article_and_digits_also_match_titles(client, reviewer):
    first, _ = _titled("Housing", "Water")
    numbered = _titled(f"Top {first.pk} towns")[0]
    client.force_login(reviewer)

    by_hash = _values(client.get(ARTICLES, {"q": f"#{first.pk}"}))
    by_digits = _values(client.get(ARTICLES, {"q": str(first.pk)}))
    by_value = _values(client.get(ARTICLES, {"q": f"Housing (#{first.pk})"}))

    assert by_hash == by_value == [f"Housing (#{first.pk})"]
    assert by_digits == [
        f"Housing (#{first.pk})",
        f"Top {first.pk} towns (#{numbered.pk})",
    ]


def test_at_most_twenty_suggestions_in_constant_queries(
    client, reviewer, django_assert_max_num_queries
):
    client.force_login(reviewer)
    _titled("Budget 0")
    with django_assert_max_num_queries(20) as small:
        client.get(ARTICLES, {"q": "budget"})
    _titled(*(f"Budget {i}" for i in range(1, 30)))

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(ARTICLES, {"q": "budget"})

    assert LIMIT == 20 and len(_values(response)) == LIMIT
    assert _values(response)[0] == f"Budget 29 (#{Article.objects.latest('pk').pk})"


def test_the_box_sends_its_own_name(client, reviewer):
    article = _titled("Energy prices")[0]
    client.force_login(reviewer)

    response = client.get(ARTICLES, {"field": "article", "article": "energy"})

    assert _values(response) == [f"Energy prices (#{article.pk})"]


@pytest.mark.parametrize("q", ["", "   ", "\x01\x02", "#", "#999999999999999999"])
def test_nothing_to_look_for_answers_an_empty_list(client, reviewer, q):
    _titled("Budget")
    client.force_login(reviewer)

    response = client.get(ARTICLES, {"q": q})

    assert response.status_code == 200 and _values(response) == []


def test_an_oversized_query_is_a_clear_400(client, reviewer):
    client.force_login(reviewer)

    response = client.get(ARTICLES, {"q": "y" * (MAX_LENGTH + 1)})

    assert response.status_code == 400
    assert response.content.decode() == f"Type at most {MAX_LENGTH} characters."


def test_titles_are_escaped(client, reviewer):
    _titled('Quotes " and <b>tags</b>')
    client.force_login(reviewer)

    body = client.get(ARTICLES, {"q": "quotes"}).content.decode()

    assert "<b>" not in body and "&lt;b&gt;" in body and "&quot;" in body


def test_people_by_username_start_for_audit_readers_only(client, editor, reviewer):
    bea = make_user(username="bea", display_name="Beatrice Q")
    ben = make_user(username="Ben")
    make_user(username="abe")  # contains "be" but does not start with it
    client.force_login(editor)

    response = client.get(PEOPLE, {"q": "BE"})
    by_id = client.get(PEOPLE, {"q": f"#{reviewer.pk}"})
    client.force_login(reviewer)
    refused = client.get(PEOPLE, {"q": "be"})

    assert _values(response) == [f"bea (#{bea.pk})", f"Ben (#{ben.pk})"]
    assert ">Beatrice Q</option>" in response.content.decode()
    assert _values(by_id) == [f"rae (#{reviewer.pk})"]
    assert refused.status_code == 403


@pytest.mark.parametrize("name", ["lookup-articles", "lookup-people"])
def test_lookups_only_answer_get(client, admin_user, name):
    client.force_login(admin_user)

    assert client.post(reverse(name), {"q": "x"}).status_code == 405
    assert client.get(reverse(name), {"q": "x"}).status_code == 200
