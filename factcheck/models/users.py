"""The desk's user: Django's user, with a display name for bylines and timelines."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    display_name = models.CharField(max_length=150, blank=True)
    # A machine account (a CMS, an importer): never signs in with a password, is
    # shown as a service account everywhere, and is what an API token may act as
    # when it is not its creator.
    is_service_account = models.BooleanField(default=False)

    class Meta:
        permissions = [("manage_users", "Can manage the team, roles and verdict scale")]

    def __str__(self) -> str:
        name = self.display_name or self.get_full_name() or self.username
        # Wherever a name shows (bylines, assignees, lists), a machine says so.
        return f"{name} (service account)" if self.is_service_account else name

    @property
    def label(self) -> str:
        return str(self)
