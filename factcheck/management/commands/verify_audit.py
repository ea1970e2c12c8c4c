"""``manage.py verify_audit``: prove nothing in the audit trail was altered or removed.

Walks the hash chain in id order (``audit.verify_chain``). Exit 0 with
"Audit trail intact: N events", or exit 1 naming the first broken event on stderr.

The walk alone cannot see the newest events cut off (what is left is still a whole
chain). A head announced earlier (the ``factcheck.audit.head`` log line, ``manage.py
audit_head``) closes that gap: ``--head HASH`` fails unless the event with that hash
is still in the chain, ``--count N`` fails when fewer than N events exist (with both,
the head must be exactly the Nth event), and ``--signature`` checks the head's HMAC
under ``FACTCHECK_AUDIT_HEAD_KEY``.
"""

from __future__ import annotations

import hmac
import re

from django.core.management.base import BaseCommand, CommandError

from ...audit import sign_head, verify_chain
from ...models import AuditEvent

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _sha256(value: str) -> str:
    value = value.strip().lower()
    if not _SHA256.match(value):
        raise ValueError(value)
    return value


_sha256.__name__ = "SHA-256 hex digest"  # argparse names the type in its error


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 1 naming the first broken event."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--head",
            type=_sha256,
            metavar="HASH",
            help="a head announced earlier: the event with this hash must be there",
        )
        parser.add_argument(
            "--count",
            type=int,
            metavar="N",
            help="the event count announced with the head: at least N events exist",
        )
        parser.add_argument(
            "--signature",
            metavar="SIG",
            help="the head's HMAC (needs --head, --count and FACTCHECK_AUDIT_HEAD_KEY)",
        )

    def handle(self, *args, **options) -> None:
        breaks = verify_chain()
        first = next(breaks, None)
        # Close the walk now: on PostgreSQL it holds a server-side cursor that must
        # not outlive the transaction.
        breaks.close()
        if first is None:
            count = AuditEvent.objects.count()
            anchored = self._check_head(options, count)
            self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {count} events"))
            if anchored:
                self.stdout.write(self.style.SUCCESS(anchored))
            return
        event = AuditEvent.objects.filter(pk=first.event_id).first()
        where = f"{event.action} at {event.at.isoformat()}" if event else "missing"
        raise CommandError(
            f"Event #{first.event_id} ({where}): {first.problem}", returncode=1
        )

    def _check_head(self, options, total: int) -> str:
        """Check the announced head against the (whole) chain; "" when none given."""
        head_hash, count, signature = (
            options.get("head"),
            options.get("count"),
            options.get("signature"),
        )
        if count is not None and count < 0:
            raise CommandError("--count must be 0 or more.", returncode=1)
        if signature is not None:
            if head_hash is None or count is None:
                raise CommandError(
                    "--signature needs the --head and --count it signs.", returncode=1
                )
            expected = sign_head(head_hash, count)
            if expected is None:
                raise CommandError(
                    "Cannot check --signature: FACTCHECK_AUDIT_HEAD_KEY is not set.",
                    returncode=1,
                )
            if not hmac.compare_digest(expected, signature.strip()):
                raise CommandError(
                    "The signature does not match this head: it was not announced "
                    "by this desk (or the hash or count was changed).",
                    returncode=1,
                )
        if head_hash is None:
            if count is None:
                return ""
            if total < count:
                raise CommandError(
                    f"Only {total} events, but the head announced {count}: the "
                    f"newest {count - total} events were removed.",
                    returncode=1,
                )
            return f"At least the {count} events of the announced head are there."
        event = AuditEvent.objects.filter(hash=head_hash).only("pk").first()
        if event is None:
            raise CommandError(
                f"No event has the head hash {head_hash}: the events up to the "
                f"announced head are not all there (the newest were removed).",
                returncode=1,
            )
        position = AuditEvent.objects.filter(pk__lte=event.pk).count()
        if count is not None and position != count:
            raise CommandError(
                f"The head {head_hash} is event #{event.pk}, number {position} of "
                f"the chain, but was announced after {count} events.",
                returncode=1,
            )
        return (
            f"The announced head {head_hash} is event #{event.pk}, "
            f"number {position}; the chain up to it is whole."
        )
