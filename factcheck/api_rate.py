"""The API's rate limit: so many requests a minute per token (ninja's throttle hook).

Counted with the project's throttle (``throttle.take``: the shared ``throttle``
cache, atomic slots, fixed windows), keyed by a prefix of the token's stored hash,
so every app process sees the same count and no secret or user name is in a cache
key. Ninja runs the throttle after authentication (a request without a valid token
is a 401 and costs nothing) and answers a refusal with 429, ``Retry-After`` (the
seconds left in the window) and the API's error shape.

One limit for reads and writes alike (``FACTCHECK["API_REQUESTS_PER_MINUTE"]``):
a CMS that polls ``/api/published`` and pushes articles shares one allowance, and
one runaway client cannot starve the desk's database.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from . import throttle

WINDOW_SECONDS = 60


class TokenRate(BaseThrottle):
    """``API_REQUESTS_PER_MINUTE`` requests per token and clock minute."""

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        if token is None:  # not authenticated: ninja has answered 401 already
            return True
        limit = settings.FACTCHECK["API_REQUESTS_PER_MINUTE"]
        name = f"api-token:{token.key_hash[:32]}"
        return throttle.take(name, limit, window=WINDOW_SECONDS)

    def wait(self) -> float:
        """Seconds until the current window ends (at least 1)."""
        return max(1.0, WINDOW_SECONDS - time.time() % WINDOW_SECONDS)
