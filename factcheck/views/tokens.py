"""The API token screen (admins): list tokens, create one, revoke one.

A new token's secret is shown exactly once, in the response to the create POST
(never stored, never redirected through a session), with ``Cache-Control:
no-store`` so the browser keeps no copy. Writes go through ``workflow`` via
``perform()``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .. import workflow
from ..forms.tokens import TokenForm
from ..models import ApiToken, User
from .common import perform, respond

MANAGE = "factcheck.manage_users"
PAGE = "factcheck/token_list.html"


def _page(
    request: HttpRequest, form: TokenForm, *, secret: str = "", token=None, status=200
) -> HttpResponse:
    context = {
        "tokens": ApiToken.objects.select_related("user", "created_by"),
        "form": form,
        "secret": secret,
        "new_token": token,
    }
    return render(request, PAGE, context, status=status)


@require_GET
@permission_required(MANAGE, raise_exception=True)
def token_list(request: HttpRequest) -> HttpResponse:
    return _page(request, TokenForm(actor=request.user))


@never_cache
@require_POST
@permission_required(MANAGE, raise_exception=True)
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST, actor=request.user)
    if not form.is_valid():
        return _page(request, form, status=400)
    user: User = form.cleaned_data["user"]
    outcome = perform(
        lambda: workflow.create_api_token(
            actor=request.user, user=user, name=form.cleaned_data["name"]
        ),
        success="",
    )
    if not outcome.ok:
        form.add_error(None, outcome.message)
        return _page(request, form, status=outcome.status)
    token, secret = outcome.result
    messages.success(request, f"Created the token “{token.name}” for {user}.")
    return _page(request, TokenForm(actor=request.user), secret=secret, token=token)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    outcome = perform(
        lambda: workflow.revoke_api_token(token, actor=request.user),
        success=f"Revoked the token “{token.name}”: it no longer works.",
    )
    return respond(request, outcome, redirect_to=reverse("token-list"))
