"""Paging whose cost is bounded by the page shown, never by the archive.

Two kinds, one result (``Window``) and one pager (``factcheck/_pager.html``):

- ``keyset(rows, query, per_page=…)`` for a list ordered by a unique key: the
  queryset's own ``order_by``, ending in ``pk``. ``?before=<cursor>`` is the page
  after the row the cursor names, ``?after=<cursor>`` the page before it. Each page
  is one range scan of ``per_page + 1`` rows from where an index can start, however
  deep it is, and rows added meanwhile cause no gap and no repeat.
- ``bounded(rows, query, per_page=…)`` for a list ordered by something no index
  holds (a subquery): ``?page=N``, ``per_page + 1`` rows fetched to know whether
  another page follows, and N capped at ``MAX_PAGES`` so OFFSET stays short.

Neither counts the whole list: a page says "51–100", never "of 4,600".

A cursor is opaque and signed (``django.core.signing``, salted with the list's model
and order): it carries the named row's key values and its position in the list, for
the "51–100" line. A cursor that is garbled, forged, expired with the secret key, or
taken from another list gives the first page with a notice, never an error.

Invariants: key fields are never NULL (a NULL cannot be compared, so its row would
be skipped); read only; ``query`` is the request's ``QueryDict``, and the links
keep every other parameter of it (the filters).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict

MAX_PAGES = 200  # bounded(): the deepest ``?page=``; beyond it, narrow the filters
MAX_CURSOR = 500  # characters; a real cursor is about 100
PAGE_PARAMS = ("before", "after", "page")
BAD_CURSOR = "That page link is out of date or damaged; here is the first page."
BAD_PAGE = "There is no such page; here is the first page."
TOO_DEEP = (
    "Paging stops at page {max}; narrow the filters to reach older entries. "
    "Here is the first page."
)
_SALT = "factcheck.pagination"


@dataclass(frozen=True)
class Window:
    """One page of a list: its rows, where they sit, and the links around it.

    ``previous``/``next``/``start`` are the query strings of the page before, the
    page after and the first page ("?…", or "" for the bare path; the pager puts
    the path in front), or None when there is no such page. ``first`` is the
    position of the first row, from 1.
    """

    items: list
    first: int = 1
    previous: str | None = None
    next: str | None = None
    start: str | None = None
    notice: str = ""

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1

    @property
    def is_first(self) -> bool:
        return self.previous is None

    def __iter__(self) -> Iterator:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def _link(query: QueryDict, **param: object) -> str:
    """The current query string without paging, plus ``param`` ("" if empty)."""
    kept = query.copy()
    for name in PAGE_PARAMS:
        kept.pop(name, None)
    for name, value in param.items():
        kept[name] = str(value)
    return f"?{kept.urlencode()}" if kept else ""


# --- Keyset --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Key:
    name: str
    descending: bool
    field: object  # the model field or annotation output field, for to_python()


def _keys(rows: QuerySet) -> list[_Key]:
    """The list's order as keys; it must be plain field names ending in the pk."""
    order = list(rows.query.order_by)
    for item in order:
        if not isinstance(item, str) or "__" in item or "?" in item:
            raise ValueError(f"keyset() orders by plain field names, not {item!r}")
    if not order or order[-1].lstrip("-") not in ("pk", "id"):
        raise ValueError(f"keyset() needs an order ending in the pk, not {order!r}")
    keys = []
    for item in order:
        name = item.lstrip("-")
        annotation = rows.query.annotations.get(name)
        if annotation is not None:
            field = annotation.output_field
        elif name == "pk":
            field = rows.model._meta.pk
        else:
            field = rows.model._meta.get_field(name)
        keys.append(_Key(name, item.startswith("-"), field))
    return keys


def _salt(rows: QuerySet, keys: list[_Key]) -> str:
    order = ",".join(("-" if k.descending else "") + k.name for k in keys)
    return f"{_SALT}:{rows.model._meta.label}:{order}"


def _plain(value: object) -> object:
    """A key value as JSON; every digit kept (a datetime to the microsecond)."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _cursor(rows: QuerySet, keys: list[_Key], row: object, position: int) -> str:
    values = [_plain(getattr(row, key.name)) for key in keys]
    return signing.dumps([position, *values], salt=_salt(rows, keys))


def _read(rows: QuerySet, keys: list[_Key], token: str) -> tuple[int, list] | None:
    """The position and key values a cursor names, or None if it is not valid."""
    if len(token) > MAX_CURSOR:
        return None
    try:
        position, *values = signing.loads(token, salt=_salt(rows, keys))
        if not isinstance(position, int) or position < 1 or len(values) != len(keys):
            return None
        parsed = [key.field.to_python(v) for key, v in zip(keys, values, strict=True)]
        for key, value in zip(keys, parsed, strict=True):
            key.field.run_validators(value)  # e.g. an id beyond the column's range
    except (signing.BadSignature, ValidationError, ValueError, TypeError):
        return None
    if any(v is None for v in parsed):
        return None
    return position, parsed


def _beyond(keys: list[_Key], values: list, forward: bool) -> Q:
    """Rows after ``values`` in the list's order (forward) or before them.

    The first key is also bounded on its own (``at <= x``) so an index on it gives
    the scan a starting point instead of filtering from the top of the list.
    """
    after, same = Q(), Q()
    for key, value in zip(keys, values, strict=True):
        lookup = "lt" if key.descending == forward else "gt"
        after |= same & Q(**{f"{key.name}__{lookup}": value})
        same &= Q(**{key.name: value})
    head = keys[0]
    bound = "lte" if head.descending == forward else "gte"
    return Q(**{f"{head.name}__{bound}": values[0]}) & after


def keyset(rows: QuerySet, query: QueryDict, *, per_page: int) -> Window:
    """The page of ``rows`` the query's ``before``/``after`` cursor names."""
    keys = _keys(rows)
    before, after = query.get("before"), query.get("after")
    token = before or after
    if not token:
        return _forward(rows, keys, query, per_page, position=0)
    anchor = _read(rows, keys, token)
    if anchor is None:
        window = _forward(rows, keys, query, per_page, position=0)
        return replace(window, notice=BAD_CURSOR)
    position, values = anchor
    if before:
        rows = rows.filter(_beyond(keys, values, forward=True))
        return _forward(rows, keys, query, per_page, position=position)
    return _backward(rows, keys, values, query, per_page, position=position)


def _forward(rows, keys, query, per_page: int, *, position: int) -> Window:
    """``per_page`` rows from the top of ``rows``, which follow ``position``."""
    items = list(rows[: per_page + 1])
    more = len(items) > per_page
    items = items[:per_page]
    first = position + 1
    return Window(
        items=items,
        first=first,
        previous=_link(query, after=_cursor(rows, keys, items[0], first))
        if position and items
        else None,
        next=_link(query, before=_cursor(rows, keys, items[-1], first + len(items) - 1))
        if more
        else None,
        start=_link(query) if position else None,
    )


def _backward(rows, keys, values, query, per_page: int, *, position: int) -> Window:
    """The ``per_page`` rows just before the anchor (at ``position``)."""
    earlier = rows.filter(_beyond(keys, values, forward=False)).reverse()
    items = list(earlier[: per_page + 1])
    if len(items) < per_page:
        # The top of the list, but short of a page (rows above the anchor left
        # the list, or the link was not a page's edge): show the first page.
        return _forward(rows, keys, query, per_page, position=0)
    top = len(items) == per_page
    items = items[:per_page][::-1]
    first = 1 if top else max(2, position - per_page)
    last = first + per_page - 1
    return Window(
        items=items,
        first=first,
        previous=None
        if top
        else _link(query, after=_cursor(rows, keys, items[0], first)),
        next=_link(query, before=_cursor(rows, keys, items[-1], last)),
        start=None if top else _link(query),
    )


# --- Bounded pages -------------------------------------------------------------------


def _page_number(raw: str | None, max_pages: int) -> tuple[int, str]:
    if raw is None or raw == "1":
        return 1, ""
    if not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        return 1, BAD_PAGE
    if int(raw) > max_pages:
        return 1, TOO_DEEP.format(max=max_pages)
    return int(raw), ""


def bounded(
    rows: QuerySet, query: QueryDict, *, per_page: int, max_pages: int = MAX_PAGES
) -> Window:
    """Page ``?page=N`` of ``rows`` (1 to ``max_pages``) without counting them."""
    number, notice = _page_number(query.get("page"), max_pages)
    offset = (number - 1) * per_page
    items = list(rows[offset : offset + per_page + 1])
    more = len(items) > per_page and number < max_pages
    if not items and number > 1:
        notice = BAD_PAGE
    return Window(
        items=items[:per_page],
        first=offset + 1,
        previous=(_link(query, page=number - 1) if number > 2 else _link(query))
        if number > 1
        else None,
        next=_link(query, page=number + 1) if more else None,
        start=_link(query) if number > 1 else None,
        notice=notice,
    )
