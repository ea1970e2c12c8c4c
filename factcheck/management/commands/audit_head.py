"""``manage.py audit_head``: print the audit chain's head, to keep outside the desk.

"Chain head: <sha256> after N events" (``--json``: hash, count, event_id, at,
signature). With ``FACTCHECK_AUDIT_HEAD_KEY`` set, the head is signed with
HMAC-SHA256 over ``factcheck-audit-head:v1:<hash>:<count>``; unset, it is unsigned.
Later, ``verify_audit --head HASH --count N`` proves no event up to it went missing.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from ...audit import head


class Command(BaseCommand):
    help = "Print the audit chain's head (newest hash and event count), maybe signed."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--json", action="store_true", help="print one JSON object instead"
        )

    def handle(self, *args, **options) -> None:
        current = head()
        if options["json"]:
            self.stdout.write(json.dumps(current.as_dict(), sort_keys=True))
            return
        self.stdout.write(str(current))
        signature = current.signature()
        if signature:
            self.stdout.write(f"Signature: {signature}")
