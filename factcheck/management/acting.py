"""Who a management command acts as: the same answer for every importing command."""

from __future__ import annotations

from django.core.management.base import CommandError

from ..models import User


def acting_user(username: str | None, *, doing: str) -> User:
    """The active user named by ``--as``, or the only active superuser.

    ``doing`` completes the refusal "Say who <doing>: --as USERNAME."
    """
    if username:
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user “{username}”.") from None
    superusers = list(User.objects.filter(is_superuser=True, is_active=True)[:2])
    if len(superusers) != 1:
        raise CommandError(f"Say who {doing}: --as USERNAME.")
    return superusers[0]
