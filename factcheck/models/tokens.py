"""API tokens: how a CMS authenticates to ``/api/``.

A token acts with the permissions of its ``user``: its creator, or a service account
(``User.is_service_account``; e.g. one with the reviewer role for a CMS), never
another person (``may_act_as``). Every write through a token is audited naming the
token and its creator. Invariants:
- The secret is never stored: only its SHA-256 (``key_hash``, unique) and its first
  eight characters (``key_prefix``, to recognise it in lists). The secret is shown
  once, when ``workflow.create_api_token`` makes it.
- Tokens are never deleted: a revoked one keeps ``revoked_at`` and its history.
- Rows change only through ``workflow.tokens`` (plus ``last_used_at``, a usage
  stamp the API itself keeps, which is not a domain change).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .users import User

ACTS_AS_RULE = (
    "A token acts as you or as a service account, never as another person: "
    "create a service account for the program on the team page."
)


def may_act_as(creator_id: int, user: User) -> bool:
    """Whom a token may act as: its creator, or a service account (``ACTS_AS_RULE``)."""
    return user.is_service_account or user.pk == creator_id


def token_users(creator_id: int) -> models.QuerySet[User]:
    """The active users ``may_act_as`` allows, as a query (for the token form)."""
    return User.objects.filter(is_active=True).filter(
        models.Q(is_service_account=True) | models.Q(pk=creator_id)
    )


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    key_prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def acts_as_another_person(self) -> bool:
        """Made before ``may_act_as`` held: it still works, and the list flags it."""
        return not may_act_as(self.created_by_id, self.user)
