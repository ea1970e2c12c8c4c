"""List pages at archive scale: the same queries and a bounded response whatever the
archive holds.

A small desk is built through the workflow; then thousands of articles, claims,
verdicts and tens of thousands of audit events are bulk-inserted, as years of
archive would be (the audit rows carry chain-looking hashes; the chain need not
verify here). Each list page must then run exactly the queries it ran on the small
desk, answer 200 and stay under a byte limit, and its cursor must walk the whole
list and back without a gap or a repeat.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from factcheck.audit import AuditAction
from factcheck.models import (
    Article,
    AuditEvent,
    Claim,
    ClaimState,
    Verdict,
    VerdictState,
)

from .factories import make_claim, rating

pytestmark = pytest.mark.django_db

ARTICLES = 3_000
CLAIMS_PER_ARTICLE = 3
EVENTS = 30_000
TIED = 300  # events sharing one timestamp, to page through
BODY = (
    "The ministry said exports rose 12 percent in 2025. Officials reported 3,400 "
    "new wagons. The treaty was signed in 2001."
)
# Bytes of HTML a page may send at any archive size: its rows, not the archive.
MAX_BYTES = {
    "audit-log": 80_000,  # 50 events
    "article-list": 40_000,  # 25 articles
    "approval-list": 200_000,  # 50 verdicts with their context and rationale
    "dashboard": 30_000,  # lists of 10
}
UNASSIGNED = (ClaimState.OPEN, ClaimState.DISMISSED)
STATES = [
    ClaimState.OPEN,
    ClaimState.SUBMITTED,
    ClaimState.APPROVED,
    ClaimState.IN_PROGRESS,
    ClaimState.RETURNED,
    ClaimState.DISMISSED,
]


def _small_desk(reviewer, editor) -> None:
    """A little of everything each page lists, through the workflow."""
    for state in (ClaimState.SUBMITTED, ClaimState.RETURNED, ClaimState.IN_PROGRESS):
        make_claim(state=state, reviewer=reviewer, editor=editor)


def _archive(reviewer, someone) -> None:
    """Years of archive, bulk-inserted; ``someone`` did the work."""
    articles = Article.objects.bulk_create(
        Article(
            title=f"Archive article {i}",
            slug=f"archive-{i}",
            body=BODY,
            outlet="Wire",
            ingested_by=reviewer,
        )
        for i in range(ARTICLES)
    )
    claims = Claim.objects.bulk_create(
        Claim(
            article=article,
            position=n,
            text=f"Claim {n} of {article.title}",
            start=n * 30,
            end=n * 30 + 25,
            state=(state := STATES[(i + n) % len(STATES)]),
            # The archive is someone else's work: the persona's own lists stay as
            # they were, so the page shows the same rows.
            assignee=None if state in UNASSIGNED else someone,
        )
        for i, article in enumerate(articles)
        for n in range(1, CLAIMS_PER_ARTICLE + 1)
    )
    Verdict.objects.bulk_create(
        Verdict(
            claim=claim,
            rating=rating("false"),
            rationale="A long-settled verdict.",
            author=someone,
            state=VerdictState.SUBMITTED,
            submitted_by=someone,
            submitted_at=timezone.now(),
        )
        for claim in claims
        if claim.state == ClaimState.SUBMITTED
    )
    long_ago = timezone.now() - timedelta(days=3 * 365)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            # The oldest TIED events share one timestamp, alone on their day.
            at=long_ago if i < TIED else long_ago + timedelta(days=1, seconds=i),
            actor=someone,
            actor_label=someone.username,
            action=AuditAction.NOTE_ADDED,
            article_id=articles[i % ARTICLES].pk,
            summary=f"archived event {i}",
            prev_hash=f"{i:064x}",
            hash=f"{i + 1:064x}",
        )
        for i in range(EVENTS)
    )


PAGES = [
    ("audit-log", "editor"),
    ("article-list", "reviewer"),
    ("approval-list", "editor"),
    ("dashboard", "reviewer"),
    ("dashboard", "editor"),
]


def _measure(client, django_assert_max_num_queries, name: str):
    """The second request: the first may count the audit chain's new events once
    (``audit.head`` remembers the count per process), a cost of appends, not of
    the page."""
    client.get(reverse(name))
    with django_assert_max_num_queries(50) as queries:
        response = client.get(reverse(name))
    return response, len(queries)


def test_list_pages_cost_the_same_on_a_large_archive(
    client, request, reviewer, other_reviewer, editor, django_assert_max_num_queries
):
    _small_desk(reviewer, editor)
    small = {}
    for name, persona in PAGES:
        client.force_login(request.getfixturevalue(persona))
        small[name, persona] = _measure(client, django_assert_max_num_queries, name)[1]

    _archive(reviewer, other_reviewer)

    problems = []
    for name, persona in PAGES:
        client.force_login(request.getfixturevalue(persona))
        response, queries = _measure(client, django_assert_max_num_queries, name)
        size = len(response.content)
        if response.status_code != 200:
            problems.append(f"{name}: {response.status_code}")
        if queries != small[name, persona]:
            problems.append(f"{name} ({persona}): {queries} != {small[name, persona]}")
        if size > MAX_BYTES[name]:
            problems.append(f"{name}: {size} bytes > {MAX_BYTES[name]}")
    assert problems == []
    # A thousand events deep costs what the first page costs.
    client.force_login(editor)
    url = reverse("audit-log")
    page = client.get(url).context["page"]
    for _ in range(20):
        page = client.get(url + page.next).context["page"]
    with django_assert_max_num_queries(small["audit-log", "editor"]):
        deep = client.get(url + page.next)
    assert deep.context["page"].first == 21 * 50 + 1
    assert "Showing events 1051–1100" in deep.content.decode()


def _walk(client, url: str) -> tuple[list[list[int]], list[list[int]]]:
    """Every page from the first by "Older" links, then back by "Newer" links."""
    pages = [client.get(url).context["page"]]
    while pages[-1].next is not None:
        pages.append(client.get(url + pages[-1].next).context["page"])
    back = [pages[-1]]
    while back[-1].previous is not None:
        back.append(client.get(url + back[-1].previous).context["page"])
    return [[r.pk for r in p] for p in pages], [[r.pk for r in p] for p in back]


def test_cursors_walk_the_archive_and_back_without_gap_or_repeat(
    client, reviewer, other_reviewer, editor
):
    _archive(reviewer, other_reviewer)
    client.force_login(editor)
    oldest = timezone.localtime(AuditEvent.objects.order_by("at").first().at).date()
    # The oldest day holds only the TIED events, which share one timestamp.
    tied = f"{reverse('audit-log')}?date_from={oldest}&date_to={oldest}"

    articles, articles_back = _walk(client, reverse("article-list"))
    events, events_back = _walk(client, tied)

    newest_first = Article.objects.order_by("-ingested_at", "-pk")
    assert sum(articles, []) == list(newest_first.values_list("pk", flat=True))
    assert articles_back == articles[::-1]
    same_time = AuditEvent.objects.filter(at__date=oldest).order_by("-at", "-pk")
    assert sum(events, []) == list(same_time.values_list("pk", flat=True))
    assert len(sum(events, [])) == TIED and len(events) == TIED // 50
    assert events_back == events[::-1]
