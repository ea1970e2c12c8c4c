"""Capped counts: exact up to ``CAP``, "1,000+" beyond, so counting costs what a page
shows rather than what the archive holds.

Each count reads at most ``CAP + 1`` rows (``COUNT(*)`` over a ``LIMIT`` subquery,
which an index can serve and stop early), and every count a page needs runs in one
statement. A small desk sees exact numbers; a large one sees "1,000+" where exact
figures would mean scanning years of archive on every request. Chosen over a cache
of exact counts: nothing to invalidate, a reviewer's own action shows at once, and
no per-process cache drifting between workers.

A large desk, where some count passed the cap, also keeps a page's counts for
``LARGE_DESK_SECONDS`` (``cached_when_capped``): there each count reads its 1,001
rows, and twenty of them cost tens of milliseconds on every page view, while a
"1,000+" that lags a few seconds misleads nobody. A small desk's exact counts are
never cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q, QuerySet

CAP = 1000
LARGE_DESK_SECONDS = 15


def capped_counts(
    rows: QuerySet, wanted: dict[str, Q], cap: int = CAP
) -> dict[str, int]:
    """For each name, how many of ``rows`` match its Q, counting no further than
    ``cap + 1``; one query for them all."""
    if not wanted:
        return {}
    parts, params = [], []
    for q in wanted.values():
        # No ORDER BY: a count does not care, and sorting would read every match.
        subquery = rows.filter(q).order_by().values("pk")[: cap + 1]
        try:
            sql, sql_params = subquery.query.sql_with_params()
        except EmptyResultSet:  # e.g. ``pk__in=[]``: nothing to count
            sql, sql_params = "SELECT 1 WHERE 1 = 0", []
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")
        params.extend(sql_params)
    with connections[rows.db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        values = cursor.fetchone()
    return dict(zip(wanted, values, strict=True))


def count_label(n: int, cap: int = CAP) -> str:
    """``12``, ``1,000`` or ``1,000+`` (a count that reached the cap)."""
    return f"{cap:,}+" if n > cap else f"{n:,}"


def cached_when_capped(
    name: str, key: str, compute: Callable[[], dict[str, int]]
) -> dict[str, int]:
    """``compute()``, kept for a few seconds under ``name``+``key`` once any count
    passed the cap (a large desk); exact and live below it."""
    cache_key = f"counts:{name}:" + hashlib.sha256(key.encode()).hexdigest()
    counts = cache.get(cache_key)
    if counts is None:
        counts = compute()
        if any(n > CAP for n in counts.values()):
            cache.set(cache_key, counts, LARGE_DESK_SECONDS)
    return counts
