"""An idle timeout without a database write on every request.

Django's ``SESSION_SAVE_EVERY_REQUEST`` keeps sessions alive while they are used by
rewriting the session row on every request: a write and a commit for every page a
signed-in person opens (bench in issue #13: /healthz served ~200 requests/s with a
session cookie against ~1,000 without). ``SlidingSessionMiddleware`` slides the
expiry forward at most once every ``TOUCH_SECONDS`` instead, so a session still
ends ``SESSION_COOKIE_AGE`` after its last use, to within that interval.
"""

from __future__ import annotations

import time

TOUCHED = "factcheck_session_touched"
TOUCH_SECONDS = 300


class SlidingSessionMiddleware:
    """Mark a used session modified when its expiry was last moved long enough ago.

    Listed after ``SessionMiddleware``, so it runs first on the way out. A session
    the request never read (a cached public page) is left alone: reading it would
    cost the query this exists to save.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return response
        now = int(time.time())
        if now - int(session.get(TOUCHED, 0)) >= TOUCH_SECONDS:
            session[TOUCHED] = now  # marks it modified: saved with a new expiry
        return response


def stamp_at_sign_in(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: sign-in saves the session anyway; stamp it then, so the
    first page after it does not write again."""
    if request is not None and hasattr(request, "session"):
        request.session[TOUCHED] = int(time.time())
