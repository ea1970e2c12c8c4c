"""API tokens: admins create and revoke them; each change is audited.

Invariants:
- Only the SHA-256 of a secret is stored; ``create_api_token`` returns the secret
  once and nothing can show it again (a lost secret means a new token).
- A token is made only for an active user and acts with that user's permissions;
  deactivating the user stops all of their tokens (the API checks ``is_active``).
- That user is the token's creator or a service account, never another person
  (``models.tokens.may_act_as``), and every API write names the token and its
  creator in its audit event (``audit.api_token_var``). Tokens made before this
  rule keep working; the token list flags them (``ApiToken.acts_as_another_person``).
- Tokens are revoked, never deleted, so the audit trail keeps pointing at them.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import audit
from ..audit import AuditAction
from ..models import ApiToken, User
from ..models.tokens import ACTS_AS_RULE, may_act_as
from .rules import ensure

# A recognisable prefix lets secret scanners (and people) tell what leaked.
SECRET_PREFIX = "fcd_"
PREFIX_LENGTH = 8
MAX_NAME = 100


def hash_secret(secret: str) -> str:
    """The stored form of a secret (SHA-256 hex): the API looks tokens up by it."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(*, actor: User, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns it and its secret, which is never stored."""
    ensure(actor, "token.create", None)
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError("Give the token a name (e.g. the CMS it is for).")
    if len(name) > MAX_NAME:
        raise ValidationError(f"The name is limited to {MAX_NAME} characters.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise ValidationError(f"{user} is deactivated: a token would not work.")
        if not may_act_as(actor.pk, user):
            raise ValidationError(ACTS_AS_RULE)
        token = ApiToken(
            user=user,
            name=name,
            key_prefix=secret[:PREFIX_LENGTH],
            key_hash=hash_secret(secret),
            created_by=actor,
        )
        token.save()
        audit.record(
            actor,
            AuditAction.TOKEN_CREATED,
            subject_user=user,
            summary=name,
            data={"token": token.pk, "prefix": token.key_prefix, "name": name},
        )
    return token, secret


def revoke_api_token(token: ApiToken, *, actor: User) -> ApiToken:
    """Stop a token working at once; the row stays, marked revoked."""
    ensure(actor, "token.revoke", None)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise ValidationError(f"The token “{token.name}” is already revoked.")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor,
            AuditAction.TOKEN_REVOKED,
            subject_user=token.user,
            summary=token.name,
            data={"token": token.pk, "prefix": token.key_prefix, "name": token.name},
        )
    return token
