"""Request-scoped context (a request id that audit events carry), and the edge
check that refuses input no database column can hold."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from django.http import HttpResponseBadRequest

request_id_var: ContextVar[str] = ContextVar("request_id", default="")

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Takes a sane ``X-Request-ID`` from the proxy or makes one; echoes it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RefuseUnstorableInputMiddleware:
    """A NUL character in a query string or form field gets a plain 400.

    PostgreSQL refuses NUL in text (a query filter with one is a 500 deep inside a
    view), and no field of the desk has a use for it. Form fields refuse it already
    (Django's CharField validator); this covers query strings and every form key.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # request.POST holds form posts only (urlencoded or multipart); JSON bodies
        # are the API's to validate.
        if _has_nul(request.GET) or (
            request.method == "POST" and _has_nul(request.POST)
        ):
            return HttpResponseBadRequest(
                "The request holds a NUL character, which no field accepts.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _has_nul(params) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in params.lists()
    )
