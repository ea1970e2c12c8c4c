"""``manage.py verify_audit``: prove nothing in the audit trail was altered or removed.

Walks the hash chain in id order (``audit.verify_chain``). Exit 0 with
"Audit trail intact: N events", or exit 1 naming the first broken event on stderr.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ...audit import verify_chain
from ...models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 1 naming the first broken event."

    def handle(self, *args, **options) -> None:
        breaks = verify_chain()
        first = next(breaks, None)
        # Close the walk now: on PostgreSQL it holds a server-side cursor that must
        # not outlive the transaction.
        breaks.close()
        if first is None:
            count = AuditEvent.objects.count()
            self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {count} events"))
            return
        event = AuditEvent.objects.filter(pk=first.event_id).first()
        where = f"{event.action} at {event.at.isoformat()}" if event else "missing"
        raise CommandError(
            f"Event #{first.event_id} ({where}): {first.problem}", returncode=1
        )
