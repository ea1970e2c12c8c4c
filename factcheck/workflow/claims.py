"""A claim's life outside its verdict: take, release, assign, dismiss, restore, reopen.

Each function runs one transaction: lock, check (permission, state, version), change,
and one audit event.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .. import audit
from ..audit import AuditAction
from ..models import Claim, ClaimState, User
from .base import begin, save_claim
from .rules import REVIEW, InvalidTransition


def take_claim(claim: Claim | int, *, actor: User, expected_version=None) -> Claim:
    """A reviewer takes a free open claim."""
    with transaction.atomic():
        claim, transition = begin(claim, actor, "claim.take", expected_version)
        claim.assignee, claim.state = actor, transition.target
        save_claim(claim, "assignee", "state")
        audit.record(
            actor,
            AuditAction.CLAIM_TAKEN,
            claim=claim,
            data={"from": ClaimState.OPEN, "to": claim.state},
        )
    return claim


def take_next_claim(*, actor: User, article=None) -> Claim | None:
    """Hand the caller the highest-priority free claim, never the same one twice.

    On PostgreSQL concurrent callers skip rows another transaction has locked; on
    SQLite every write transaction starts with the database write lock (IMMEDIATE),
    so callers are served one after another.
    """
    if not actor.has_perm(REVIEW):
        raise PermissionDenied("Your role does not allow taking claims.")
    with transaction.atomic():
        candidates = Claim.objects.filter(state=ClaimState.OPEN, assignee__isnull=True)
        if article is not None:
            candidates = candidates.filter(article=article)
        claim = (
            candidates.by_priority()
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        if claim is None:
            return None
        return take_claim(claim, actor=actor)


def release_claim(claim: Claim | int, *, actor: User, expected_version=None) -> Claim:
    """The assignee (or an editor) gives the claim back to the queue."""
    with transaction.atomic():
        claim, transition = begin(claim, actor, "claim.release", expected_version)
        before = claim.state
        previous = claim.assignee
        claim.assignee, claim.state = None, transition.target
        save_claim(claim, "assignee", "state")
        audit.record(
            actor,
            AuditAction.CLAIM_RELEASED,
            claim=claim,
            data={
                "from": before,
                "to": claim.state,
                "assignee": previous.get_username() if previous else None,
            },
        )
    return claim


def assign_claim(
    claim: Claim | int, *, actor: User, assignee: User, expected_version=None
) -> Claim:
    """An editor assigns (or reassigns) a claim to anyone who may review."""
    if not (assignee.is_active and assignee.has_perm(REVIEW)):
        raise ValidationError(f"{assignee} cannot review claims.")
    with transaction.atomic():
        claim, transition = begin(claim, actor, "claim.assign", expected_version)
        before, previous = claim.state, claim.assignee
        if previous == assignee and before == ClaimState.IN_PROGRESS:
            raise InvalidTransition(f"The claim is already assigned to {assignee}.")
        claim.assignee = assignee
        # A returned claim stays returned, so the reviewer sees the editor's comment.
        if before != ClaimState.RETURNED:
            claim.state = transition.target
        save_claim(claim, "assignee", "state")
        audit.record(
            actor,
            AuditAction.CLAIM_ASSIGNED,
            claim=claim,
            subject_user=assignee,
            data={
                "from": before,
                "to": claim.state,
                "assignee": assignee.get_username(),
                "previous": previous.get_username() if previous else None,
            },
        )
    return claim


def dismiss_claim(
    claim: Claim | int, *, actor: User, reason: str, expected_version=None
) -> Claim:
    """An editor dismisses a claim that is not worth checking; a reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the claim is dismissed.")
    with transaction.atomic():
        claim, transition = begin(claim, actor, "claim.dismiss", expected_version)
        before = claim.state
        claim.state, claim.assignee, claim.dismissed_reason = (
            transition.target,
            None,
            reason,
        )
        save_claim(claim, "state", "assignee", "dismissed_reason")
        audit.record(
            actor,
            AuditAction.CLAIM_DISMISSED,
            claim=claim,
            data={"from": before, "to": claim.state, "reason": reason},
        )
    return claim


def restore_claim(claim: Claim | int, *, actor: User, expected_version=None) -> Claim:
    """An editor brings a dismissed claim back to the queue."""
    with transaction.atomic():
        claim, transition = begin(claim, actor, "claim.restore", expected_version)
        reason = claim.dismissed_reason
        claim.state, claim.dismissed_reason = transition.target, ""
        save_claim(claim, "state", "dismissed_reason")
        audit.record(
            actor,
            AuditAction.CLAIM_RESTORED,
            claim=claim,
            data={
                "from": ClaimState.DISMISSED,
                "to": claim.state,
                "dismissed_reason": reason,
            },
        )
    return claim


def reopen_claim(
    claim: Claim | int, *, actor: User, reason: str, expected_version=None
) -> Claim:
    """An editor reopens an approved claim for a correction; a reason is required."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the claim is reopened.")
    with transaction.atomic():
        claim, transition = begin(claim, actor, "claim.reopen", expected_version)
        if claim.assignee is None or not claim.assignee.is_active:
            claim.assignee = actor
        claim.state = transition.target
        save_claim(claim, "state", "assignee")
        audit.record(
            actor,
            AuditAction.CLAIM_REOPENED,
            claim=claim,
            data={
                "from": ClaimState.APPROVED,
                "to": claim.state,
                "reason": reason,
                "assignee": claim.assignee.get_username(),
            },
        )
    return claim
