"""What every action view does around a workflow call.

``perform()`` runs the call and turns the workflow's refusals into an ``Outcome``
(message and HTTP status); ``respond()`` answers an htmx request with the affected
partial (200, so htmx swaps it, with the notice inside) and a plain form post with a
redirect and a flash message (PRG). Views that must keep a user's typed text on
failure re-render their own page with the bound form instead of redirecting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import trigger_client_event

from ..workflow import Conflict, InvalidTransition


@dataclass
class Outcome:
    result: Any
    message: str
    status: int
    current: Any = None  # for a conflict: the object as it is now

    @property
    def ok(self) -> bool:
        return self.status < 400


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def form_errors_text(form) -> str:
    """All of a form's errors as one sentence, for a panel's notice."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def perform(operation: Callable[[], Any], *, success: str) -> Outcome:
    """Run one workflow call; never lets a refusal become a 500."""
    try:
        result = operation()
    except Conflict as exc:
        return Outcome(None, str(exc), 409, current=exc.current)
    except InvalidTransition as exc:
        return Outcome(None, str(exc), 409)
    except PermissionDenied as exc:
        return Outcome(None, str(exc) or "You may not do that.", 403)
    except ValidationError as exc:
        return Outcome(None, error_text(exc), 400)
    return Outcome(result, success, 200)


def respond(
    request: HttpRequest,
    outcome: Outcome,
    *,
    redirect_to: str,
    partial: str | None = None,
    context: dict | Callable[[], dict] | None = None,
    event: str | None = None,
) -> HttpResponse:
    """The htmx partial (with the notice in it) or a redirect with a flash message."""
    if getattr(request, "htmx", False) and partial:
        ctx = context() if callable(context) else dict(context or {})
        ctx.update(notice=outcome.message, notice_ok=outcome.ok, outcome=outcome)
        response = render(request, partial, ctx)
        if event and outcome.ok:
            trigger_client_event(response, event)
        return response
    if outcome.ok:
        messages.success(request, outcome.message)
    else:
        messages.error(request, outcome.message)
    return redirect(redirect_to)


def safe_next(request: HttpRequest) -> str | None:
    """The posted ``next`` path if it stays on this site, else None.

    Only absolute paths pass: ``redirect()`` would read a bare word as a URL name.
    """
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None
