"""Who may do what, in which state: the transition table and ``can()``.

Every action of the desk is a row of ``ACTIONS``: the states it starts from, the
state it leads to (None when it changes no state), the permission the actor needs,
and an optional row rule. ``check()`` answers with the reason an action is refused,
``can()`` with a bool for templates, and ``ensure()`` raises for the write path:

- ``PermissionDenied``: the actor lacks the permission or a row rule forbids it (403);
- ``InvalidTransition``: the object is not in a state the action starts from (409);
- ``Conflict``: the form was drawn from an older version of the object (409).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from ..models import Article, ArticleState, Claim, ClaimState, ErrorReportState

OPEN, IN_PROGRESS, SUBMITTED = (
    ClaimState.OPEN,
    ClaimState.IN_PROGRESS,
    ClaimState.SUBMITTED,
)
RETURNED, APPROVED, DISMISSED = (
    ClaimState.RETURNED,
    ClaimState.APPROVED,
    ClaimState.DISMISSED,
)
LIVE = frozenset({OPEN, IN_PROGRESS, RETURNED})
ANY_CLAIM_STATE = frozenset(ClaimState.values)

REVIEW = "factcheck.review_claim"
EDIT = "factcheck.approve_verdict"  # editors: approve, return, assign, dismiss
PUBLISH = "factcheck.publish_article"
INGEST = "factcheck.add_article"
MANAGE = "factcheck.manage_users"


class InvalidTransition(Exception):
    """The object's state does not allow the action (someone else got there first)."""


class Conflict(InvalidTransition):
    """The form was drawn from an older version; carries the current object."""

    def __init__(self, message: str, current=None):
        super().__init__(message)
        self.current = current


# A row rule returns None when the actor may act, or the reason they may not.
RowRule = Callable[[object, object], str | None]


@dataclass(frozen=True)
class Transition:
    source: frozenset[str]
    target: str | None
    permission: str
    rule: RowRule | None = None
    label: str = ""


def _is_editor(user) -> bool:
    return user.has_perm(EDIT)


def _own_or_editor(user, claim: Claim) -> str | None:
    if claim.assignee_id == user.pk or _is_editor(user):
        return None
    if claim.assignee_id is None:
        return "Take the claim first."
    return f"This claim is assigned to {claim.assignee}."


def _free(user, claim: Claim) -> str | None:
    if claim.assignee_id is None:
        return None
    if claim.assignee_id == user.pk:
        return "You already have this claim."
    return f"{claim.assignee} has already taken this claim."


def _free_own_or_editor(user, claim: Claim) -> str | None:
    if claim.assignee_id in (None, user.pk) or _is_editor(user):
        return None
    return f"This claim is assigned to {claim.assignee}."


def _editable_before_review(user, claim: Claim) -> str | None:
    if claim.article.state != ArticleState.IN_REVIEW:
        return "Published articles change only through a correction."
    return _free_own_or_editor(user, claim)


def _not_own_submission(user, claim: Claim) -> str | None:
    verdict = current_verdict(claim)
    if verdict is not None and verdict.submitted_by_id == user.pk:
        return "You submitted this verdict; another editor must decide it."
    return None


def _may_approve(user, claim: Claim) -> str | None:
    reason = _not_own_submission(user, claim)
    if reason:
        return reason
    verdict = current_verdict(claim)
    if verdict is not None and any(
        a.editor_id == user.pk for a in verdict.approvals.all()
    ):
        return "You have already approved this verdict."
    return None


def _publishable(user, article: Article) -> str | None:
    states = list(article.claims.values_list("state", flat=True))
    if not states or APPROVED not in states:
        return "Nothing to publish: no claim of this article is approved yet."
    pending = sum(1 for s in states if s not in (APPROVED, DISMISSED))
    if pending:
        return (
            f"{pending} claim{'s' if pending != 1 else ''} still need a decision: "
            "every claim must be approved or dismissed before publishing."
        )
    return None


def current_verdict(claim: Claim):
    """The current verdict, using the prefetch cache when the caller made one."""
    cache = getattr(claim, "_prefetched_objects_cache", {})
    if "verdicts" in cache:
        return next((v for v in cache["verdicts"] if v.is_current), None)
    return claim.verdicts.filter(is_current=True).first()


ACTIONS: dict[str, Transition] = {
    # Claims, before and during review
    "claim.take": Transition(frozenset({OPEN}), IN_PROGRESS, REVIEW, _free, "Take"),
    "claim.release": Transition(
        frozenset({IN_PROGRESS, RETURNED}), OPEN, REVIEW, _own_or_editor, "Release"
    ),
    "claim.assign": Transition(LIVE, IN_PROGRESS, EDIT, None, "Assign"),
    "claim.edit": Transition(
        frozenset({OPEN, IN_PROGRESS}), None, REVIEW, _editable_before_review, "Edit"
    ),
    "claim.dismiss": Transition(LIVE, DISMISSED, EDIT, None, "Dismiss"),
    "claim.restore": Transition(frozenset({DISMISSED}), OPEN, EDIT, None, "Restore"),
    "claim.set_due": Transition(LIVE | {SUBMITTED}, None, EDIT, None, "Set due time"),
    "claim.work": Transition(
        frozenset({IN_PROGRESS, RETURNED}), None, REVIEW, _own_or_editor, "Work"
    ),
    "claim.note": Transition(ANY_CLAIM_STATE, None, REVIEW, None, "Add note"),
    # Who made the claim: while it is live (a published claim after reopening it).
    "claim.set_claimant": Transition(
        LIVE, None, REVIEW, _free_own_or_editor, "Set claimant"
    ),
    "claim.reopen": Transition(
        frozenset({APPROVED}), IN_PROGRESS, EDIT, None, "Reopen"
    ),
    # Verdicts
    "verdict.submit": Transition(
        frozenset({IN_PROGRESS, RETURNED}), SUBMITTED, REVIEW, _own_or_editor, "Submit"
    ),
    "verdict.approve": Transition(
        frozenset({SUBMITTED}), APPROVED, EDIT, _may_approve, "Approve"
    ),
    "verdict.return": Transition(
        frozenset({SUBMITTED}), RETURNED, EDIT, _not_own_submission, "Return"
    ),
    # Articles
    "article.edit": Transition(frozenset({ArticleState.IN_REVIEW}), None, REVIEW),
    # Ingestion checks a new, unsaved Article (state in_review by default).
    "article.create": Transition(
        frozenset({ArticleState.IN_REVIEW}), None, INGEST, None, "Ingest"
    ),
    "article.add_claim": Transition(
        frozenset({ArticleState.IN_REVIEW}), None, REVIEW, None, "Add claim"
    ),
    "article.set_due": Transition(frozenset({ArticleState.IN_REVIEW}), None, EDIT),
    # A new version of the text, in any state: outlets update published stories.
    "article.revise": Transition(
        frozenset(ArticleState.values), None, INGEST, None, "New version"
    ),
    # An editor says a claim's verdict still holds after its sentence changed
    # (the write refuses a claim that is not flagged "text changed").
    "claim.confirm_text": Transition(
        ANY_CLAIM_STATE, None, EDIT, None, "Confirm verdict still holds"
    ),
    "article.publish": Transition(
        frozenset(
            {ArticleState.IN_REVIEW, ArticleState.PUBLISHED, ArticleState.UNPUBLISHED}
        ),
        ArticleState.PUBLISHED,
        PUBLISH,
        _publishable,
        "Publish",
    ),
    "article.unpublish": Transition(
        frozenset({ArticleState.PUBLISHED}), ArticleState.UNPUBLISHED, PUBLISH, None
    ),
    # Readers' error reports (the target state is the editor's choice)
    "error_report.handle": Transition(
        frozenset({ErrorReportState.NEW}), None, PUBLISH, None, "Handle"
    ),
    # The verdict scale (ratings have no state: ``getattr(obj, "state")`` is None)
    "rating.create": Transition(frozenset({None}), None, MANAGE, None, "Add rating"),
    "rating.edit": Transition(frozenset({None}), None, MANAGE, None, "Edit rating"),
    # The archive of other publishers' fact-checks ("checked before?"): editorial,
    # since "same claim" cites an imported check as a source (no state either).
    "factchecks.import": Transition(
        frozenset({None}), None, EDIT, None, "Import fact-checks"
    ),
    # API tokens (no state either; a revoked token is refused by the write itself)
    "token.create": Transition(frozenset({None}), None, MANAGE, None, "Create token"),
    "token.revoke": Transition(frozenset({None}), None, MANAGE, None, "Revoke"),
    # Webhook endpoints and their deliveries (no state; admins)
    "webhook.create": Transition(frozenset({None}), None, MANAGE, None, "Add webhook"),
    "webhook.edit": Transition(frozenset({None}), None, MANAGE, None, "Save webhook"),
    "webhook.disable": Transition(frozenset({None}), None, MANAGE, None, "Disable"),
    "webhook.redeliver": Transition(frozenset({None}), None, MANAGE, None, "Redeliver"),
    # The publisher named in ClaimReview and the public transparency pages (no state)
    "publisher.edit": Transition(
        frozenset({None}), None, MANAGE, None, "Edit the publisher"
    ),
    "public_page.edit": Transition(
        frozenset({None}), None, MANAGE, None, "Edit a public page"
    ),
    "two_factor_policy.edit": Transition(
        frozenset({None}), None, MANAGE, None, "Require two-factor sign-in"
    ),
}


@dataclass(frozen=True)
class Refusal:
    kind: str  # "permission" | "state" | "rule"
    message: str


def check(user, action: str, obj) -> Refusal | None:
    """Why ``user`` may not do ``action`` to ``obj`` now, or None if they may."""
    transition = ACTIONS[action]
    if not (user and user.is_authenticated and user.is_active):
        return Refusal("permission", "Please log in.")
    if not user.has_perm(transition.permission):
        return Refusal("permission", "Your role does not allow this.")
    state = getattr(obj, "state", None)
    if state not in transition.source:
        label = getattr(obj, "get_state_display", lambda: state)()
        return Refusal("state", f"Not possible while it is {str(label).lower()}.")
    if transition.rule is not None:
        reason = transition.rule(user, obj)
        if reason:
            kind = "state" if action == "article.publish" else "rule"
            return Refusal(kind, reason)
    return None


def can(user, action: str, obj) -> bool:
    """May ``user`` do ``action`` to ``obj``? The one answer views and templates use."""
    return check(user, action, obj) is None


def ensure(user, action: str, obj) -> Transition:
    """Raise unless ``user`` may do ``action`` to ``obj``; returns the transition."""
    refusal = check(user, action, obj)
    if refusal is None:
        return ACTIONS[action]
    if refusal.kind == "state":
        raise InvalidTransition(refusal.message)
    raise PermissionDenied(refusal.message)


def ensure_version(obj, expected_version: int | None) -> None:
    """Refuse a write drawn from an older version of ``obj``."""
    if expected_version is not None and int(expected_version) != obj.version:
        raise Conflict(
            "Someone else changed this claim while you were editing it. "
            "Their version is shown below; your text is kept in the form.",
            current=obj,
        )


def available_actions(user, obj) -> set[str]:
    """The actions ``user`` may take on ``obj`` now; templates show these buttons."""
    prefix = "article." if isinstance(obj, Article) else ("claim.", "verdict.")
    return {
        name for name in ACTIONS if name.startswith(prefix) and can(user, name, obj)
    }
