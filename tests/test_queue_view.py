"""The queue page: filters in the URL, counts, sorting, paging, constant queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from factcheck import workflow

from .factories import make_article

pytestmark = pytest.mark.django_db

LINES = [
    "Officials said unemployment fell to 4 percent in 2024.",
    "The ministry reported 3,400 new rail wagons in 2023, up 12 percent.",
    "The treaty was signed in Moscow in 2001 by both presidents.",
]


def _ids(response):
    return [c.pk for c in response.context["claims"]]


def test_default_queue_shows_claims_that_need_work(client, reviewer, editor):
    article = make_article(lines=LINES)
    first, second, third = article.claims.order_by("start")
    workflow.dismiss_claim(third, actor=editor, reason="Not checkable")
    workflow.take_claim(second, actor=reviewer)
    client.force_login(reviewer)

    response = client.get(reverse("queue"))

    assert response.status_code == 200
    assert set(_ids(response)) == {first.pk, second.pk}
    assert response.context["counts"]["status_dismissed"] == 1


def test_filters_live_in_the_url(client, reviewer, other_reviewer):
    article = make_article(lines=LINES)
    other = make_article(lines=LINES[:1])
    first, second, _ = article.claims.order_by("start")
    workflow.take_claim(first, actor=reviewer)
    workflow.take_claim(second, actor=other_reviewer)
    client.force_login(reviewer)

    mine = client.get(reverse("queue"), {"assignee": "mine"})
    nobody = client.get(reverse("queue"), {"assignee": "nobody", "article": article.pk})
    in_other = client.get(reverse("queue"), {"article": other.pk})
    kind = client.get(reverse("queue"), {"kind": first.kind, "assignee": "mine"})

    assert _ids(mine) == [first.pk]
    assert len(_ids(nobody)) == 1 and _ids(nobody)[0] not in (first.pk, second.pk)
    assert _ids(in_other) == [other.claims.get().pk]
    assert _ids(kind) == [first.pk]
    assert mine.context["counts"]["assignee_nobody"] == 2


def test_status_filter_and_counts(client, reviewer):
    article = make_article(lines=LINES)
    workflow.take_claim(article.claims.order_by("start").first(), actor=reviewer)
    client.force_login(reviewer)

    response = client.get(reverse("queue"), {"status": "in_progress"})

    counts = response.context["counts"]
    assert len(_ids(response)) == 1
    assert counts["status_open"] == 2 and counts["status_in_progress"] == 1
    assert counts["status_"] == 3
    assert "Open (2)" in response.content.decode()


def test_sorting_by_priority_age_and_due(client, editor):
    article = make_article(lines=LINES)
    claims = list(article.claims.order_by("start"))
    soon = timezone.now() + timedelta(hours=1)
    workflow.set_claim_due(claims[2], actor=editor, due_at=soon)
    workflow.set_claim_due(claims[1], actor=editor, due_at=soon + timedelta(hours=1))
    client.force_login(editor)

    priority = _ids(client.get(reverse("queue")))
    by_due = _ids(client.get(reverse("queue"), {"sort": "due"}))
    by_age = _ids(client.get(reverse("queue"), {"sort": "age"}))

    expected = [
        c.pk for c in sorted(claims, key=lambda c: (-c.score, c.created_at, c.pk))
    ]
    assert priority == expected
    assert by_due == [claims[2].pk, claims[1].pk, claims[0].pk]
    assert by_age == [c.pk for c in sorted(claims, key=lambda c: (c.created_at, c.pk))]


def test_overdue_is_highlighted_and_filterable(client, editor):
    article = make_article(lines=LINES)
    late = article.claims.order_by("start").first()
    workflow.set_claim_due(
        late, actor=editor, due_at=timezone.now() - timedelta(hours=2)
    )
    client.force_login(editor)

    response = client.get(reverse("queue"), {"overdue": "on"})

    assert _ids(response) == [late.pk]
    body = response.content.decode()
    assert "overdue by" in body and 'class="queue-row overdue"' in body


def test_article_due_time_applies_to_its_claims(client, editor):
    article = make_article(lines=LINES)
    workflow.set_article_due(
        article, actor=editor, due_at=timezone.now() - timedelta(minutes=5)
    )
    client.force_login(editor)

    response = client.get(reverse("queue"), {"overdue": "1"})

    assert len(_ids(response)) == 3


def test_article_due_view(client, editor, reviewer):
    article = make_article(lines=LINES)
    url = reverse("article-due", args=[article.pk])
    client.force_login(reviewer)
    forbidden = client.post(url, {"due_at": "2030-01-02T10:00"})
    client.force_login(editor)

    response = client.post(url, {"due_at": "2030-01-02T10:00", "next": "/queue/"})

    assert forbidden.status_code == 403
    assert response.status_code == 302 and response["Location"] == "/queue/"
    article.refresh_from_db()
    assert article.due_at.year == 2030


def test_bad_filter_values_fall_back_to_defaults(client, reviewer):
    make_article(lines=LINES)
    client.force_login(reviewer)

    response = client.get(
        reverse("queue"),
        {"status": "nope", "article": "#99999999999", "page": "-3", "sort": "?"},
    )

    assert response.status_code == 200 and len(_ids(response)) == 3
    assert "There is no article #99999999999." in response.content.decode()


def test_empty_queue_says_why(client, reviewer):
    client.force_login(reviewer)

    nothing = client.get(reverse("queue")).content.decode()
    filtered = client.get(reverse("queue"), {"status": "approved"}).content.decode()

    assert "Nothing needs work right now." in nothing
    assert "No claims match these filters." not in nothing
    assert "No claims match these filters." in filtered
    assert f'href="{reverse("queue")}"' in filtered  # a way back to everything


def test_htmx_request_returns_the_table_fragment(client, reviewer):
    make_article(lines=LINES)
    client.force_login(reviewer)

    response = client.get(
        reverse("queue"), {"status": "open"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<section id="queue-table"')


def test_editors_see_the_bulk_bar_and_reviewers_do_not(client, reviewer, editor):
    make_article(lines=LINES)

    client.force_login(reviewer)
    as_reviewer = client.get(reverse("queue")).content.decode()
    client.force_login(editor)
    as_editor = client.get(reverse("queue")).content.decode()

    assert 'id="bulk-form"' not in as_reviewer and 'name="claims"' not in as_reviewer
    assert 'id="bulk-form"' in as_editor and 'form="bulk-form"' in as_editor
    assert "Take next" in as_reviewer and ">Take</button>" in as_reviewer


def test_admin_reads_the_queue_without_take_buttons(client, admin_user):
    make_article(lines=LINES)
    client.force_login(admin_user)

    body = client.get(reverse("queue")).content.decode()

    assert "Take next" not in body and ">Take</button>" not in body


def test_outsider_is_refused(client, outsider):
    client.force_login(outsider)

    assert client.get(reverse("queue")).status_code == 403


def _lines(n):
    return [
        f"Exports rose {i % 90 + 1} percent in {1900 + i % 120} to ${i} million."
        for i in range(n)
    ]


@pytest.mark.parametrize("persona", ["reviewer", "editor"])
def test_query_count_is_constant_from_10_to_1000_claims(
    client, request, persona, django_assert_max_num_queries
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    make_article(lines=_lines(10))
    with django_assert_max_num_queries(30) as small:
        small_page = client.get(reverse("queue"))
    assert len(small_page.context["claims"]) == 10

    make_article(lines=_lines(1000))
    with django_assert_max_num_queries(len(small.captured_queries)):
        large_page = client.get(reverse("queue"), {"sort": "due"})

    assert len(large_page.context["claims"]) == 50
    # Counted no further than the cap: 1,010 claims read as "1,000+".
    assert large_page.context["counts"]["total"] == 1001
    body = large_page.content.decode()
    assert "1,000+ claims" in body and "Page 1 of 20+" in body


# --- The article filter: a search-as-you-type box, not a list of every article -----


def _box(response) -> str:
    """The value the article box shows."""
    return response.context["form"]["article"].value()


def test_article_filter_takes_an_id_a_suggestion_or_words(client, reviewer):
    budget = make_article(lines=LINES[:2], title="Budget 2025: the rail plan")
    make_article(lines=LINES[2:], title="Treaty anniversary")
    client.force_login(reviewer)
    url = reverse("queue")
    in_budget = sorted(budget.claims.values_list("pk", flat=True))

    by_id = client.get(url, {"article": budget.pk})
    by_hash = client.get(url, {"article": f"#{budget.pk}"})
    by_suggestion = client.get(url, {"article": f"Whatever (#{budget.pk})"})
    by_words = client.get(url, {"article": "  rail PLAN "})

    for response in (by_id, by_hash, by_suggestion, by_words):
        assert sorted(_ids(response)) == in_budget
    assert _box(by_id) == f"Budget 2025: the rail plan (#{budget.pk})"
    assert _box(by_words) == "  rail PLAN "
    assert "Take next in this article" in by_id.content.decode()
    assert "Take next in this article" not in by_words.content.decode()


def test_article_words_that_match_nothing_show_nothing(client, reviewer):
    make_article(lines=LINES)
    client.force_login(reviewer)

    response = client.get(reverse("queue"), {"article": "no such title"})

    assert _ids(response) == []
    assert "No claims match these filters." in response.content.decode()


def test_article_box_is_a_search_field_with_a_datalist_htmx_fills(client, reviewer):
    client.force_login(reviewer)

    body = client.get(reverse("queue")).content.decode()

    assert 'type="search" name="article"' in body
    assert 'list="id_article-options"' in body
    assert '<datalist id="id_article-options"></datalist>' in body
    assert f'hx-get="{reverse("lookup-articles")}?field=article"' in body
    assert 'hx-trigger="input changed delay:250ms"' in body
    assert 'hx-target="#id_article-options"' in body
    assert '<select name="article"' not in body


def test_take_next_in_this_article_takes_from_that_article(client, reviewer):
    make_article(lines=LINES)
    wanted = make_article(lines=LINES[:1])
    client.force_login(reviewer)
    page = client.get(reverse("queue"), {"article": wanted.pk}).content.decode()
    assert f'name="article" value="{wanted.pk}"' in page

    response = client.post(reverse("queue-take-next"), {"article": wanted.pk})

    claim = wanted.claims.get()
    claim.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == claim.get_absolute_url()
    assert claim.assignee == reviewer


def test_paging_stops_at_the_count_cap(client, reviewer):
    make_article(lines=_lines(1010))
    client.force_login(reviewer)

    last = client.get(reverse("queue"), {"sort": "age", "page": 20})
    beyond = client.get(reverse("queue"), {"sort": "age", "page": 99999999999})

    assert last.context["page"].number == 20 and not last.context["page"].has_next
    assert len(_ids(last)) == 50
    assert _ids(beyond) == _ids(last)
    assert "narrow the filters to reach the rest" in last.content.decode()


def test_small_queues_page_exactly(client, reviewer):
    make_article(lines=_lines(120))
    client.force_login(reviewer)

    third = client.get(reverse("queue"), {"sort": "age", "page": 3})
    past_the_end = client.get(reverse("queue"), {"sort": "age", "page": 9})

    assert len(_ids(third)) == 20 and _ids(past_the_end) == _ids(third)
    body = third.content.decode()
    assert "Page 3 of 3</span>" in body and "120 claims" in body
    assert "narrow the filters" not in body


def test_filtering_with_htmx_also_updates_take_next(client, reviewer):
    article = make_article(lines=LINES)
    client.force_login(reviewer)

    response = client.get(
        reverse("queue"), {"article": article.pk}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert 'id="take-next" class="inline take-next" hx-swap-oob="true"' in body
    assert f'name="article" value="{article.pk}"' in body
    assert "Take next in this article" in body
