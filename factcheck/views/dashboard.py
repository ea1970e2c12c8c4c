"""The desk's home: my work, what came back to me, what waits for me, the counts.

Every list is bounded and fetched with its relations, so the page runs a constant
number of queries; status counts link to the queue filtered by that status.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..models import AuditEvent, Claim, ClaimState, Verdict, VerdictState
from ..roles import is_staff_member
from .queue import queue_url

LIST_SIZE = 10


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not is_staff_member(user):
        return render(request, "factcheck/no_role.html", status=403)
    claims = Claim.objects.with_context()
    counts = dict(Claim.objects.values_list("state").annotate(n=Count("pk")).order_by())
    # The latest returned verdict of each claim carries the editor's comment.
    returned_verdicts = Prefetch(
        "verdicts",
        queryset=Verdict.objects.filter(state=VerdictState.RETURNED)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk"),
        to_attr="returned_verdicts",
    )
    context = {
        "my_claims": claims.filter(
            assignee=user, state=ClaimState.IN_PROGRESS
        ).order_by("due_at", "-score")[:LIST_SIZE],
        "returned": claims.filter(assignee=user, state=ClaimState.RETURNED)
        .prefetch_related(returned_verdicts)
        .order_by("-updated_at")[:LIST_SIZE],
        "awaiting_approval": claims.awaiting_approval()
        .exclude(verdicts__is_current=True, verdicts__submitted_by=user)
        .order_by("updated_at")[:LIST_SIZE]
        if user.has_perm("factcheck.approve_verdict")
        else [],
        "counts": [
            (state, counts.get(state.value, 0), queue_url(status=state.value))
            for state in ClaimState
        ],
        "mine_url": queue_url(assignee="mine"),
        "unassigned_url": queue_url(assignee="nobody", status=ClaimState.OPEN),
        "recent": _recent_events(user)[:LIST_SIZE],
    }
    return render(request, "factcheck/dashboard.html", context)


def _recent_events(user):
    events = AuditEvent.objects.select_related("article", "claim")
    if user.has_perm("factcheck.view_auditevent"):
        return events
    return events.filter(actor=user)
