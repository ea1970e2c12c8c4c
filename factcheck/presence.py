"""Who has a claim's page open right now, so two people don't work it unknowingly.

A page load and a light htmx poll (every 20 s) upsert one ``ClaimPresence(claim,
user, seen_at)`` row; anyone seen within ``WINDOW`` counts as present.

Deliberately NOT audited and not a workflow function: presence is an ephemeral
signal, not a domain record; nothing is decided from it and it holds no content.
The upsert is a single INSERT ... ON CONFLICT statement, so concurrent polls of the
same user never collide on the (claim, user) unique constraint, on SQLite or
PostgreSQL, and every app process sees the same rows through the database.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import Claim, ClaimPresence, User

WINDOW = timedelta(seconds=60)
POLL_SECONDS = 20


def touch(claim: Claim, user: User) -> None:
    """Record that ``user`` has ``claim`` open now."""
    ClaimPresence.objects.bulk_create(
        [ClaimPresence(claim=claim, user=user, seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["claim", "user"],
        update_fields=["seen_at"],
    )


def others_here(claim: Claim, user: User) -> list[User]:
    """The other people who had the claim open within the last minute."""
    since = timezone.now() - WINDOW
    rows = (
        ClaimPresence.objects.filter(claim=claim, seen_at__gte=since)
        .exclude(user=user)
        .select_related("user")
        .order_by("user__username")
    )
    return [row.user for row in rows]
