"""Writes about people: accounts and roles. Each one audits, like every workflow write.

A user holds at most one of the three roles here (the team screen offers one role
per person; an editor who also runs the team gets both groups through ``roles=``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from . import audit
from .audit import AuditAction
from .models import User
from .roles import Role, group_for, roles_of


def _ensure_manager(actor: User | None) -> None:
    # actor None is the system itself (the demo command, a first-run bootstrap).
    if actor is not None and not actor.has_perm("factcheck.manage_users"):
        raise PermissionDenied("Only admins manage the team.")


def create_user(
    *,
    actor: User | None,
    username: str,
    email: str = "",
    display_name: str = "",
    roles: Iterable[Role | str] = (),
    password: str | None = None,
) -> User:
    """Create an active account with the given roles; no password means invite-only."""
    _ensure_manager(actor)
    username = (username or "").strip()
    if not username:
        raise ValidationError("A username is required.")
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(f"The username “{username}” is taken.")
        user = User(username=username, email=email.strip(), display_name=display_name)
        if password:
            validate_password(password, user)
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        role_list = [Role(r) for r in roles]
        user.groups.set([group_for(r) for r in role_list])
        audit.record(
            actor,
            AuditAction.USER_CREATED,
            subject_user=user,
            summary=username,
            data={"roles": [r.value for r in role_list], "email": user.email},
        )
    return user


def set_roles(user: User, *, actor: User | None, roles: Iterable[Role | str]) -> User:
    """Replace the user's roles."""
    _ensure_manager(actor)
    new = sorted(Role(r).value for r in roles)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = sorted(r.value for r in roles_of(user))
        if before == new:
            return user
        user.groups.set([group_for(r) for r in new])
        audit.record(
            actor,
            AuditAction.USER_ROLE_CHANGED,
            subject_user=user,
            summary=user.username,
            data={"from": before, "to": new},
        )
    return user
