"""The article list: claim counts by status, paginated, in constant queries."""

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

    row = next(a for a in response.context["page_obj"] if a.pk == article.pk)
    assert (row.claims_total, row.claims_open, row.claims_dismissed) == (3, 2, 1)
    assert article.title in response.content.decode()


def test_constant_query_count(client, reviewer, django_assert_max_num_queries):
    client.force_login(reviewer)
    used = []
    for total in (3, 30):
        while Article.objects.count() < total:
            make_article(actor=reviewer)

        # Session, user, permissions, the page count and the page: never per row.
        with django_assert_max_num_queries(10) as queries:
            response = client.get(reverse("article-list"))

        used.append(len(queries))
        assert len(response.context["page_obj"]) == min(total, 25)
    assert used[0] == used[1]


def test_needs_a_desk_role(client, outsider):
    client.force_login(outsider)

    assert client.get(reverse("article-list")).status_code == 403
