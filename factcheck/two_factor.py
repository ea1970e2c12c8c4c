"""Two-factor sign-in around the session: who still owes a second factor, checking
a code at sign-in (throttled like passwords), and the set-up's QR code.

A password alone signs a person in "halfway" when they have an authenticator app
(a confirmed ``TOTPDevice``): ``TwoFactorMiddleware`` then lets the session reach
only the code page (and logout, and pages anyone may see) until a code or a recovery
code is accepted and ``django_otp.login`` marks the session verified
(``request.user.is_verified()``, from django-otp's ``OTPMiddleware``). A person
whose role the policy covers and who has no app is sent to set one up instead.
Service accounts never sign in with a password, so none of this applies to them.

Wrong codes are counted per account and client address (``throttle`` lock-outs):
``AXES_FAILURE_LIMIT`` of them lock that pair out for ``AXES_COOLOFF_TIME``, the
same numbers as passwords. The writes (turning it on and off, spending a recovery
code, the policy) are in ``workflow.two_factor``.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from . import throttle, workflow
from .models import TwoFactorPolicy, User
from .roles import Role, roles_of
from .workflow.two_factor import (
    KEY_HEX_LENGTH,
    POLICY_STAMP,
    normalise_code,
    totp_device,
)

# The secret being set up waits in the session until a code confirms it.
SETUP_KEY = "factcheck_two_factor_setup_key"
VERIFY_URL = "two-factor-verify"
SETUP_URL = "two-factor-setup"


# --- Policy and what a session still owes --------------------------------------------


# A session that owes nothing remembers it, with the policy stamp it was judged
# under, so a signed-in request pays no query for two-factor (only a cache read);
# a new policy stamp judges every session again at its next request.
NOTHING_OWED = "factcheck_two_factor_nothing_owed"
POLICY_STAMP_SECONDS = 60


def policy() -> TwoFactorPolicy:
    """The saved policy, or an unsaved one requiring nobody."""
    return TwoFactorPolicy.objects.filter(pk=1).first() or TwoFactorPolicy()


def policy_stamp() -> str:
    """When the policy last changed ("none" before any save), cached a minute;
    ``workflow.set_two_factor_policy`` forgets it when a change commits."""
    stamp = cache.get(POLICY_STAMP)
    if stamp is None:
        saved = (
            TwoFactorPolicy.objects.filter(pk=1)
            .values_list("updated_at", flat=True)
            .first()
        )
        stamp = saved.isoformat() if saved else "none"
        cache.set(POLICY_STAMP, stamp, POLICY_STAMP_SECONDS)
    return stamp


def owed_by_session(request: HttpRequest) -> str | None:
    """``owed(request.user)``, remembered in the session while it is "nothing".

    Only "nothing owed" is remembered: a session that owes a code or a set-up is
    judged afresh each time (it is mid-sign-in, and rare). A device enabled in one
    session does not reach the user's other sessions that already owed nothing
    (they signed in before it existed); their next sign-in asks for the code.
    """
    stamp = policy_stamp()
    if request.session.get(NOTHING_OWED) == stamp:
        return None
    step = owed(request.user)
    if step is None:
        request.session[NOTHING_OWED] = stamp
    else:
        request.session.pop(NOTHING_OWED, None)
    return step


def judge_session_at_sign_in(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: judge the new session now, so its pages pay nothing."""
    if request is None or not hasattr(request, "session"):
        return
    request.session.pop(NOTHING_OWED, None)
    if owed(user) is None:
        request.session[NOTHING_OWED] = policy_stamp()


def required_for(user: User, rules: TwoFactorPolicy | None = None) -> bool:
    """Must this person sign in with a second factor, by the policy and their role?"""
    if user.is_service_account:
        return False
    rules = rules or policy()
    if not (rules.require_for_editors or rules.require_for_admins):
        return False
    roles = set(roles_of(user))
    return (rules.require_for_editors and Role.EDITOR in roles) or (
        rules.require_for_admins and Role.ADMIN in roles
    )


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def owed(user: User) -> str | None:
    """What this signed-in, unverified session must do first: "verify", "setup" or
    None (nothing: two-factor is neither on nor required)."""
    if user.is_service_account:
        return None
    if has_two_factor(user):
        return "verify"
    if required_for(user):
        return "setup"
    return None


class TwoFactorMiddleware:
    """Send a session that owes its second factor to the code (or set-up) page.

    Runs after ``LoginRequiredMiddleware`` and django-otp's ``OTPMiddleware``. Views
    anyone may see (``@login_not_required``: login, logout, public pages, the API's
    bearer-token routes) are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        step = owed_by_session(request)
        if step is None:
            return None
        target = VERIFY_URL if step == "verify" else SETUP_URL
        if request.resolver_match and request.resolver_match.url_name == target:
            return None
        url = reverse(target)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)


# --- Checking a code at sign-in ----------------------------------------------------


def failure_limit() -> int:
    return int(getattr(settings, "AXES_FAILURE_LIMIT", 5))


def lock_seconds() -> int:
    return int(float(getattr(settings, "AXES_COOLOFF_TIME", 0.25)) * 3600)


LOCKED = (
    "Too many wrong codes from your address: signing in to this account from here "
    "is paused for {minutes} minutes. Wait, then try again (or use a recovery code)."
)


def _party(request: HttpRequest, user: User) -> str:
    return throttle.failure_party(request, "two-factor", user.pk)


def is_locked(request: HttpRequest, user: User) -> str | None:
    """The message to show if this account is locked out from this address."""
    if throttle.is_locked(_party(request, user)):
        return LOCKED.format(minutes=max(1, lock_seconds() // 60))
    return None


def count_failure(request: HttpRequest, user: User) -> str | None:
    """Count a wrong code; the lock-out message if this one reached the limit."""
    if throttle.count_failure(
        _party(request, user), failure_limit(), lock_seconds=lock_seconds()
    ):
        return LOCKED.format(minutes=max(1, lock_seconds() // 60))
    return None


def clear_failures(request: HttpRequest, user: User) -> None:
    throttle.clear_failures(_party(request, user), failure_limit())


def check_code(user: User, code: str) -> Device:
    """The device that accepts ``code`` (an authenticator code or a recovery code).

    Six digits are an authenticator code, anything else a recovery code (spaces and
    hyphens ignored). Raises ``ValidationError`` with a message for the person.
    """
    code = normalise_code(code)
    if not code:
        raise ValidationError("Enter the code from your app, or a recovery code.")
    if len(code) == 6 and code.isdigit():
        with transaction.atomic():
            device = totp_device(user, for_update=True)
            if device is not None and device.verify_token(code):
                return device
        raise ValidationError(
            "That code is not right, or it has expired or been used already: "
            "enter the 6 digits your app shows now."
        )
    return workflow.use_recovery_code(user, code=code)


# --- Setting it up ---------------------------------------------------------------


def setup_key(request: HttpRequest, *, fresh: bool = False) -> str:
    """The secret being set up in this session (a new one when asked or missing)."""
    key = request.session.get(SETUP_KEY, "")
    if fresh or len(key) != KEY_HEX_LENGTH:
        key = random_hex(KEY_HEX_LENGTH // 2)
        request.session[SETUP_KEY] = key
    return key


def forget_setup_key(request: HttpRequest) -> None:
    request.session.pop(SETUP_KEY, None)


def config_url(user: User, key: str) -> str:
    """The otpauth:// address an authenticator app reads (label, issuer, secret)."""
    return TOTPDevice(user=user, key=key).config_url


def secret_text(key: str) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    text = b32encode(bytes.fromhex(key)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(text: str) -> str:
    """``text`` as an inline SVG QR code: markup only, no script or style attribute."""
    return segno.make(text, error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff", title="QR code for your app"
    )


def format_recovery_code(code: str) -> str:
    """Recovery codes are shown in two halves ("abcd-efgh"); either form is accepted."""
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code
