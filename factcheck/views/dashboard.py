"""The desk's home: my work, what came back to me, what waits for me, the counts.

Every list is bounded and fetched with its relations, so the page runs a constant
number of queries; status counts link to the queue filtered by that status. The
counts are capped (``counts.py``: "1,000+"), so they read at most ``CAP + 1`` rows
per status instead of every claim in the archive. Each claim returned to me
carries the latest return (comment, editor, time), fetched in one extra query for the
whole list whatever its length.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..counts import capped_counts, count_label
from ..models import AuditEvent, Claim, ClaimState, Verdict, VerdictState
from ..roles import is_staff_member
from .queue import queue_url

LIST_SIZE = 10


def _latest_return() -> Prefetch:
    """Only the newest returned verdict of each claim, as ``claim.last_return``."""
    newest = (
        Verdict.objects.filter(claim=OuterRef("claim"), state=VerdictState.RETURNED)
        .order_by("-decided_at", "-pk")
        .values("pk")[:1]
    )
    return Prefetch(
        "verdicts",
        queryset=Verdict.objects.filter(pk=Subquery(newest)).select_related(
            "decided_by"
        ),
        to_attr="last_return",
    )


def _returned_to(user) -> tuple[list[Claim], bool]:
    """My returned claims with their latest return, and whether more are left out."""
    claims = list(
        Claim.objects.with_context()
        .filter(assignee=user, state=ClaimState.RETURNED)
        .prefetch_related(_latest_return())
        .order_by("-updated_at", "-pk")[: LIST_SIZE + 1]
    )
    for claim in claims:
        claim.return_verdict = claim.last_return[0] if claim.last_return else None
    return claims[:LIST_SIZE], len(claims) > LIST_SIZE


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not is_staff_member(user):
        return render(request, "factcheck/no_role.html", status=403)
    claims = Claim.objects.with_context()
    counts = capped_counts(
        Claim.objects.all(), {state.value: Q(state=state) for state in ClaimState}
    )
    returned, more_returned = _returned_to(user)
    context = {
        "my_claims": claims.filter(
            assignee=user, state=ClaimState.IN_PROGRESS
        ).order_by("due_at", "-score")[:LIST_SIZE],
        "returned": returned,
        "more_returned": more_returned,
        "returned_url": queue_url(status=ClaimState.RETURNED, assignee="mine"),
        "awaiting_approval": _awaiting_decision_by(user)
        if user.has_perm("factcheck.approve_verdict")
        else [],
        "counts": [
            (state, count_label(counts[state.value]), queue_url(status=state.value))
            for state in ClaimState
        ],
        "mine_url": queue_url(assignee="mine"),
        "unassigned_url": queue_url(assignee="nobody", status=ClaimState.OPEN),
        "recent": _recent_events(user)[:LIST_SIZE],
    }
    return render(request, "factcheck/dashboard.html", context)


def _awaiting_decision_by(user) -> list[Claim]:
    """The oldest submitted verdicts this editor may decide (not their own).

    ``NOT EXISTS`` on the claim's current verdict: an ``exclude()`` across the
    verdicts relation read every current verdict of the archive first.
    """
    own = Verdict.objects.filter(
        claim=OuterRef("pk"), is_current=True, submitted_by=user
    )
    return list(
        Claim.objects.with_context()
        .awaiting_approval()
        .exclude(Exists(own))
        .order_by("updated_at", "pk")[:LIST_SIZE]
    )


def _recent_events(user):
    events = AuditEvent.objects.select_related("article", "claim")
    if user.has_perm("factcheck.view_auditevent"):
        return events
    return events.filter(actor=user)
