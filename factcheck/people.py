"""Writes about people: accounts, roles, invitations, deactivation, password links.

Each function is one transaction that checks ``factcheck.manage_users`` (``actor=None``
is the system itself: the demo command, a first-run bootstrap), changes the user and
writes exactly one audit event.

Invariants:
- Nobody is ever deleted: deactivation keeps their history attributed to them.
- A person holds one of the role sets of ``ROLE_SETS`` (or none, for the system).
- There is always at least one active admin: the last one can be neither demoted nor
  deactivated (the admin rows are locked while this is checked, so two admins demoting
  each other at once cannot both succeed).
- Nobody changes their own roles (an admin cannot make themself an editor, or step
  down): another admin does it, so every change of powers has a second person.
- A service account (``is_service_account``) is a program's account, used only
  through API tokens: it has no usable password, is never sent a password link, can
  never set one, and holds a reviewer or editor role only (never admin).
- Deactivation ends the person's sessions: ``ModelBackend`` no longer authenticates an
  inactive user's session, and their stored sessions are deleted as well.
- Invitation and reset links are one-time: they are Django's password-reset tokens,
  which stop working once the password changes.
- Emails go out only after the change commits (``transaction.on_commit``), never
  inside the transaction: the audit chain's lock is held until the commit, so a slow
  mail server there would stall every write on the desk. A rolled-back change sends
  nothing; a mail that fails after the commit is reported, and the change stands.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import audit
from .audit import AuditAction
from .models import User
from .roles import GROUP_NAMES, Role, group_for, roles_of

# The role sets the team screen offers: key -> (label, roles).
ROLE_SETS: dict[str, tuple[str, tuple[Role, ...]]] = {
    "reviewer": ("Reviewer", (Role.REVIEWER,)),
    "editor": ("Editor", (Role.EDITOR,)),
    "admin": ("Admin", (Role.ADMIN,)),
    "editor-admin": ("Editor and admin", (Role.EDITOR, Role.ADMIN)),
}
_ALLOWED = {frozenset(roles) for _label, roles in ROLE_SETS.values()} | {frozenset()}
# The role sets a service account may hold: the desk's work, never the team's.
SERVICE_ROLE_SETS = {key: ROLE_SETS[key] for key in ("reviewer", "editor")}
NO_PASSWORD = "A service account has no password: it signs in only with API tokens."

MAX_USERNAME = 150
MAX_DISPLAY_NAME = 150

mail_log = logging.getLogger("factcheck.mail")


def _ensure_manager(actor: User | None) -> None:
    if actor is not None and not (
        actor.is_active and actor.has_perm("factcheck.manage_users")
    ):
        raise PermissionDenied("Only admins manage the team.")


def role_set_key(roles: Iterable[Role | str]) -> str:
    """The ``ROLE_SETS`` key for these roles, or "" for none."""
    wanted = frozenset(Role(r) for r in roles)
    for key, (_label, role_tuple) in ROLE_SETS.items():
        if frozenset(role_tuple) == wanted:
            return key
    return ""


def _clean_roles(roles: Iterable[Role | str]) -> list[Role]:
    try:
        role_list = sorted({Role(r) for r in roles}, key=list(Role).index)
    except ValueError:
        raise ValidationError("Unknown role.") from None
    if frozenset(role_list) not in _ALLOWED:
        labels = ", ".join(label for label, _ in ROLE_SETS.values())
        raise ValidationError(f"Choose one role: {labels}.")
    return role_list


def _is_active_admin(user: User) -> bool:
    return user.is_active and Role.ADMIN in roles_of(user)


def _lock_admins() -> None:
    """Lock every active admin row, in id order, before touching anyone's roles.

    Concurrent changes to the team queue here instead of deadlocking, and the check
    that follows is a new statement, so it sees what the previous holder committed.
    """
    list(
        User.objects.select_for_update(of=("self",))
        .filter(is_active=True, groups__name=GROUP_NAMES[Role.ADMIN])
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _ensure_another_admin(user: User) -> None:
    """Refuse to remove ``user``'s admin powers when nobody else would hold them."""
    others = User.objects.filter(
        is_active=True, groups__name=GROUP_NAMES[Role.ADMIN]
    ).exclude(pk=user.pk)
    if not others.exists():
        raise ValidationError(
            f"{user} is the last active admin: make someone else an admin first."
        )


def _lock(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _base_url(request_base_url: str) -> str:
    return (request_base_url or "").rstrip("/")


def _one_time_path(user: User, url_name: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse(url_name, kwargs={"uidb64": uid, "token": token})


class _MailAfterCommit:
    """A plain-text email to ``user``, rendered and sent once the change commits.

    A failure is logged; when this write's own commit ran the mail (no outer
    transaction), the write then raises ``ValidationError`` saying the change
    stands but the email did not go, so the caller can tell the person what to do.
    """

    def __init__(self, template: str, user: User, context: dict) -> None:
        self.template, self.user, self.context = template, user, context
        self.error: Exception | None = None
        transaction.on_commit(self._send)

    def _send(self) -> None:
        context = {
            "user": self.user,
            "desk_name": settings.FACTCHECK["ORGANISATION_NAME"],
            **self.context,
        }
        try:
            subject = render_to_string(
                f"registration/{self.template}_subject.txt", context
            )
            body = render_to_string(f"registration/{self.template}_email.txt", context)
            send_mail(
                " ".join(subject.split()),
                body,
                None,
                [self.user.email],
                fail_silently=False,
            )
        except Exception as exc:  # any failure: logged, and told to the caller
            self.error = exc
            mail_log.exception(
                "The %s email to %s could not be sent", self.template, self.user.email
            )

    def raise_if_failed(self, message: str) -> None:
        if self.error is not None:
            raise ValidationError(message) from self.error


def _new_user(*, username: str, email: str, display_name: str) -> User:
    username = (username or "").strip()
    if not username:
        raise ValidationError("A username is required.")
    if len(username) > MAX_USERNAME or len(display_name or "") > MAX_DISPLAY_NAME:
        raise ValidationError("The username or name is too long.")
    User.username_validator(username)
    email = (email or "").strip()
    if email:
        validate_email(email)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(f"The username “{username}” is taken.")
    return User(username=username, email=email, display_name=display_name or "")


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
    role_list = _clean_roles(roles)
    with transaction.atomic():
        user = _new_user(username=username, email=email, display_name=display_name)
        if password:
            validate_password(password, user)
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        user.groups.set([group_for(r) for r in role_list])
        audit.record(
            actor,
            AuditAction.USER_CREATED,
            subject_user=user,
            summary=user.username,
            data={"roles": [r.value for r in role_list], "email": user.email},
        )
    return user


def create_service_account(
    *,
    actor: User | None,
    username: str,
    roles: Iterable[Role | str],
    display_name: str = "",
) -> User:
    """Create a program's account (a CMS, an importer) for API tokens to act as.

    It has an unusable password and no email, so it can never sign in with a
    password; it is shown as a service account wherever its name appears.
    """
    _ensure_manager(actor)
    role_list = _clean_roles(roles)
    allowed = {frozenset(r) for _label, r in SERVICE_ROLE_SETS.values()}
    if frozenset(role_list) not in allowed:
        labels = " or ".join(label for label, _ in SERVICE_ROLE_SETS.values())
        raise ValidationError(f"A service account is a {labels}.")
    with transaction.atomic():
        user = _new_user(username=username, email="", display_name=display_name)
        user.is_service_account = True
        user.set_unusable_password()
        user.save()
        user.groups.set([group_for(r) for r in role_list])
        audit.record(
            actor,
            AuditAction.SERVICE_ACCOUNT_CREATED,
            subject_user=user,
            summary=user.username,
            data={"roles": [r.value for r in role_list]},
        )
    return user


def invite_user(
    *,
    actor: User | None,
    username: str,
    email: str,
    display_name: str = "",
    roles: Iterable[Role | str],
    request_base_url: str,
) -> User:
    """Create an account without a password and email a one-time link to set one."""
    _ensure_manager(actor)
    role_list = _clean_roles(roles)
    if not (email or "").strip():
        raise ValidationError("An invitation needs an email address.")
    with transaction.atomic():
        user = _new_user(username=username, email=email, display_name=display_name)
        user.set_unusable_password()
        user.save()
        user.groups.set([group_for(r) for r in role_list])
        audit.record(
            actor,
            AuditAction.USER_INVITED,
            subject_user=user,
            summary=user.username,
            data={"roles": [r.value for r in role_list], "email": user.email},
        )
        link = _base_url(request_base_url) + _one_time_path(user, "invitation-accept")
        user.one_time_link = link  # for the screen, when the desk sends no email
        mail = _MailAfterCommit("invitation", user, {"link": link, "inviter": actor})
    mail.raise_if_failed(
        f"{user} is invited, but the email to {user.email} could not be sent: "
        "send them a password link from the team list."
    )
    return user


def accept_invitation(
    user: User, *, password: str, token: str | None = None, via: str = "invitation"
) -> User:
    """The person sets their own password through a one-time link (invite or reset).

    With ``token`` the link is checked here too, so a caller cannot skip it.
    """
    with transaction.atomic():
        user = _lock(user)
        if not user.is_active:
            raise PermissionDenied("This account is deactivated.")
        if token is not None and not default_token_generator.check_token(user, token):
            raise ValidationError("This link is invalid or has already been used.")
        _set_password(user, password, actor=user, via=via)
    return user


def _set_password(user: User, password: str, *, actor: User, via: str) -> None:
    """Validate, set and audit a password; the caller holds the transaction."""
    if user.is_service_account:
        raise ValidationError(NO_PASSWORD)
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(
        actor,
        AuditAction.USER_PASSWORD_SET,
        subject_user=user,
        summary=user.username,
        data={"via": via},
    )


def change_password(user: User, *, actor: User, password: str) -> User:
    """A logged-in person replaces their own password (the form checked the old one).

    Only the person themself: an admin who wants someone's password changed sends
    them a reset link, so no admin ever knows another person's password.
    """
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied("You can only change your own password.")
    with transaction.atomic():
        user = _lock(user)
        if not user.is_active:
            raise PermissionDenied("This account is deactivated.")
        _set_password(user, password, actor=actor, via="change")
    return user


def set_roles(user: User, *, actor: User | None, roles: Iterable[Role | str]) -> User:
    """Replace the user's roles; the last active admin keeps the admin role."""
    _ensure_manager(actor)
    new = [r.value for r in _clean_roles(roles)]
    with transaction.atomic():
        _lock_admins()
        user = _lock(user)
        before = [r.value for r in roles_of(user)]
        if sorted(before) == sorted(new):
            return user
        if _is_active_admin(user) and Role.ADMIN.value not in new:
            _ensure_another_admin(user)
        if actor is not None and actor.pk == user.pk:
            raise ValidationError(
                "You cannot change your own role: ask another admin to do it."
            )
        if user.is_service_account and Role.ADMIN.value in new:
            raise ValidationError("A service account cannot be an admin.")
        user.groups.set([group_for(r) for r in new])
        audit.record(
            actor,
            AuditAction.USER_ROLE_CHANGED,
            subject_user=user,
            summary=user.username,
            data={"from": before, "to": new},
        )
    return user


def _end_sessions(user: User) -> int:
    """Delete the user's stored sessions; returns how many (0 for other backends).

    Not strictly needed (an inactive user's session no longer authenticates), but
    it leaves nothing behind. It scans live sessions, which is cheap at desk size.
    """
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return 0
    from importlib import import_module

    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    for key in keys:
        store(session_key=key).delete()
    return len(keys)


def deactivate_user(user: User, *, actor: User | None) -> User:
    """Block the account and end its sessions; never deletes (history stays theirs)."""
    _ensure_manager(actor)
    with transaction.atomic():
        _lock_admins()
        user = _lock(user)
        if not user.is_active:
            raise ValidationError(f"{user} is already deactivated.")
        if actor is not None and actor.pk == user.pk:
            raise ValidationError(
                "You cannot deactivate yourself: ask another admin to do it."
            )
        if _is_active_admin(user):
            _ensure_another_admin(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        ended = _end_sessions(user)
        audit.record(
            actor,
            AuditAction.USER_DEACTIVATED,
            subject_user=user,
            summary=user.username,
            data={"sessions_ended": ended},
        )
    return user


def reactivate_user(user: User, *, actor: User | None) -> User:
    """Let a deactivated person log in again, with the roles they had."""
    _ensure_manager(actor)
    with transaction.atomic():
        user = _lock(user)
        if user.is_active:
            raise ValidationError(f"{user} is already active.")
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record(
            actor,
            AuditAction.USER_REACTIVATED,
            subject_user=user,
            summary=user.username,
        )
    return user


def send_password_reset(
    user: User, *, actor: User | None, request_base_url: str
) -> User:
    """Email the person Django's one-time password-reset link."""
    _ensure_manager(actor)
    with transaction.atomic():
        user = _lock(user)
        if not user.is_active:
            raise ValidationError(f"{user} is deactivated: reactivate them first.")
        if user.is_service_account:
            raise ValidationError(NO_PASSWORD)
        if not user.email:
            raise ValidationError(f"{user} has no email address.")
        audit.record(
            actor,
            AuditAction.USER_PASSWORD_RESET_SENT,
            subject_user=user,
            summary=user.username,
            data={"email": user.email},
        )
        link = _base_url(request_base_url) + _one_time_path(
            user, "password_reset_confirm"
        )
        user.one_time_link = link  # for the screen, when the desk sends no email
        mail = _MailAfterCommit(
            "admin_password_reset", user, {"link": link, "sender": actor}
        )
    mail.raise_if_failed(
        f"The email to {user.email} could not be sent: try again later."
    )
    return user
