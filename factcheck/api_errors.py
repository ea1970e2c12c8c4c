"""The API's one error shape, shared by its handlers, the edge middleware and 404s.

Every refusal under ``/api/`` is JSON of this form, whatever produced it (a view, a
ninja validation, the unstorable-input middleware, an unknown URL)::

    {"code": "validation_error", "detail": "text: String should have ...",
     "fields": {"text": ["String should have at least 1 character"]}}

- ``code`` is stable and machine-readable (``CODES``); clients branch on it.
- ``detail`` is one human-readable sentence (always a string; it was the only key
  before the shape had a code, so clients that read it keep working).
- ``fields`` maps an input name to its messages; empty unless a named input was
  refused.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views import defaults
from ninja import Field, Schema

API_PREFIX = "/api/"

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "validation_error",
    429: "too_many_requests",
}


class ErrorOut(Schema):
    """Every API error: a stable code, one sentence, and the inputs at fault."""

    code: str = Field(
        description="Stable and machine-readable: "
        + ", ".join(sorted(CODES.values()))
        + ", unstorable_input (400: NUL, lone surrogate or out-of-range integer)"
        + " or invalid (400: a rule of the desk, e.g. an empty text)."
    )
    detail: str = Field(description="One human-readable sentence.")
    fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Messages by input name; empty unless a named input was refused.",
    )


def error_body(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    fields: dict[str, list[str]] | None = None,
) -> dict:
    return {"code": code or CODES[status], "detail": detail, "fields": fields or {}}


def json_error(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    fields: dict[str, list[str]] | None = None,
) -> JsonResponse:
    """The error shape as a response, for code that runs outside the ninja API."""
    return JsonResponse(
        error_body(status, detail, code=code, fields=fields), status=status
    )


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def page_not_found(request: HttpRequest, exception: Exception) -> object:
    """``handler404``: JSON under ``/api/`` (an unknown path, a non-integer id),
    the desk's own 404 page everywhere else."""
    if is_api(request):
        return json_error(404, "Nothing at this address.")
    return defaults.page_not_found(request, exception)
