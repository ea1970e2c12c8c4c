"""The article list: claim counts by status for the page only, keyset pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from factcheck import workflow
from factcheck.models import Article

from .factories import make_article

pytestmark = pytest.mark.django_db


def test_counts_by_status(client, reviewer, editor):
    article = make_article(actor=reviewer)
    first = article.claims.order_by("position").first()
    workflow.dismiss_claim(first, actor=editor, reason="Not checkable.")
    client.force_login(reviewer)

    response = client.get(reverse("article-list"))

    row = next(a for a in response.context["page"] if a.pk == article.pk)
    assert (row.claims_total, row.claims_open, row.claims_dismissed) == (3, 2, 1)
    assert article.title in response.content.decode()


def test_constant_query_count(client, reviewer, django_assert_max_num_queries):
    client.force_login(reviewer)
    used = []
    for total in (3, 30):
        while Article.objects.count() < total:
            make_article(actor=reviewer)

        # Session, user, permissions, the page, its claim counts: never per row.
        with django_assert_max_num_queries(10) as queries:
            response = client.get(reverse("article-list"))

        used.append(len(queries))
        assert len(response.context["page"]) == min(total, 25)
    assert used[0] == used[1]


def test_pages_newest_first_through_older_and_newer_links(client, reviewer):
    for _ in range(27):
        make_article(actor=reviewer)
    client.force_login(reviewer)
    url = reverse("article-list")

    first = client.get(url)
    older = client.get(url + first.context["page"].next)
    newer = client.get(url + older.context["page"].previous)

    shown = [a.pk for a in first.context["page"]] + [
        a.pk for a in older.context["page"]
    ]
    newest_first = list(
        Article.objects.order_by("-ingested_at", "-pk").values_list("pk", flat=True)
    )
    assert shown == newest_first
    assert [a.pk for a in newer.context["page"]] == newest_first[:25]
    assert "Articles 26–27" in older.content.decode()
    assert 'rel="next">Older</a>' in first.content.decode()


def test_the_list_never_loads_article_bodies(client, reviewer):
    make_article(actor=reviewer)
    client.force_login(reviewer)

    page = client.get(reverse("article-list")).context["page"]

    assert all("body" in a.get_deferred_fields() for a in page)


def test_needs_a_desk_role(client, outsider):
    client.force_login(outsider)

    assert client.get(reverse("article-list")).status_code == 403
