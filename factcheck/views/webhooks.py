"""The webhooks screen (admins): endpoints, the delivery log, redelivery.

A new endpoint's signing secret is shown once, in the response to the create POST
(``Cache-Control: no-store``), like an API token's. Writes go through ``workflow``
via ``perform()``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import pagination, webhooks, workflow
from ..forms.webhooks import WebhookEditForm, WebhookForm
from ..models import Webhook, WebhookDelivery
from ..workflow.webhooks import version_of
from .common import perform, respond

MANAGE = "factcheck.manage_users"
DELIVERIES_PER_PAGE = 25


def _list_page(
    request: HttpRequest, form: WebhookForm, *, secret: str = "", hook=None, status=200
) -> HttpResponse:
    deliveries = WebhookDelivery.objects.select_related("webhook").order_by("-id")
    context = {
        "hooks": Webhook.objects.select_related("created_by"),
        "form": form,
        "secret": secret,
        "new_hook": hook,
        "page": pagination.keyset(
            deliveries, request.GET, per_page=DELIVERIES_PER_PAGE
        ),
        "signature_header": webhooks.SIGNATURE_HEADER,
    }
    return render(request, "factcheck/webhook_list.html", context, status=status)


def _hook(pk: int) -> Webhook:
    hook = Webhook.objects.filter(pk=pk).first()
    if hook is None:
        raise Http404("No such webhook.")
    return hook


@require_GET
@permission_required(MANAGE, raise_exception=True)
def webhook_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, WebhookForm())


@never_cache
@require_POST
@permission_required(MANAGE, raise_exception=True)
def webhook_create(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    outcome = perform(
        lambda: workflow.create_webhook(
            actor=request.user,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
        ),
        success="",
    )
    if not outcome.ok:
        form.add_error(None, outcome.message)
        return _list_page(request, form, status=outcome.status)
    hook, secret = outcome.result
    messages.success(request, f"Added the webhook to {hook.url}.")
    return _list_page(request, WebhookForm(), secret=secret, hook=hook)


def _edit_page(request, hook: Webhook, form, *, status: int = 200) -> HttpResponse:
    context = {"hook": hook, "form": form}
    return render(request, "factcheck/webhook_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    hook = _hook(pk)
    if request.method == "GET":
        initial = {
            "url": hook.url,
            "events": hook.events,
            "active": hook.active,
            "version": version_of(hook),
        }
        return _edit_page(request, hook, WebhookEditForm(initial=initial))
    form = WebhookEditForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, hook, form, status=400)
    data = form.cleaned_data
    outcome = perform(
        lambda: workflow.update_webhook(
            hook,
            actor=request.user,
            url=data["url"],
            events=data["events"],
            active=data["active"],
            expected_version=data["version"] or None,
        ),
        success="Saved the webhook.",
    )
    if not outcome.ok:
        if outcome.status == 409 and outcome.current is not None:
            rebound = request.POST.copy()
            rebound["version"] = version_of(outcome.current)
            form = WebhookEditForm(rebound)
            hook = outcome.current
        form.add_error(None, outcome.message)
        return _edit_page(request, hook, form, status=outcome.status)
    messages.success(request, outcome.message)
    return redirect("webhook-list")


@require_POST
@permission_required(MANAGE, raise_exception=True)
def webhook_disable(request: HttpRequest, pk: int) -> HttpResponse:
    hook = _hook(pk)
    outcome = perform(
        lambda: workflow.disable_webhook(hook, actor=request.user),
        success=f"Disabled the webhook to {hook.url}: nothing more is sent to it.",
    )
    return respond(request, outcome, redirect_to=reverse("webhook-list"))


@require_POST
@permission_required(MANAGE, raise_exception=True)
def webhook_redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = WebhookDelivery.objects.filter(pk=pk).first()
    if delivery is None:
        raise Http404("No such delivery.")
    outcome = perform(
        lambda: workflow.redeliver_webhook(delivery, actor=request.user),
        success="Queued the delivery again.",
    )
    return respond(request, outcome, redirect_to=reverse("webhook-list"))
