"""``manage.py deliver_webhooks``: send every webhook delivery whose time has come.

``db_worker`` runs deliveries and their deferred retries on its own; this is the
safety net for one whose task was lost (the process stopped between the commit and
the enqueue) and for retries under a backend that cannot defer (development). Run it
from cron every few minutes; it exits when nothing more is due.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ...webhooks import deliver_due


class Command(BaseCommand):
    help = "Send the webhook deliveries that are due (first attempts and retries)."

    def handle(self, *args, **options) -> None:
        total = 0
        while attempted := deliver_due():
            total += attempted
        self.stdout.write(
            f"Attempted {total} webhook deliver{'y' if total == 1 else 'ies'}."
        )
