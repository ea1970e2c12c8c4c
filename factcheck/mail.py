"""Whether this desk really sends email, so that no one-time link goes nowhere.

Django's console, file and dummy backends accept every message and deliver none:
with them, an "invitation sent" would be a lie (the link lands in a server log).
The people screens then hand the one-time link to the admin to pass on, and
``check --deploy`` warns (factcheck.W107). The in-memory backend counts as
delivering: it stands in for a real one in tests, which read ``mail.outbox``.
"""

from __future__ import annotations

from django.conf import settings

UNDELIVERED = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
)


def delivers() -> bool:
    return settings.EMAIL_BACKEND not in UNDELIVERED
