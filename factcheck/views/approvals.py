"""The editor's approvals queue and the decisions on a claim: approve, return, reopen.

Every decision is a workflow call (``approve_verdict``, ``return_verdict``,
``reopen_claim``), so the four-eyes rule is enforced there; a refused decision is a
403 here even when the form was forged. htmx requests get the affected fragment back
(the queue row, or the claim page's decision section); plain posts redirect (PRG),
and a failed plain post re-renders the queue with the notice and the typed text kept.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from .. import access, pagination, workflow
from ..forms.approvals import DecisionForm
from ..models import Approval, Claim, ClaimState, Source, Verdict, VerdictState
from ..workflow.evidence import unverified_sources
from .common import Outcome, perform, respond

PAGE_SIZE = 50
CONTEXT_CHARS = 160  # surrounding article text shown on each side of the claim
APPROVE = "factcheck.approve_verdict"
LIST = "factcheck/approval_list.html"
ROW = LIST + "#approval-row"
DECISION = "factcheck/_claim_decision.html"


def _with_review(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """Everything a queue row or decision shows, in a fixed number of queries."""
    current = Verdict.objects.filter(is_current=True).select_related(
        "rating", "submitted_by", "decided_by"
    )
    return claims.select_related("article", "assignee").prefetch_related(
        Prefetch("verdicts", queryset=current),
        Prefetch(
            "verdicts__approvals", queryset=Approval.objects.select_related("editor")
        ),
        Prefetch("sources", queryset=Source.objects.filter(removed_at__isnull=True)),
    )


def _queue() -> QuerySet[Claim]:
    """Submitted claims, oldest submission first, joined to their current verdict
    so PostgreSQL walks ``verdict_awaiting_approval`` in order and stops at the
    page (a per-claim subquery in the ORDER BY read the whole backlog)."""
    return _with_review(
        Claim.objects.awaiting_approval()
        .filter(verdicts__is_current=True, verdicts__state=VerdictState.SUBMITTED)
        .annotate(submitted_at=F("verdicts__submitted_at"))
        .order_by("submitted_at", "verdicts__claim_id")
    )


def _decorate(claim: Claim, user) -> Claim:
    """Attach the row's presentation values (no queries: all prefetched)."""
    body = claim.article.body
    claim.before = body[max(0, claim.start - CONTEXT_CHARS) : claim.start]
    claim.after = body[claim.end : claim.end + CONTEXT_CHARS]
    claim.span = body[claim.start : claim.end] or claim.text
    claim.verdict = workflow.current_verdict(claim)
    claim.approval_list = list(claim.verdict.approvals.all()) if claim.verdict else []
    claim.actions = workflow.available_actions(user, claim)
    claim.own = bool(claim.verdict and claim.verdict.submitted_by_id == user.pk)
    claim.approved_by_me = any(a.editor_id == user.pk for a in claim.approval_list)
    return claim


def decision_context(user, claim: Claim) -> dict:
    """The context of ``_claim_decision.html`` (the claim workspace may reuse it)."""
    claim = _decorate(_with_review(Claim.objects.filter(pk=claim.pk)).get(), user)
    return {
        "claim": claim,
        "actions": claim.actions,
        "verdict": claim.verdict,
        "approvals": claim.approval_list,
        "unverified_sources": unverified_sources(claim)
        if "verdict.approve" in claim.actions
        else [],
    }


@require_GET
@permission_required(APPROVE, raise_exception=True)
def approval_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


def _render_list(request: HttpRequest, status: int = 200, **extra) -> HttpResponse:
    # Bounded pages, not keyset: the order is a subquery no index holds.
    page = pagination.bounded(_queue(), request.GET, per_page=PAGE_SIZE)
    claims = [_decorate(claim, request.user) for claim in page]
    context = {"page": page, "claims": claims, **extra}
    return render(request, LIST, context, status=status)


def _decide(
    request: HttpRequest,
    pk: int,
    call: Callable[[DecisionForm, Claim], object],
    done: str | Callable[[Claim], str],
) -> HttpResponse:
    claim = access.get_claim_for(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        outcome = perform(lambda: call(form, claim), success="")
        if outcome.ok:
            outcome.message = done(outcome.result) if callable(done) else done
    else:
        outcome = Outcome(None, form.error_text(), 400)
    if outcome.status == 403:
        raise PermissionDenied(outcome.message)
    typed = {k: form.data.get(k, "") for k in ("comment", "reason")}
    if request.htmx and request.htmx.target == "claim-decision":
        response = respond(
            request,
            outcome,
            redirect_to="",
            partial=DECISION,
            context=lambda: {
                **decision_context(request.user, claim),
                **({} if outcome.ok else typed),
            },
        )
        if outcome.ok:  # the whole workspace changed (state, buttons, timeline)
            response["HX-Refresh"] = "true"
        return response
    if not request.htmx and not outcome.ok:
        return _render_list(
            request, outcome.status, notice=outcome.message, failed_pk=claim.pk, **typed
        )
    return respond(
        request,
        outcome,
        redirect_to=_next(request, form),
        partial=ROW,
        context=lambda: {
            "claim": decision_context(request.user, claim)["claim"],
            "failed_pk": None if outcome.ok else claim.pk,
            **typed,
        },
        event="claim-changed",
    )


def _next(request: HttpRequest, form: DecisionForm) -> str:
    target = form.cleaned_data.get("next") if form.is_valid() else ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("approval-list")


@require_POST
@permission_required(APPROVE, raise_exception=True)
def claim_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda form, claim: workflow.approve_verdict(
            claim,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            confirm_excerpts=form.cleaned_data["confirm_excerpts"],
        ),
        lambda claim: (
            "Verdict approved."
            if claim.state == ClaimState.APPROVED
            else "Approval recorded; the rating needs another editor's approval."
        ),
    )


@require_POST
@permission_required(APPROVE, raise_exception=True)
def claim_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda form, claim: workflow.return_verdict(
            claim,
            actor=request.user,
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        ),
        "Returned to the reviewer with your comment.",
    )


@require_POST
@permission_required(APPROVE, raise_exception=True)
def claim_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda form, claim: workflow.reopen_claim(
            claim,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        ),
        "Reopened for a correction.",
    )
