"""The queue and audit log at thousands of articles: filters cost what a page shows.

A ``<select>`` with one option per article (or per person) grows the page with the
archive even while its query count stays constant. Here a desk of 3,000 articles and
300 people renders the queue and the audit log in the same number of queries as a
one-article desk, and in about the same number of bytes: a list of every article
would add over 60 KB (3,000 options of 20+ bytes), far past the margin allowed.
"""

from __future__ import annotations

import hashlib
from itertools import cycle

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from factcheck.models import Article, AuditEvent, Claim, ClaimKind, ClaimState, User

pytestmark = pytest.mark.django_db

ARTICLES = 3000
PEOPLE = 300
# What may differ between the two desks' pages: titles and names in the rows shown.
MARGIN = 15_000
OPTION_BYTES = 20  # the least one more <option> of an article could cost


def _desk(
    tag: str, articles: int, people: int, *, per_article: int, ingester: User
) -> None:
    """Articles with ``per_article`` claims and audit events each, written in bulk
    (a scale fixture, not a workflow: the pages under test only read them)."""
    users = User.objects.bulk_create(
        User(username=f"{tag}{i:04d}", password=make_password(None))
        for i in range(people)
    )
    rows = Article.objects.bulk_create(
        Article(
            title=f"{tag.title()} article {i:05d} on the budget",
            slug=f"{tag}-{i:05d}",
            body="Exports rose 4 percent. " * per_article,
            ingested_by=ingester,
        )
        for i in range(articles)
    )
    kinds, states = (
        cycle(ClaimKind.values),
        cycle([ClaimState.OPEN] * 3 + [ClaimState.APPROVED]),
    )
    Claim.objects.bulk_create(
        Claim(
            article=article,
            position=n,
            text=f"Exports rose {n} percent in {article.title[-15:]}.",
            start=24 * n,
            end=24 * n + 23,
            kind=next(kinds),
            state=next(states),
            score=(article.pk % 97) / 97,
        )
        for article in rows
        for n in range(per_article)
    )
    actors = cycle(users)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=(actor := next(actors)),
            actor_label=actor.username,
            action="note.added",
            article=article,
            summary=article.title,
            prev_hash="0" * 64,
            hash=hashlib.sha256(f"{tag}-{article.pk}-{n}".encode()).hexdigest(),
        )
        for article in rows
        for n in range(per_article)
    )


@pytest.fixture
def desks(editor, django_assert_max_num_queries):
    """Measure a page on a one-article desk, then on a 3,000-article one."""

    def measure(client, url, django_assert_num_queries, **params):
        _desk("small", 1, 3, per_article=60, ingester=editor)
        client.force_login(editor)
        # Each desk is read once first: per-process caches (content types, the
        # audit chain head's count) then play no part in the comparison.
        client.get(url, params)
        with django_assert_max_num_queries(30) as small_queries:
            small = client.get(url, params)
        # A live view of the connection's log, which the next request empties.
        queries = len(small_queries.captured_queries)
        _desk("scale", ARTICLES - 1, PEOPLE, per_article=2, ingester=editor)
        client.get(url, params)
        # At most: a large desk may answer its capped counts from the cache.
        with django_assert_max_num_queries(queries):
            large = client.get(url, params)
        return small, large

    return measure


def test_queue_stays_small_with_thousands_of_articles(
    client, desks, django_assert_num_queries
):
    small, large = desks(client, reverse("queue"), django_assert_num_queries)

    assert Article.objects.count() == ARTICLES
    assert large.status_code == 200 and len(large.context["claims"]) == 50
    assert len(large.content) < len(small.content) + MARGIN
    assert MARGIN < ARTICLES * OPTION_BYTES
    assert "1,000+ claims" in large.content.decode()
    assert large.content.decode().count("<option") < 40  # status, kind, assignee, sort


def test_queue_filtered_by_words_stays_small(client, desks, django_assert_num_queries):
    small, large = desks(
        client, reverse("queue"), django_assert_num_queries, article="BUDGET"
    )

    assert len(large.context["claims"]) == 50
    assert len(large.content) < len(small.content) + MARGIN


def test_audit_log_stays_small_with_thousands_of_articles_and_people(
    client, desks, django_assert_num_queries
):
    small, large = desks(client, reverse("audit-log"), django_assert_num_queries)

    assert User.objects.count() > PEOPLE and AuditEvent.objects.count() > 2 * ARTICLES
    assert large.status_code == 200
    assert len(large.content) < len(small.content) + MARGIN
    assert large.content.decode().count("<option") < len(small.content.decode()) // 100
    assert 'name="actor"' in large.content.decode()


def test_audit_log_filtered_by_actor_words_stays_small(
    client, desks, django_assert_num_queries
):
    small, large = desks(
        client, reverse("audit-log"), django_assert_num_queries, actor="S"
    )

    assert large.status_code == 200
    assert len(large.content) < len(small.content) + MARGIN
    shown = {e.actor_label for e in large.context["page"]}
    assert len(shown) > 1 and all(name.startswith("scale") for name in shown)


def test_counts_are_kept_briefly_only_once_they_pass_the_cap():
    from django.core.cache import cache

    from factcheck import counts

    cache.clear()
    calls = []

    def small():
        calls.append("small")
        return {"total": counts.CAP}

    def large():
        calls.append("large")
        return {"total": counts.CAP + 1}

    for _ in range(2):
        assert counts.cached_when_capped("t", "a", small) == {"total": counts.CAP}
        assert counts.cached_when_capped("t", "b", large) == {"total": counts.CAP + 1}
    # The exact (small) counts are computed every time, the capped ones once.
    assert calls == ["small", "large", "small"]
    cache.clear()
