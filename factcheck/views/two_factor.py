"""Two-factor sign-in: the person's own settings, the code page at sign-in, and the
policy admins set on the team area.

Writes go through ``workflow.two_factor`` via ``perform()``; ``two_factor`` decides
what a half-signed-in session owes and counts wrong codes per account and address.
Everything works as plain form posts; recovery codes are shown once, in the answer
to the post that made them, and never stored anywhere the person can fetch again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from .. import two_factor, workflow
from ..forms.two_factor import CodeForm, ConfirmForm, PolicyForm
from .common import perform

MANAGE = "factcheck.manage_users"
STATUS = "registration/two_factor.html"
SETUP = "registration/two_factor_setup.html"
CODES = "registration/two_factor_codes.html"
VERIFY = "registration/two_factor_verify.html"
POLICY = "factcheck/two_factor_policy.html"


def _codes_left(user) -> int:
    device = StaticDevice.objects.devices_for_user(user, confirmed=True).first()
    return device.token_set.count() if device else 0


def _codes_page(request: HttpRequest, codes: list[str], *, first: bool) -> HttpResponse:
    context = {
        "codes": [two_factor.format_recovery_code(c) for c in codes],
        "first": first,
    }
    return render(request, CODES, context)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


# --- The person's own settings (any signed-in person; no permission to check) -------


@require_GET
def two_factor_status(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "enabled": two_factor.has_two_factor(user),
        "required": two_factor.required_for(user),
        "codes_left": _codes_left(user),
        "codes_form": ConfirmForm(auto_id="codes-%s"),
        "disable_form": ConfirmForm(auto_id="disable-%s"),
    }
    return render(request, STATUS, context)


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if two_factor.has_two_factor(user):
        messages.info(request, "Two-factor sign-in is already on for your account.")
        return redirect("two-factor")
    key = two_factor.setup_key(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = perform(
            lambda: workflow.enable_two_factor(
                user, actor=user, key=key, code=form.cleaned_data["code"]
            ),
            success="Two-factor sign-in is on.",
        )
        if outcome.ok:
            device, codes = outcome.result
            two_factor.forget_setup_key(request)
            otp_login(request, device)  # this session just proved it has the app
            messages.success(request, outcome.message)
            return _codes_page(request, codes, first=True)
        form.add_error("code", outcome.message)
    uri = two_factor.config_url(user, key)
    context = {
        "form": form,
        "otpauth_uri": uri,
        "qr_svg": two_factor.qr_svg(uri),
        "secret": two_factor.secret_text(key),
        "required": two_factor.required_for(user),
    }
    return render(request, SETUP, context, status=400 if form.is_bound else 200)


@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    return _confirmed_change(
        request,
        lambda confirmation: workflow.disable_two_factor(
            request.user, actor=request.user, confirmation=confirmation
        ),
        success="Two-factor sign-in is off. Remove the desk from your app.",
    )


@never_cache
@require_POST
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    return _confirmed_change(
        request,
        lambda confirmation: workflow.regenerate_recovery_codes(
            request.user, actor=request.user, confirmation=confirmation
        ),
        success="New recovery codes: the old ones no longer work.",
        show_codes=True,
    )


def _confirmed_change(request, call, *, success: str, show_codes: bool = False):
    """Run a change that needs the password or a current code; wrong ones count
    towards the same lock-out as wrong codes at sign-in."""
    user = request.user
    locked = two_factor.is_locked(request, user)
    form = ConfirmForm(request.POST)
    if locked:
        messages.error(request, locked)
        return redirect("two-factor")
    if not form.is_valid():
        messages.error(request, "Enter your password or a current code.")
        return redirect("two-factor")
    outcome = perform(lambda: call(form.cleaned_data["confirmation"]), success=success)
    if not outcome.ok:
        if outcome.status == 400:
            locked = two_factor.count_failure(request, user)
        messages.error(request, locked or outcome.message)
        return redirect("two-factor")
    two_factor.clear_failures(request, user)
    messages.success(request, outcome.message)
    if show_codes:
        return _codes_page(request, outcome.result, first=False)
    return redirect("two-factor")


# --- The second step of signing in ---------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user, target = request.user, _next(request)
    if user.is_verified() or not two_factor.has_two_factor(user):
        return redirect(target or "dashboard")
    form = CodeForm(request.POST or None)
    locked = two_factor.is_locked(request, user)
    if request.method == "POST" and not locked and form.is_valid():
        outcome = perform(
            lambda: two_factor.check_code(user, form.cleaned_data["code"]), success=""
        )
        if outcome.ok:
            two_factor.clear_failures(request, user)
            otp_login(request, outcome.result)
            request.session.cycle_key()
            if isinstance(outcome.result, StaticDevice):
                left = outcome.result.token_set.count()
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} left. "
                    "Make new ones on your two-factor page if you are running low.",
                )
            return redirect(target or "dashboard")
        locked = two_factor.count_failure(request, user)
        form.add_error("code", outcome.message)
    status = 429 if locked else (400 if form.is_bound else 200)
    context = {"form": form, "next": target, "locked": locked}
    return render(request, VERIFY, context, status=status)


# --- The policy (admins) ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def two_factor_policy(request: HttpRequest) -> HttpResponse:
    rules = two_factor.policy()
    initial = {
        "require_for_editors": rules.require_for_editors,
        "require_for_admins": rules.require_for_admins,
    }
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        outcome = perform(
            lambda: workflow.set_two_factor_policy(
                actor=request.user, **form.cleaned_data
            ),
            success="Saved who must use two-factor sign-in.",
        )
        if outcome.ok:
            messages.success(request, outcome.message)
            return redirect("two-factor-policy")
        form.add_error(None, outcome.message)
    context = {"form": form, "policy": rules}
    return render(request, POLICY, context, status=400 if form.errors else 200)
