"""API tokens: how a CMS authenticates to ``/api/``.

A token acts with the permissions of its ``user`` (e.g. a service account with the
reviewer role). Invariants:
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
