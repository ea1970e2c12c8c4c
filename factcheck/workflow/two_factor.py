"""Two-factor sign-in: a person's own authenticator app and recovery codes, and the
policy admins set. Each write is one transaction with one audit event.

Invariants:
- Only the person themself turns two-factor sign-in on or off, or replaces their
  recovery codes (``actor`` is the user); a service account never signs in with a
  password, so it has no second factor either.
- A person has at most one authenticator (a confirmed ``TOTPDevice``) and, with it,
  one set of ``RECOVERY_CODES`` one-time recovery codes (a ``StaticDevice``). It is
  stored only once they have typed a code from it: the secret waits in their session
  until then, so an app set up halfway never locks anyone out.
- Turning it off, and replacing the codes, needs the password or a current code.
- A recovery code works once: it is deleted in the transaction that records its use.
- The policy is one row (pk 1); no row means nobody is required to use it.
"""

from __future__ import annotations

import hmac

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import audit
from ..audit import AuditAction
from ..models import TwoFactorPolicy, User
from .rules import ensure

# The cache key of the policy's stamp (read by factcheck.two_factor), forgotten
# when a policy change commits.
POLICY_STAMP = "factcheck:two-factor-policy-stamp"

RECOVERY_CODES = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
KEY_HEX_LENGTH = 40  # 160 bits, as django-otp's default_key


def normalise_code(code: object) -> str:
    """What a person typed, without spaces or hyphens, lower case ("" if nothing)."""
    return "".join(str(code or "").split()).replace("-", "").lower()


def _ensure_self(user: User, actor: User | None) -> None:
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied(
            "Only the account's owner manages its two-factor sign-in."
        )
    if not actor.is_active:
        raise PermissionDenied("This account is deactivated.")
    if user.is_service_account:
        raise ValidationError(
            "A service account signs in only with API tokens: it has no second factor."
        )


def _lock(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _totp_step(key: str, code: str, *, after: int = -1) -> int | None:
    """The time step at which ``code`` is right for ``key`` (±1 step), else None."""
    if len(code) != 6 or not code.isdigit():
        return None
    try:
        totp = TOTP(bytes.fromhex(key))
    except ValueError:
        return None
    if totp.verify(int(code), tolerance=1, min_t=after + 1):
        return totp.t()
    return None


def totp_device(user: User, *, for_update: bool = False) -> TOTPDevice | None:
    devices = TOTPDevice.objects.devices_for_user(user, confirmed=True)
    if for_update:
        devices = devices.select_for_update()
    return devices.order_by("pk").first()


def _new_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; returns them (shown once, stored as is)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def _confirm(user: User, confirmation: str) -> str:
    """Check the password or a current authenticator code; returns which it was."""
    code = normalise_code(confirmation)
    device = totp_device(user, for_update=True)
    step = _totp_step(device.key, code, after=device.last_t) if device else None
    if step is not None:
        device.last_t = step  # the same code cannot be used again
        device.save(update_fields=["last_t"])
        return "code"
    if confirmation and user.check_password(confirmation):
        return "password"
    raise ValidationError("That is neither your password nor a current code.")


def enable_two_factor(
    user: User, *, actor: User, key: str, code: str
) -> tuple[TOTPDevice, list[str]]:
    """Store the authenticator whose secret is ``key`` once ``code`` proves the app
    has it, with a fresh set of recovery codes (returned, to be shown once)."""
    _ensure_self(user, actor)
    key = str(key or "").lower()
    if len(key) != KEY_HEX_LENGTH or any(c not in "0123456789abcdef" for c in key):
        raise ValidationError("The set-up expired: start again with a new QR code.")
    with transaction.atomic():
        user = _lock(user)
        if totp_device(user) is not None:
            raise ValidationError("Two-factor sign-in is already on for your account.")
        step = _totp_step(key, normalise_code(code))
        if step is None:
            raise ValidationError(
                "That code is not right: enter the 6 digits your app shows now."
            )
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name=TOTP_NAME, key=key, confirmed=True, last_t=step
        )
        codes = _new_codes(user)
        audit.record(
            actor,
            AuditAction.TWO_FACTOR_ENABLED,
            subject_user=user,
            summary=user.username,
            data={"recovery_codes": len(codes)},
        )
    return device, codes


def disable_two_factor(user: User, *, actor: User, confirmation: str) -> User:
    """Remove the authenticator and the recovery codes (password or code first)."""
    _ensure_self(user, actor)
    with transaction.atomic():
        user = _lock(user)
        if totp_device(user) is None:
            raise ValidationError("Two-factor sign-in is not on for your account.")
        via = _confirm(user, confirmation)
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit.record(
            actor,
            AuditAction.TWO_FACTOR_DISABLED,
            subject_user=user,
            summary=user.username,
            data={"confirmed_with": via},
        )
    return user


def regenerate_recovery_codes(
    user: User, *, actor: User, confirmation: str
) -> list[str]:
    """Replace every recovery code (the old ones stop working); returns the new."""
    _ensure_self(user, actor)
    with transaction.atomic():
        user = _lock(user)
        if totp_device(user) is None:
            raise ValidationError("Turn on two-factor sign-in first.")
        via = _confirm(user, confirmation)
        codes = _new_codes(user)
        audit.record(
            actor,
            AuditAction.RECOVERY_CODES_REGENERATED,
            subject_user=user,
            summary=user.username,
            data={"confirmed_with": via, "recovery_codes": len(codes)},
        )
    return codes


def use_recovery_code(user: User, *, code: str) -> StaticDevice:
    """Spend one recovery code to finish signing in; raises if it is not one of the
    user's unused codes. The code is deleted with the event that records its use."""
    code = normalise_code(code)
    with transaction.atomic():
        user = _lock(user)
        device = (
            StaticDevice.objects.devices_for_user(user, confirmed=True)
            .select_for_update()
            .first()
        )
        tokens = list(device.token_set.all()) if device else []
        match = next(
            (t for t in tokens if hmac.compare_digest(t.token.lower(), code)), None
        )
        if not code or match is None:
            raise ValidationError(
                "That is not one of your unused recovery codes (each works once)."
            )
        match.delete()
        audit.record(
            user,
            AuditAction.RECOVERY_CODE_USED,
            subject_user=user,
            summary=user.username,
            data={"left": len(tokens) - 1},
        )
    return device


def set_two_factor_policy(
    *, actor: User, require_for_editors: bool, require_for_admins: bool
) -> TwoFactorPolicy:
    """Say which roles must sign in with a second factor (admins only)."""
    ensure(actor, "two_factor_policy.edit", None)
    fields = {
        "require_for_editors": bool(require_for_editors),
        "require_for_admins": bool(require_for_admins),
    }
    with transaction.atomic():
        row = TwoFactorPolicy.objects.select_for_update().filter(pk=1).first()
        before = {k: getattr(row, k) if row else False for k in fields}
        if row is not None and before == fields:
            return row
        if row is None:
            row = TwoFactorPolicy(pk=1, updated_by=actor, **fields)
            row.save()
        else:
            for name, value in fields.items():
                setattr(row, name, value)
            row.updated_by = actor
            row.save(update_fields=[*fields, "updated_by", "updated_at"])
        # Every session is judged again under the new policy (two_factor.py).
        transaction.on_commit(lambda: cache.delete(POLICY_STAMP))
        audit.record(
            actor,
            AuditAction.TWO_FACTOR_POLICY_CHANGED,
            summary=str(row),
            data={"before": before, "after": fields},
        )
    return row
