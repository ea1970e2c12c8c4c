"""Throttles for anonymous requests that cost something: per address and for everyone.

Password-reset requests (each may send an email) and readers' error reports (each
lands in the editors' queue) are limited twice: per client address
(``client_address.client_key``, so the proxy setting applies) and across all
addresses. The per-address limit is checked first and is well below the global one,
so one client can use only its own share: it cannot exhaust everyone's allowance,
and a refused request consumes nothing of the global allowance.

Counts live in the ``throttle`` cache (``settings.CACHES``): Redis when
``REDIS_URL`` is set, else a database cache table in production (``migrate``
creates it, see ``on_post_migrate``), local memory in development and tests. So
every app process sees the same counts. A window is one
clock hour (fixed window).

Each use claims a numbered slot with ``cache.add``, which is atomic on Redis, on the
database cache (a primary key) and in local memory; ``incr`` is not atomic on the
database cache. So at most ``limit`` uses succeed per window whatever the
concurrency. A second key remembers how many slots are taken, so a request usually
costs a read and one add, and a refused one a single read.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

from .client_address import client_key

CACHE_ALIAS = "throttle"
WINDOW_SECONDS = 3600

logger = logging.getLogger(__name__)


class Refused(enum.StrEnum):
    """Why a request was refused: its own address's limit, or everyone's."""

    ADDRESS = "address"
    EVERYONE = "everyone"


def take(name: str, limit: int, *, window: int = WINDOW_SECONDS) -> bool:
    """Use one of ``limit`` uses of ``name`` in this window; False if none is left."""
    if limit <= 0:
        return False
    cache = caches[CACHE_ALIAS]
    base = f"throttle:{name}:{int(time.time()) // window}"
    taken = min(int(cache.get(base, 0)), limit)  # a hint; the slots are the truth
    for slot in range(taken, limit):
        if cache.add(f"{base}:{slot}", 1, timeout=window):
            cache.set(base, slot + 1, timeout=window)
            return True
    if taken < limit:
        cache.set(base, limit, timeout=window)
    return False


def _address_name(request: HttpRequest) -> str:
    """The client's address as a keyed hash: no address is stored in the cache."""
    salt = f"factcheck.throttle:{settings.SECRET_KEY}".encode()
    digest = hmac.new(salt, client_key(request).encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def admit(
    request: HttpRequest, name: str, *, per_address: int, overall: int
) -> Refused | None:
    """Count this request against ``name``'s limits; None if it may go ahead."""
    if not take(f"{name}:address:{_address_name(request)}", per_address):
        return Refused.ADDRESS
    if not take_overall(name, overall):
        return Refused.EVERYONE
    return None


def take_overall(name: str, limit: int) -> bool:
    """Use one of everyone's ``limit`` uses of ``name``; logs once when it runs out."""
    if take(f"{name}:all", limit):
        return True
    window = int(time.time()) // WINDOW_SECONDS
    if caches[CACHE_ALIAS].add(
        f"throttle:{name}:logged:{window}", 1, timeout=WINDOW_SECONDS
    ):
        logger.warning(
            "Throttle %r: the global limit of %d an hour is reached; "
            "refusing everyone until the hour ends.",
            name,
            limit,
        )
    return False


def on_post_migrate(sender, using: str = "default", **kwargs) -> None:
    """Create the database cache table the throttle uses (if it uses one): after
    ``migrate`` the counts have somewhere to live. Idempotent; nothing with Redis."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


# --- Lock-outs after repeated failures (two-factor codes) ---------------------------
# Unlike the hourly windows above, a lock-out counts one party's failures (e.g. an
# account from one address) and, at the limit, locks that party for ``lock_seconds``
# from the last failure, as django-axes does for passwords. Failures are slots
# claimed with ``cache.add``, so concurrent wrong guesses cannot overshoot the limit.


def failure_party(request: HttpRequest, *parts: object) -> str:
    """A lock-out key for ``parts`` (e.g. an account id) from this client address."""
    return ":".join([*(str(p) for p in parts), _address_name(request)])


def is_locked(name: str) -> bool:
    return caches[CACHE_ALIAS].get(f"lockout:{name}:locked") is not None


def count_failure(name: str, limit: int, *, lock_seconds: int) -> bool:
    """Count one failure of ``name``; True if it is now locked."""
    cache = caches[CACHE_ALIAS]
    base = f"lockout:{name}"
    for slot in range(limit):
        if cache.add(f"{base}:{slot}", 1, timeout=lock_seconds):
            if slot < limit - 1:
                return False
            break
    cache.set(f"{base}:locked", 1, timeout=lock_seconds)
    cache.delete_many([f"{base}:{slot}" for slot in range(limit)])
    return True


def clear_failures(name: str, limit: int) -> None:
    """Forget ``name``'s failures after a success (a lock stays until it ends)."""
    cache = caches[CACHE_ALIAS]
    cache.delete_many([f"lockout:{name}:{slot}" for slot in range(limit)])
