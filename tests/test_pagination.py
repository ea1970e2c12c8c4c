"""The shared pager: keyset windows and bounded pages, never a count, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.db.models import F
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from factcheck import pagination, workflow
from factcheck.audit import AuditAction
from factcheck.models import Article, AuditEvent, ClaimState

from .factories import decide_claim, make_article, make_claim

pytestmark = pytest.mark.django_db


def _events(n: int, *, at=None, step=timedelta(0), start: int = 0) -> None:
    """``n`` bulk events; ``step`` apart going back from ``at`` (0: all at once)."""
    at = at or timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            at=at - i * step,
            actor_label="bulk",
            action=AuditAction.NOTE_ADDED,
            summary=f"event {start + i}",
            prev_hash="0" * 64,
            hash=f"bulk-{start + i}",
        )
        for i in range(n)
    )


def _newest_first():
    return AuditEvent.objects.order_by("-at", "-pk")


def _query(text: str = "", **params: str) -> QueryDict:
    query = QueryDict(text, mutable=True)
    for name, value in params.items():
        query[name] = value
    return query


def _follow(rows, link: str, per_page: int) -> pagination.Window:
    return pagination.keyset(rows, QueryDict(link.lstrip("?")), per_page=per_page)


# --- Keyset ----------------------------------------------------------------------


def test_the_first_page_has_an_older_link_and_no_newer_one():
    _events(12, step=timedelta(seconds=1))

    page = pagination.keyset(_newest_first(), _query(), per_page=5)

    assert [e.summary for e in page] == [f"event {i}" for i in range(5)]
    assert (page.first, page.last) == (1, 5)
    assert page.next.startswith("?before=")
    assert page.previous is None and page.start is None


@pytest.mark.parametrize("order", [("-at", "-pk"), ("at", "pk"), ("at", "-pk")])
def test_pages_through_equal_timestamps_to_the_end_and_back(order):
    _events(300)  # one timestamp for all: only the pk tells them apart
    rows = AuditEvent.objects.order_by(*order)
    expected = list(rows.values_list("pk", flat=True))

    pages = [pagination.keyset(rows, _query(), per_page=7)]
    while pages[-1].next is not None:
        pages.append(_follow(rows, pages[-1].next, 7))
    back = [pages[-1]]
    while back[-1].previous is not None:
        back.append(_follow(rows, back[-1].previous, 7))

    forward = [e.pk for page in pages for e in page]
    assert forward == expected  # no gap, no repeat, in order
    assert [p.first for p in pages] == list(range(1, 301, 7))
    assert [[e.pk for e in p] for p in reversed(back)] == [
        [e.pk for e in p] for p in pages
    ]
    assert pages[-1].last == 300


def test_rows_added_meanwhile_cause_no_gap_or_repeat():
    past = timezone.now() - timedelta(days=1)
    _events(10, at=past, step=timedelta(minutes=1))
    rows = _newest_first()
    first = pagination.keyset(rows, _query(), per_page=4)
    _events(3, start=100)  # newer than everything: they go on top

    second = _follow(rows, first.next, 4)
    third = _follow(rows, second.next, 4)

    seen = [e.summary for p in (first, second, third) for e in p]
    assert seen == [f"event {i}" for i in range(10)]


def test_newer_with_less_than_a_page_above_shows_the_whole_first_page():
    _events(10, step=timedelta(minutes=1))
    rows = _newest_first()
    # The cursor of event 3: only 3 rows are newer (as when rows above it left
    # a filtered list), fewer than a page.
    cursor = QueryDict(pagination.keyset(rows, _query(), per_page=4).next[1:])

    newer = pagination.keyset(rows, _query(after=cursor["before"]), per_page=4)

    assert (newer.first, len(newer), newer.previous) == (1, 4, None)
    assert [e.summary for e in newer] == [f"event {i}" for i in range(4)]


def test_newer_after_rows_were_added_keeps_its_place():
    past = timezone.now() - timedelta(days=1)
    _events(10, at=past, step=timedelta(minutes=1))
    rows = _newest_first()
    second = _follow(rows, pagination.keyset(rows, _query(), per_page=4).next, 4)
    _events(2, start=100)  # on top: six rows are now newer than page two

    newer = _follow(rows, second.previous, 4)
    newest = _follow(rows, newer.previous, 4)

    assert [e.summary for e in newer] == [f"event {i}" for i in range(4)]
    assert [e.summary for e in newest] == [
        "event 101",
        "event 100",
        "event 0",
        "event 1",
    ]


def test_links_keep_the_filters_and_drop_other_paging():
    _events(6, step=timedelta(seconds=1))

    page = pagination.keyset(
        _newest_first(), _query("action=note.added&page=3&q=a+b"), per_page=2
    )
    older = _follow(_newest_first(), page.next, 2)

    assert page.next.startswith("?action=note.added&q=a+b&before=")
    assert "page=" not in page.next
    assert older.start == "?action=note.added&q=a+b"
    assert older.previous.startswith("?action=note.added&q=a+b&after=")


def test_each_page_is_one_query_and_counts_nothing(django_assert_num_queries):
    _events(40, step=timedelta(seconds=1))
    first = pagination.keyset(_newest_first(), _query(), per_page=10)

    with django_assert_num_queries(1) as queries:
        deep = _follow(_newest_first(), first.next, 10)

    assert deep.first == 11
    assert "COUNT(" not in queries.captured_queries[0]["sql"].upper()
    assert "OFFSET" not in queries.captured_queries[0]["sql"].upper()


def test_keys_of_other_types_and_mixed_directions(reviewer):
    Article.objects.bulk_create(
        Article(title=f"T{i % 3}", slug=f"t-{i}", body="x", ingested_by=reviewer)
        for i in range(9)
    )
    rows = Article.objects.order_by("title", "-id")
    expected = list(rows.values_list("pk", flat=True))

    pages = [pagination.keyset(rows, _query(), per_page=2)]
    while pages[-1].next is not None:
        pages.append(_follow(rows, pages[-1].next, 2))

    assert [a.pk for page in pages for a in page] == expected


def test_an_order_that_does_not_end_in_the_pk_is_a_programming_error():
    with pytest.raises(ValueError, match="pk"):
        pagination.keyset(AuditEvent.objects.order_by("-at"), _query(), per_page=5)
    with pytest.raises(ValueError, match="pk"):
        pagination.keyset(AuditEvent.objects.all(), _query(), per_page=5)
    with pytest.raises(ValueError, match="plain field"):
        pagination.keyset(
            AuditEvent.objects.order_by("article__title", "pk"), _query(), per_page=5
        )
    with pytest.raises(ValueError, match="plain field"):
        pagination.keyset(
            AuditEvent.objects.order_by(F("at").desc(nulls_last=True), "pk"),
            _query(),
            per_page=5,
        )


# --- Hostile cursors ---------------------------------------------------------------


def _signed(rows, payload) -> str:
    """A cursor with a valid signature but the given content (a leaked key)."""
    return signing.dumps(payload, salt=pagination._salt(rows, pagination._keys(rows)))


HOSTILE = {
    "garbage": "garbage",
    "empty signature": "WzFd:",
    "NUL": "a\x00b",
    "huge": "x" * 100_000,
    "unicode": "é" * 40 + ":" + "ü" * 27,
    "many colons": ":::::",
}


@pytest.mark.parametrize("param", ["before", "after"])
@pytest.mark.parametrize("label", HOSTILE)
def test_a_hostile_cursor_gives_the_first_page_with_a_notice(param, label):
    _events(8, step=timedelta(seconds=1))

    page = pagination.keyset(
        _newest_first(), _query(**{param: HOSTILE[label]}), per_page=3
    )

    assert page.first == 1 and len(page) == 3
    assert page.notice == pagination.BAD_CURSOR


def test_a_tampered_cursor_is_refused():
    _events(8, step=timedelta(seconds=1))
    good = pagination.keyset(_newest_first(), _query(), per_page=3).next
    payload, stamp, signature = QueryDict(good[1:])["before"].split(":")
    content = signing.b64_decode(payload.encode()).replace(b"[3,", b"[5,")
    forged = f"{signing.b64_encode(content).decode()}:{stamp}:{signature}"

    page = pagination.keyset(_newest_first(), _query(before=forged), per_page=3)

    assert page.first == 1 and page.notice == pagination.BAD_CURSOR


def test_a_cursor_of_another_list_is_refused(reviewer):
    _events(8, step=timedelta(seconds=1))
    Article.objects.bulk_create(
        Article(title=f"T{i}", slug=f"t-{i}", body="x", ingested_by=reviewer)
        for i in range(8)
    )
    articles = Article.objects.order_by("-ingested_at", "-id")
    theirs = pagination.keyset(articles, _query(), per_page=3).next

    page = _follow(_newest_first(), theirs, 3)

    assert page.first == 1 and page.notice == pagination.BAD_CURSOR


@pytest.mark.parametrize(
    "payload",
    [
        "not a list",
        [],
        [0, "2025-01-01T00:00:00+00:00", 1],  # position below 1
        ["1", "2025-01-01T00:00:00+00:00", 1],  # position not a number
        [1, "2025-01-01T00:00:00+00:00"],  # a key missing
        [1, "yesterday", 1],  # a key that does not parse
        [1, None, 1],  # NULL cannot be compared
        [1, "2025-01-01T00:00:00+00:00", "one"],
        [1, "2025-01-01T00:00:00+00:00", 2**70],
    ],
)
def test_a_signed_cursor_of_the_wrong_shape_is_refused(payload):
    _events(5, step=timedelta(seconds=1))
    rows = _newest_first()

    page = pagination.keyset(rows, _query(before=_signed(rows, payload)), per_page=2)

    assert page.first == 1 and page.notice == pagination.BAD_CURSOR


# --- Bounded pages -------------------------------------------------------------------


def test_bounded_pages_need_no_count(django_assert_num_queries):
    _events(12, step=timedelta(seconds=1))
    rows = _newest_first()

    with django_assert_num_queries(1) as queries:
        second = pagination.bounded(rows, _query("page=2&x=1"), per_page=5)
    third = pagination.bounded(rows, _query("page=3&x=1"), per_page=5)

    assert "COUNT(" not in queries.captured_queries[0]["sql"].upper()
    assert (second.first, second.last) == (6, 10)
    assert second.previous == "?x=1" and second.next == "?x=1&page=3"
    assert len(third) == 2 and third.next is None and third.previous == "?x=1&page=2"


@pytest.mark.parametrize(
    "raw", ["abc", "0", "-1", "1.5", "99999999999", "y" * 5000, "a\x00b", " 2"]
)
def test_bounded_junk_page_numbers_give_the_first_page(raw):
    _events(12, step=timedelta(seconds=1))

    page = pagination.bounded(_newest_first(), _query(page=raw), per_page=5)

    assert page.first == 1 and len(page) == 5 and page.notice


def test_bounded_paging_stops_at_the_cap():
    _events(30, step=timedelta(seconds=1))
    rows = _newest_first()

    last = pagination.bounded(rows, _query("page=3"), per_page=5, max_pages=3)
    beyond = pagination.bounded(rows, _query("page=4"), per_page=5, max_pages=3)

    assert last.first == 11 and last.next is None
    assert beyond.first == 1 and "narrow the filters" in beyond.notice


def test_bounded_page_past_the_end_says_so():
    _events(3, step=timedelta(seconds=1))

    page = pagination.bounded(_newest_first(), _query("page=5"), per_page=5)

    assert list(page) == [] and page.notice == pagination.BAD_PAGE
    assert page.start == ""  # the bare path


# --- Every paged list, over HTTP -----------------------------------------------------


@pytest.fixture
def paged_desk(reviewer, editor):
    """One row on each paged list: an event, an article, a verdict to decide, and a
    published fact-check with a claimant."""
    article = make_article(
        actor=reviewer, lines=["Jane Doe said exports rose 12 percent in 2025."]
    )
    decide_claim(article.claims.get(), reviewer=reviewer, editor=editor)
    workflow.publish_article(article, actor=editor)
    workflow.report_error(
        article, claim_number=1, text="The figure is wrong.", address="192.0.2.1"
    )
    make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    return article


LISTS = [
    ("audit-log", "before"),
    ("audit-log", "after"),
    ("article-list", "before"),
    ("approval-list", "page"),
    ("public-index", "after"),
    ("public-claimant", "before"),
    ("report-list", "before"),
]


@pytest.mark.parametrize(("name", "param"), LISTS)
@pytest.mark.parametrize("junk", ["garbage", "-1", "a\u00e9:b:c", "x" * 400])
def test_every_paged_list_answers_junk_with_its_first_page(
    client, editor, paged_desk, name, param, junk
):
    client.force_login(editor)
    args = ["jane-doe"] if name == "public-claimant" else []

    params = {param: junk, **({"state": "all"} if name == "report-list" else {})}
    response = client.get(reverse(name, args=args), params)

    assert response.status_code == 200
    assert response.context["page"].first == 1
    assert len(response.context["page"]) >= 1
    assert response.context["page"].notice in response.content.decode()
