"""The desk's home: my work, what came back to me, what waits for me, the counts."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..models import AuditEvent, Claim, ClaimState
from ..roles import is_staff_member

LIST_SIZE = 10


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not is_staff_member(user):
        return render(request, "factcheck/no_role.html", status=403)
    claims = Claim.objects.with_context()
    counts = dict(Claim.objects.values_list("state").annotate(n=Count("pk")).order_by())
    context = {
        "my_claims": claims.filter(
            assignee=user, state=ClaimState.IN_PROGRESS
        ).order_by("due_at", "-score")[:LIST_SIZE],
        "returned": claims.filter(assignee=user, state=ClaimState.RETURNED).order_by(
            "-updated_at"
        )[:LIST_SIZE],
        "awaiting_approval": claims.awaiting_approval()
        .exclude(verdicts__is_current=True, verdicts__submitted_by=user)
        .order_by("updated_at")[:LIST_SIZE]
        if user.has_perm("factcheck.approve_verdict")
        else [],
        "counts": [(state, counts.get(state.value, 0)) for state in ClaimState],
        "recent": _recent_events(user)[:LIST_SIZE],
    }
    return render(request, "factcheck/dashboard.html", context)


def _recent_events(user):
    events = AuditEvent.objects.select_related("article", "claim")
    if user.has_perm("factcheck.view_auditevent"):
        return events
    return events.filter(actor=user)
