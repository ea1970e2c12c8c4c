"""Bounded windows over the lists of the detail pages that grow without limit.

An article can have hundreds of claims, and a claim thousands of events and hundreds
of notes and sources. A detail page shows one window of each and links to the rest,
so its work is bounded by what it shows, not by the archive:

- ``claim_window``: one page of an article's claims (full rows, for their forms),
  plus where every claim sits in the body (light rows, for the highlighted text);
- ``history``: the newest events, then older ones a window at a time by keyset
  (``?before=<event id>``), never counting or offsetting the whole trail;
- ``tail``: the newest notes or sources with their total, in one query.

Read-only. Query-string input that is not a valid cursor or page means "the first
window", as the list pages' ``?page=`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Subquery, Window
from django.http import QueryDict

from .models import Article, Claim, ClaimState

# An id beyond a bigint is no id: refused before it reaches the database.
_MAX_ID_DIGITS = 18


def cursor(value: str | None) -> int | None:
    """A positive id from the query string, or None."""
    if value and value.isdigit() and len(value) <= _MAX_ID_DIGITS:
        return int(value) or None
    return None


def link(path: str, query: QueryDict, **changes: object) -> str:
    """``path`` with the current query changed; a value of None drops the key."""
    changed = query.copy()
    for key, value in changes.items():
        changed.pop(key, None)
        if value is not None:
            changed[key] = str(value)
    return f"{path}?{changed.urlencode()}" if changed else path


# --- Timelines --------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    """One window of a newest-first timeline and the links around it."""

    events: list
    before: int | None  # the event this window starts below; None: the newest
    older_url: str | None  # the next, older window; None at the oldest event
    newest_url: str


def history(
    fetch: Callable[[int, int | None], list],
    *,
    path: str,
    query: QueryDict,
    first: int,
    more: int,
) -> History:
    """The window the query asks for; one event more is fetched to know if there
    are older ones, so nothing is counted."""
    before = cursor(query.get("before"))
    size = more if before else first
    rows = fetch(size + 1, before)
    events = rows[:size]
    older = link(path, query, before=events[-1].pk) if len(rows) > size else None
    return History(events, before, older, link(path, query, before=None))


def older_than(events: QuerySet, before: int | None) -> QuerySet:
    """Keyset: the events after ``before`` in newest-first order (``-at, -pk``).

    The anchor is looked up inside ``events``, so an id from another timeline
    finds nothing rather than another claim's history.
    """
    if before is None:
        return events
    at = Subquery(events.filter(pk=before).order_by().values("at")[:1])
    return events.filter(at__lte=at).exclude(Q(at=at) & Q(pk__gte=before))


# --- Notes and sources ------------------------------------------------------------


@dataclass(frozen=True)
class Tail:
    """The newest rows of a list, shown in the list's own (oldest first) order."""

    items: list
    total: int
    expanded: bool  # the reader asked for all of them

    @property
    def hidden(self) -> int:
        return self.total - len(self.items)


def tail(rows: QuerySet, size: int, *, expanded: bool = False, cap: int) -> Tail:
    """The last ``size`` rows (``cap`` when expanded) and the total, in one query."""
    limit = cap if expanded else size
    counted = rows.annotate(window_total=Window(Count("pk")))
    items = list(counted.reverse()[:limit])
    items.reverse()
    return Tail(items, items[0].window_total if items else 0, expanded)


# --- An article's claims ----------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """Where a claim sits in the body, and the page of the claim list it is on."""

    pk: int
    start: int
    end: int
    state: str
    position: int
    page: int


@dataclass(frozen=True)
class ClaimWindow:
    page: Page  # of ``spans``
    spans: list[Span]  # every claim of the article, in body order
    claims: list[Claim]  # full rows of this page's claims, in body order
    following: dict[int, Claim]  # live claim shown -> the next live claim (merge)
    page_links: list[int | None]  # page numbers for the pager, None for a gap


def _spans(article: Article, size: int) -> list[Span]:
    rows = article.claims.order_by("start", "pk").values_list(
        "pk", "start", "end", "state", "position"
    )
    return [Span(*row, page=i // size + 1) for i, row in enumerate(rows)]


def _next_live(spans: Iterable[Span]) -> dict[int, int]:
    live = [s.pk for s in spans if s.state != ClaimState.DISMISSED]
    return dict(zip(live, live[1:], strict=False))


def claim_window(
    article: Article, number: object, *, size: int, focus: int | None = None
) -> ClaimWindow:
    """Page ``number`` of the article's claims, or the page holding claim ``focus``.

    Two queries whatever the article's size: the light spans of every claim (their
    count is bounded by the body, itself bounded by the size limit), then the full
    rows of the page's claims and of the claim that follows the last of them.
    """
    spans = _spans(article, size)
    pages = {s.pk: s.page for s in spans}
    paginator = Paginator(spans, size)
    page = paginator.get_page(pages.get(focus, number))
    shown = [s.pk for s in page]
    after = _next_live(spans)
    wanted = set(shown) | {after[pk] for pk in shown if pk in after}
    rows = (
        article.claims.filter(pk__in=wanted)
        .select_related("assignee")
        .with_checked_before()
        .defer("vector")
    )
    full = {c.pk: c for c in rows}
    for claim in full.values():
        claim.article = article  # the rules read it; no query per row
    return ClaimWindow(
        page=page,
        spans=spans,
        claims=[full[pk] for pk in shown if pk in full],
        following={pk: full[after[pk]] for pk in shown if after.get(pk) in full},
        page_links=[
            n if isinstance(n, int) else None
            for n in paginator.get_elided_page_range(page.number)
        ],
    )


def page_of(article: Article, claim_pk: int, *, size: int) -> int:
    """The page of the claim list holding ``claim_pk`` (one count query)."""
    start = Subquery(Claim.objects.filter(pk=claim_pk).values("start")[:1])
    earlier = article.claims.filter(
        Q(start__lt=start) | Q(start=start, pk__lt=claim_pk)
    ).count()
    return earlier // size + 1
