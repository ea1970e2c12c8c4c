"""Capped counts: exact up to ``CAP``, "1,000+" beyond, so counting costs what a page
shows rather than what the archive holds.

Each count reads at most ``CAP + 1`` rows (``COUNT(*)`` over a ``LIMIT`` subquery,
which an index can serve and stop early), and every count a page needs runs in one
statement. A small desk sees exact numbers; a large one sees "1,000+" where exact
figures would mean scanning years of archive on every request. Chosen over a cache
of exact counts: nothing to invalidate, a reviewer's own action shows at once, and
no per-process cache drifting between workers.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q, QuerySet

CAP = 1000


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
