"""Read-only selectors over the audit trail: timelines and the filtered audit log.

Invariants: everything here only reads; events come newest first (``-at, -pk``), and
no selector joins the article or claim rows (pages link by ``article_id``/``claim_id``
and show the event's own ``summary`` snapshot), so list pages stay cheap and constant
in their query count.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from .models import Article, AuditEvent, Claim, User
from .windows import older_than

NEWEST_FIRST = ("-at", "-pk")

# The columns of the CSV export, in order: plain values only, never model instances.
EXPORT_FIELDS = (
    "pk",
    "at",
    "actor_label",
    "action",
    "article_id",
    "claim_id",
    "subject_user_id",
    "summary",
    "data",
    "request_id",
    "prev_hash",
    "hash",
)


def for_claim(
    claim: Claim, limit: int = 50, *, before: int | None = None
) -> list[AuditEvent]:
    """The events about one claim, newest first; ``before`` (an event id) pages back."""
    events = older_than(AuditEvent.objects.filter(claim=claim), before)
    return list(events.order_by(*NEWEST_FIRST)[:limit])


def for_article(
    article: Article, limit: int = 50, *, before: int | None = None
) -> list[AuditEvent]:
    """The events about an article and every claim of it, newest first; ``before``
    (an event id) pages back."""
    events = older_than(AuditEvent.objects.filter(article=article), before)
    return list(events.order_by(*NEWEST_FIRST)[:limit])


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search(
    *,
    actor: User | QuerySet[User] | None = None,
    action: str | None = None,
    article: Article | QuerySet[Article] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit log filtered by actor, verb, article and an inclusive date range.

    ``actor`` and ``article`` are one row or a QuerySet of rows any of which will do
    (what a lookup field resolves typed words to)."""
    events = AuditEvent.objects.order_by(*NEWEST_FIRST)
    if isinstance(actor, QuerySet):
        events = events.filter(actor__in=actor.values("pk"))
    elif actor is not None:
        events = events.filter(actor=actor)
    if action:
        events = events.filter(action=action)
    if isinstance(article, QuerySet):
        events = events.filter(article__in=article.values("pk"))
    elif article is not None:
        events = events.filter(article=article)
    # Whole days in the desk's time zone; "to" includes the day it names.
    if date_from is not None:
        events = events.filter(at__gte=_day_start(date_from))
    if date_to is not None:
        events = events.filter(at__lt=_day_start(date_to + timedelta(days=1)))
    return events
