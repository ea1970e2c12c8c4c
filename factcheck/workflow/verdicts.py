"""A claim's verdict: draft, submit, approve (by enough other editors), return.

Invariants: at most one verdict per claim is current; a verdict that left the draft
state is never edited again (a revision is a new row, so a returned verdict keeps its
history); nobody's approval counts on a verdict they submitted.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import audit, webhooks
from ..audit import AuditAction
from ..models import Approval, Claim, ClaimState, Rating, User, Verdict, VerdictState
from .base import begin, save_claim
from .evidence import unverified_sources
from .rules import current_verdict

MAX_RATIONALE = 20_000


def _clean_rationale(rationale: str | None) -> str:
    text = (rationale or "").strip()
    if len(text) > MAX_RATIONALE:
        raise ValidationError(
            f"The rationale is limited to {MAX_RATIONALE:,} characters."
        )
    return text


def _draft_for(claim: Claim, actor: User) -> Verdict:
    """The current draft, or a new one that carries the last verdict's text forward."""
    verdict = current_verdict(claim)
    if verdict is not None and verdict.state == VerdictState.DRAFT:
        return verdict
    draft = Verdict(claim=claim, author=actor, state=VerdictState.DRAFT)
    if verdict is not None:
        draft.rating, draft.rationale = verdict.rating, verdict.rationale
        verdict.is_current = False
        verdict.save(update_fields=["is_current", "updated_at"])
    return draft


def _rating_label(verdict: Verdict) -> str | None:
    return verdict.rating.label if verdict.rating_id else None


def save_verdict_draft(
    claim: Claim | int,
    *,
    actor: User,
    rating: Rating | None,
    rationale: str,
    expected_version: int | None = None,
) -> Verdict:
    """Save the working verdict without submitting it."""
    rationale = _clean_rationale(rationale)
    with transaction.atomic():
        claim, _ = begin(claim, actor, "claim.work", expected_version)
        draft = _draft_for(claim, actor)
        before = {"rating": _rating_label(draft), "rationale": draft.rationale}
        draft.rating, draft.rationale = rating, rationale
        draft.save()
        save_claim(claim)
        audit.record(
            actor,
            AuditAction.VERDICT_SAVED,
            claim=claim,
            data={
                "before": before,
                "after": {"rating": _rating_label(draft), "rationale": rationale},
                "verdict": draft.pk,
            },
        )
    return draft


def submit_verdict(
    claim: Claim | int,
    *,
    actor: User,
    rating: Rating | None = None,
    rationale: str | None = None,
    expected_version: int | None = None,
) -> Claim:
    """Submit the verdict for approval; the rating and rationale may come with it.

    Needs a rating, a rationale, and a source unless the rating says it needs none.
    """
    with transaction.atomic():
        claim, transition = begin(claim, actor, "verdict.submit", expected_version)
        draft = _draft_for(claim, actor)
        if rating is not None:
            draft.rating = rating
        if rationale is not None:
            draft.rationale = _clean_rationale(rationale)
        problems = []
        if draft.rating is None:
            problems.append("Choose a rating.")
        elif not draft.rating.active:
            problems.append(f"The rating “{draft.rating}” is no longer in use.")
        if not draft.rationale:
            problems.append("Write a rationale.")
        if (
            draft.rating is not None
            and draft.rating.requires_source
            and not claim.sources.filter(removed_at__isnull=True).exists()
        ):
            problems.append(f"A “{draft.rating}” verdict needs at least one source.")
        if problems:
            raise ValidationError(problems)
        before = claim.state
        draft.state = VerdictState.SUBMITTED
        draft.submitted_by, draft.submitted_at = actor, timezone.now()
        draft.save()
        claim.state = transition.target
        save_claim(claim, "state")
        audit.record(
            actor,
            AuditAction.VERDICT_SUBMITTED,
            claim=claim,
            data={
                "from": before,
                "to": claim.state,
                "verdict": draft.pk,
                "rating": draft.rating.label,
                "rationale": draft.rationale,
            },
        )
    return claim


def approve_verdict(
    claim: Claim | int,
    *,
    actor: User,
    expected_version: int | None = None,
    confirm_excerpts: bool = False,
) -> Claim:
    """An editor approves a submitted verdict; it is final once enough editors have.

    The rating says how many distinct editors must approve (the submitter never
    counts); until then the claim stays submitted. A source whose excerpt was not
    found on its captured page needs ``confirm_excerpts`` (the editor checked it).
    """
    with transaction.atomic():
        claim, transition = begin(claim, actor, "verdict.approve", expected_version)
        verdict = current_verdict(claim)
        unverified = unverified_sources(claim)
        if unverified and not confirm_excerpts:
            titles = ", ".join(f"“{s.title}”" for s in unverified)
            raise ValidationError(
                f"The excerpt of {titles} was not found on the captured page. "
                "Check it, then tick the confirmation on the claim's page to approve."
            )
        Approval.objects.create(verdict=verdict, editor=actor)
        approvals = verdict.approvals.exclude(editor_id=verdict.submitted_by_id).count()
        needed = verdict.rating.required_approvals
        data = {
            "verdict": verdict.pk,
            "rating": verdict.rating.label,
            "approvals": approvals,
            "required": needed,
        }
        if unverified:
            data["excerpts_confirmed"] = [s.pk for s in unverified]
        if approvals < needed:
            save_claim(claim)
            audit.record(
                actor, AuditAction.VERDICT_APPROVAL_RECORDED, claim=claim, data=data
            )
            return claim
        verdict.state = VerdictState.APPROVED
        verdict.decided_by, verdict.decided_at = actor, timezone.now()
        verdict.save()
        claim.state = transition.target
        save_claim(claim, "state")
        webhooks.announce_approval(claim, rating=verdict.rating.label)
        audit.record(
            actor,
            AuditAction.VERDICT_APPROVED,
            claim=claim,
            data={**data, "from": ClaimState.SUBMITTED, "to": claim.state},
        )
    return claim


def return_verdict(
    claim: Claim | int,
    *,
    actor: User,
    comment: str,
    expected_version: int | None = None,
) -> Claim:
    """An editor returns a submitted verdict with a comment the reviewer will see.

    Any approvals already given lapse with it: the revision starts from zero.
    """
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError("Say what needs to change: a comment is required.")
    with transaction.atomic():
        claim, transition = begin(claim, actor, "verdict.return", expected_version)
        verdict = current_verdict(claim)
        verdict.state = VerdictState.RETURNED
        verdict.decided_by, verdict.decided_at = actor, timezone.now()
        verdict.decision_comment = comment
        verdict.save()
        claim.state = transition.target
        save_claim(claim, "state")
        audit.record(
            actor,
            AuditAction.VERDICT_RETURNED,
            claim=claim,
            subject_user=verdict.submitted_by,
            data={
                "from": ClaimState.SUBMITTED,
                "to": claim.state,
                "verdict": verdict.pk,
                "comment": comment,
            },
        )
    return claim
