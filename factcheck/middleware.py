"""Request-scoped context (a request id that audit events carry), the edge check
that refuses input no database column can hold, and the login requirement."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from django.contrib.auth.middleware import (
    LoginRequiredMiddleware as DjangoLoginRequiredMiddleware,
)
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponseBadRequest

from . import api_errors, unstorable

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
    """Input no database column can hold gets a 400 before any view runs.

    The checks live in ``unstorable``: NUL characters and lone surrogates anywhere
    in the path, query string, form fields or a JSON body; whole numbers beyond the
    signed 64-bit range in a query string, form or JSON body. An id in the path
    beyond that range (``<int:pk>`` matches any digits) is a 404: no row has it.
    Under ``/api/`` the answer is the API's JSON error shape (``api_errors``);
    elsewhere plain text.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = _problem(request)
        if problem:
            if api_errors.is_api(request):
                return api_errors.json_error(400, problem, code="unstorable_input")
            return HttpResponseBadRequest(
                problem, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if any(
            isinstance(value, int) and unstorable.oversize(value)
            for value in (*view_args, *view_kwargs.values())
        ):
            if api_errors.is_api(request):
                return api_errors.json_error(404, "No such object.")
            raise Http404("No such object.")
        return None


def _problem(request) -> str | None:
    problem = unstorable.in_path(request.path_info) or unstorable.in_params(
        request.GET.lists()
    )
    if problem:
        return problem
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            body = request.body
        except RequestDataTooBig:  # the view answers it (the API with a 413)
            return None
        return unstorable.in_json(body)
    # request.POST holds form posts only (urlencoded or multipart).
    if request.method == "POST":
        return unstorable.in_params(request.POST.lists())
    return None


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's, asking the view before the user: a ``@login_not_required`` view
    (``/healthz``, the public pages, the API) is passed without loading anyone.

    Django's own asks ``request.user.is_authenticated`` first, which reads the
    session row and the user row on every request that carries a session cookie,
    whether or not the view needs either. Same answers, fewer queries.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
