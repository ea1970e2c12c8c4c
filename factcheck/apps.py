from __future__ import annotations

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class FactcheckConfig(AppConfig):
    name = "factcheck"
    verbose_name = "Factcheck desk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (  # noqa: F401 (system checks register on import)
            organisation,
            roles,
            security_checks,
            sessions,
            throttle,
            two_factor,
        )

        post_migrate.connect(roles.on_post_migrate, sender=self)
        post_migrate.connect(throttle.on_post_migrate, sender=self)
        user_logged_in.connect(two_factor.judge_session_at_sign_in)
        user_logged_in.connect(sessions.stamp_at_sign_in)
