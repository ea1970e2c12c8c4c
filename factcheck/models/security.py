"""How the desk signs people in: the two-factor policy admins set on the team area.

The devices themselves (authenticator apps, recovery codes) are django-otp's models
(``otp_totp.TOTPDevice``, ``otp_static.StaticDevice``); only the policy is ours.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class TwoFactorPolicy(models.Model):
    """Which roles must sign in with a second factor. One row (pk 1); until an admin
    saves it nobody is required to (so demo accounts sign in with a password only)."""

    require_for_editors = models.BooleanField(default=False)
    require_for_admins = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name_plural = "two-factor policy"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="two_factor_policy_one_row")
        ]

    def __str__(self) -> str:
        roles = [
            label
            for label, on in (
                ("editors", self.require_for_editors),
                ("admins", self.require_for_admins),
            )
            if on
        ]
        return "Two-factor required for " + (" and ".join(roles) or "nobody")
