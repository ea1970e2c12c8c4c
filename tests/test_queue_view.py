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
        reverse("queue"), {"status": "nope", "article": "x", "page": "-3", "sort": "?"}
    )

    assert response.status_code == 200 and len(_ids(response)) == 3


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
    assert large_page.context["page"].paginator.count == 1010
