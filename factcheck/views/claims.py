"""The claim workspace: the claim in its paragraph, status, sources, notes, verdict.

Every action is a plain form POST that redirects back (PRG) and, with htmx, answers
with the panel it changed (``factcheck/claim_detail.html#<panel>``, always 200 so
htmx swaps it, with a notice inside). Text the user typed is never thrown away: a
refused source, note or verdict re-renders the form bound to what was sent, and a
stale verdict save shows what the other person saved beside the user's own text
(409 for a full page).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import OuterRef, Prefetch, Subquery, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from .. import checked_before, presence, timelines, windows, workflow
from ..access import get_article_for, get_claim_for, get_match_for
from ..forms.claims import (
    AssignForm,
    ClaimantForm,
    DueForm,
    NoteForm,
    SourceForm,
    VerdictForm,
)
from ..models import (
    Claim,
    ClaimState,
    Source,
    SourceSnapshot,
    Verdict,
    VerdictState,
)
from ..workflow.evidence import unverified_sources
from .common import Outcome, form_errors_text, perform, safe_next

TEMPLATE = "factcheck/claim_detail.html"
REVIEW = "factcheck.review_claim"
EDIT = "factcheck.approve_verdict"
LIVE = (ClaimState.OPEN, ClaimState.IN_PROGRESS, ClaimState.RETURNED)
TIMELINE = "factcheck/_timeline.html"
# The page shows the newest events, notes and sources; the rest are a link away.
TIMELINE_SIZE = 20
OLDER_EVENTS = 50  # each "Show older events" window
SHOWN = 20  # notes, sources
SHOWN_AT_MOST = 1_000  # "show all" still has a bound
# A paragraph longer than this (a one-line-per-claim transcript) shows its line only.
MAX_CONTEXT = 2_000
# Each source's newest capture (when, excerpt status, why it failed), as columns of
# the sources query: no extra query, whether a claim has sources or not.
_LATEST = SourceSnapshot.objects.filter(source=OuterRef("pk")).order_by(
    "-fetched_at", "-pk"
)
CAPTURE = {
    f"capture_{name}": Subquery(_LATEST.values(name)[:1])
    for name in ("fetched_at", "excerpt_status", "error")
}


def _paragraph(body: str, start: int, end: int) -> tuple[str, str, str]:
    """The text before the claim in its paragraph, the claim, the text after it."""
    lo = body.rfind("\n\n", 0, start)
    lo = 0 if lo < 0 else lo + 2
    hi = body.find("\n\n", end)
    hi = len(body) if hi < 0 else hi
    if hi - lo > MAX_CONTEXT:
        lo = body.rfind("\n", 0, start) + 1
        hi = body.find("\n", end)
        hi = len(body) if hi < 0 else hi
    return body[lo:start], body[start:end], body[end:hi]


def _load(request: HttpRequest, pk) -> Claim:
    claim = get_claim_for(request.user, pk)
    verdicts = Verdict.objects.select_related(
        "rating", "submitted_by", "decided_by"
    ).order_by("-created_at", "-pk")
    prefetch_related_objects([claim], Prefetch("verdicts", queryset=verdicts))
    return claim


def _expanded(request: HttpRequest, name: str) -> bool:
    """Did the reader ask for all of a list (``?notes=all``; a form keeps it)?"""
    return "all" in (request.GET.get(name), request.POST.get(name))


def _history(request: HttpRequest, claim: Claim) -> windows.History:
    return windows.history(
        lambda limit, before: timelines.for_claim(claim, limit, before=before),
        path=claim.get_absolute_url(),
        query=request.GET,
        first=TIMELINE_SIZE,
        more=OLDER_EVENTS,
    )


def _context(request: HttpRequest, claim: Claim, **overrides) -> dict:
    user = request.user
    path = claim.get_absolute_url()
    verdicts = list(claim.verdicts.all())
    verdict = next((v for v in verdicts if v.is_current), None)
    returned = next((v for v in verdicts if v.state == VerdictState.RETURNED), None)
    actions = workflow.available_actions(user, claim)
    before, span, after = _paragraph(claim.article.body, claim.start, claim.end)
    ctx = {
        "claim": claim,
        "article": claim.article,
        "actions": actions,
        "verdict": verdict,
        "returned_verdict": returned if claim.state in LIVE else None,
        "approvals": list(verdict.approvals.select_related("editor"))
        if verdict
        else [],
        "unverified_sources": unverified_sources(claim)
        if "verdict.approve" in actions
        else [],
        "context_before": before,
        "context_span": span,
        "context_after": after,
        "sources": windows.tail(
            claim.sources.filter(removed_at__isnull=True)
            .select_related("added_by")
            .annotate(**CAPTURE),
            SHOWN,
            expanded=_expanded(request, "sources"),
            cap=SHOWN_AT_MOST,
        ),
        "notes": windows.tail(
            claim.notes.select_related("author"),
            SHOWN,
            expanded=_expanded(request, "notes"),
            cap=SHOWN_AT_MOST,
        ),
        "all_sources_url": windows.link(path, request.GET, sources="all"),
        "all_notes_url": windows.link(path, request.GET, notes="all"),
        "verdict_form": VerdictForm(
            initial={
                "rating": verdict.rating_id if verdict else None,
                "rationale": verdict.rationale if verdict else "",
                "version": claim.version,
            }
        ),
        "source_form": SourceForm(),
        "claimant_form": _claimant_form(claim),
        "note_form": NoteForm(),
        "due_form": DueForm(initial={"due_at": claim.due_at}),
        "article_due_form": DueForm(initial={"due_at": claim.article.due_at}),
        "others": presence.others_here(claim, user),
        "poll_seconds": presence.POLL_SECONDS,
        # The decision panel and the timeline belong to another area; the page
        # works without them.
        "live_states": LIVE,
    }
    if "claim.assign" in actions:
        ctx["assign_form"] = AssignForm(
            initial={"assignee": claim.assignee_id, "version": claim.version}
        )
    ctx["timeline"] = _history(request, claim)
    ctx["checked_before"] = checked_before.shown_for(claim)
    ctx.update(overrides)
    return ctx


def _claimant_form(claim: Claim) -> ClaimantForm:
    claimant = claim.claimant
    initial = {"version": claim.version}
    if claimant is not None:
        initial.update(
            name=claimant.name,
            kind=claimant.kind,
            role=claimant.role,
            same_as=claimant.same_as,
        )
    return ClaimantForm(initial=initial)


def _page(
    request: HttpRequest,
    claim: Claim,
    *,
    partial: str,
    status: int = 200,
    oob: tuple[str, ...] = (),
    **overrides,
) -> HttpResponse:
    """htmx: the panel (plus out-of-band panels), always 200; else the whole page."""
    # One notice per answer, in the panel that was acted on.
    overrides.setdefault(
        "notice_in", "claim-status" if partial == "claim-workspace" else partial
    )
    ctx = _context(request, claim, **overrides)
    if not request.htmx:
        return render(request, TEMPLATE, ctx, status=status)
    html = render_to_string(f"{TEMPLATE}#{partial}", ctx, request)
    quiet = {**ctx, "oob": True, "panel_notice": None}
    for name in oob:
        html += render_to_string(f"{TEMPLATE}#{name}", quiet, request)
    return HttpResponse(html)


def _after(
    request: HttpRequest,
    pk,
    outcome: Outcome,
    *,
    partial: str,
    oob: tuple[str, ...] = (),
    **overrides,
) -> HttpResponse:
    """The answer to an action: the fresh panel (htmx) or a redirect with a message."""
    if request.htmx:
        claim = _load(request, pk)
        return _page(
            request,
            claim,
            partial=partial,
            oob=oob,
            panel_notice=outcome.message,
            panel_notice_ok=outcome.ok,
            **overrides,
        )
    (messages.success if outcome.ok else messages.error)(request, outcome.message)
    return redirect("claim-detail", pk=pk)


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


# Links that load a panel in place with htmx, by the id of the element they replace.
_IN_PLACE = ("claim-notes", "claim-sources")


@require_GET
@permission_required("factcheck.view_claim", raise_exception=True)
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = request.htmx.target if request.htmx else None
    if target == "timeline-more":  # the next window of older events, nothing else
        timeline = _history(request, get_claim_for(request.user, pk))
        return render(request, f"{TIMELINE}#timeline-events", {"timeline": timeline})
    claim = _load(request, pk)
    if target in _IN_PLACE:
        return render(request, f"{TEMPLATE}#{target}", _context(request, claim))
    presence.touch(claim, request.user)
    return render(request, TEMPLATE, _context(request, claim))


def _move(request: HttpRequest, pk, write, *, success: str) -> HttpResponse:
    """Take or release: one versioned workflow call, then the fresh workspace."""
    claim = get_claim_for(request.user, pk)
    outcome = perform(
        lambda: write(claim, actor=request.user, expected_version=_version(request)),
        success=success,
    )
    return _after(request, pk, outcome, partial="claim-workspace")


@require_POST
@permission_required(REVIEW, raise_exception=True)
def claim_take(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(request, pk, workflow.take_claim, success="The claim is yours.")


@require_POST
@permission_required(REVIEW, raise_exception=True)
def claim_release(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(
        request, pk, workflow.release_claim, success="The claim is back in the queue."
    )


@require_POST
@permission_required(EDIT, raise_exception=True)
def claim_assign(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_claim_for(request.user, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        outcome = Outcome(None, "Choose someone who reviews claims.", 400)
        return _after(request, pk, outcome, partial="claim-workspace")
    assignee = form.cleaned_data["assignee"]
    outcome = perform(
        lambda: workflow.assign_claim(
            claim,
            actor=request.user,
            assignee=assignee,
            expected_version=form.cleaned_data["version"],
        ),
        success=f"Assigned to {assignee}.",
    )
    return _after(request, pk, outcome, partial="claim-workspace")


@require_POST
@permission_required(EDIT, raise_exception=True)
def claim_due(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_claim_for(request.user, pk)
    form = DueForm(request.POST)
    if not form.is_valid():
        outcome = Outcome(None, "Enter the due time as a date and time.", 400)
        return _after(request, pk, outcome, partial="claim-status")
    due_at = form.cleaned_data["due_at"]
    outcome = perform(
        lambda: workflow.set_claim_due(claim, actor=request.user, due_at=due_at),
        success="Due time set." if due_at else "Due time cleared.",
    )
    return _after(request, pk, outcome, partial="claim-status")


@require_POST
@permission_required(EDIT, raise_exception=True)
def article_due(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_article_for(request.user, pk)
    form = DueForm(request.POST)
    if form.is_valid():
        due_at = form.cleaned_data["due_at"]
        outcome = perform(
            lambda: workflow.set_article_due(
                article, actor=request.user, due_at=due_at
            ),
            success="The article's due time is set." if due_at else "Due time cleared.",
        )
    else:
        outcome = Outcome(None, "Enter the due time as a date and time.", 400)
    (messages.success if outcome.ok else messages.error)(request, outcome.message)
    return redirect(safe_next(request) or "queue")


def _kept(
    request: HttpRequest, claim: Claim, outcome: Outcome, *, partial: str, **forms
) -> HttpResponse:
    """A refused add: the panel again with the user's text in its bound form."""
    return _page(
        request,
        claim,
        partial=partial,
        status=outcome.status,
        panel_notice=outcome.message,
        **forms,
    )


@require_POST
@permission_required(REVIEW, raise_exception=True)
def source_add(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _load(request, pk)
    form = SourceForm(request.POST)
    outcome = (
        perform(
            lambda: workflow.add_source(claim, actor=request.user, **form.cleaned_data),
            success="Source added.",
        )
        if form.is_valid()
        else Outcome(None, "Check the source's details.", 400)
    )
    if not outcome.ok:
        return _kept(request, claim, outcome, partial="claim-sources", source_form=form)
    return _after(request, pk, outcome, partial="claim-sources")


@require_POST
@permission_required(REVIEW, raise_exception=True)
def source_remove(request: HttpRequest, pk: int) -> HttpResponse:
    source = Source.objects.filter(pk=pk).only("pk", "claim_id").first()
    if source is None:
        raise Http404("No such source.")
    claim = get_claim_for(request.user, source.claim_id)
    outcome = perform(
        lambda: workflow.remove_source(source, actor=request.user),
        success="Source removed.",
    )
    return _after(request, claim.pk, outcome, partial="claim-sources")


@require_POST
@permission_required(REVIEW, raise_exception=True)
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _load(request, pk)
    form = NoteForm(request.POST)
    outcome = (
        perform(
            lambda: workflow.add_note(
                claim, actor=request.user, body=form.cleaned_data["body"]
            ),
            success="Note added.",
        )
        if form.is_valid()
        else Outcome(None, "Write the note first (at most 10,000 characters).", 400)
    )
    if not outcome.ok:
        return _kept(request, claim, outcome, partial="claim-notes", note_form=form)
    return _after(request, pk, outcome, partial="claim-notes")


def _verdict_refused(request, claim, form, outcome: Outcome) -> HttpResponse:
    """Re-show the verdict form with the user's text; on a conflict, show theirs."""
    data = request.POST.copy()
    conflict = None
    if outcome.current is not None:
        # Draw the form at the current version: saving again is then a deliberate
        # choice made with the other person's text in view.
        fresh = _load(request, claim.pk)
        data["version"] = str(fresh.version)
        claim = fresh
        conflict = next((v for v in claim.verdicts.all() if v.is_current), None)
    return _page(
        request,
        claim,
        partial="claim-verdict",
        status=outcome.status,
        oob=("claim-status", "claim-claimant"),
        verdict_form=VerdictForm(data),
        conflict=outcome.current is not None,
        conflict_verdict=conflict,
        panel_notice=outcome.message,
        panel_notice_ok=False,
    )


def _verdict_write(
    request: HttpRequest,
    pk,
    write,
    *,
    success: str,
    partial: str,
    oob: tuple[str, ...] = (),
) -> HttpResponse:
    """Save or submit the verdict form through ``write``; refusals keep the text."""
    claim = _load(request, pk)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        outcome = Outcome(None, "Check the verdict form.", 400)
        return _verdict_refused(request, claim, form, outcome)
    data = form.cleaned_data
    outcome = perform(
        lambda: write(
            claim,
            actor=request.user,
            rating=data["rating"],
            rationale=data["rationale"],
            expected_version=data["version"],
        ),
        success=success,
    )
    if not outcome.ok:
        return _verdict_refused(request, claim, form, outcome)
    return _after(request, pk, outcome, partial=partial, oob=oob)


@require_POST
@permission_required(REVIEW, raise_exception=True)
def verdict_save(request: HttpRequest, pk: int) -> HttpResponse:
    return _verdict_write(
        request,
        pk,
        workflow.save_verdict_draft,
        success="Draft saved.",
        partial="claim-verdict",
        oob=("claim-status", "claim-claimant"),
    )


@require_POST
@permission_required(REVIEW, raise_exception=True)
def verdict_submit(request: HttpRequest, pk: int) -> HttpResponse:
    # The whole workspace: the status, the verdict and the actions all change.
    return _verdict_write(
        request,
        pk,
        workflow.submit_verdict,
        success="Submitted for approval.",
        partial="claim-workspace",
    )


@require_POST
@permission_required(REVIEW, raise_exception=True)
def verdict_preview(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _load(request, pk)
    form = VerdictForm(request.POST)
    # Rendered through the same sanitising ``markdown`` filter as the public page.
    preview = {"show_preview": True, "preview_text": request.POST.get("rationale", "")}
    if request.htmx:
        return render(request, f"{TEMPLATE}#verdict-preview", preview)
    return render(
        request, TEMPLATE, _context(request, claim, verdict_form=form, **preview)
    )


@require_POST
@permission_required("factcheck.view_claim", raise_exception=True)
def claim_presence(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_claim_for(request.user, pk)
    presence.touch(claim, request.user)
    if not request.htmx:
        return redirect("claim-detail", pk=pk)
    context = {
        "claim": claim,
        "others": presence.others_here(claim, request.user),
        "poll_seconds": presence.POLL_SECONDS,
    }
    return render(request, f"{TEMPLATE}#claim-presence", context)


@require_POST
@permission_required(REVIEW, raise_exception=True)
def match_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Same claim: reuse sources" or "Not the same" on a checked-before match."""
    match = get_match_for(request.user, pk)
    answer = request.POST.get("answer")
    if answer not in ("same", "different"):
        outcome = Outcome(None, "Say whether it is the same claim.", 400)
        return _after(request, match.claim_id, outcome, partial="claim-workspace")
    same = answer == "same"
    outcome = perform(
        lambda: workflow.answer_match(match, actor=request.user, same=same),
        success="Marked as the same claim; its sources were added."
        if same
        else "Marked as not the same claim; it will not be suggested again.",
    )
    return _after(request, match.claim_id, outcome, partial="claim-workspace")


# The other panels whose forms carry the claim's version: kept in step with htmx.
_VERSIONED_PANELS = ("claim-status", "verdict-version")


@require_POST
@permission_required(REVIEW, raise_exception=True)
def claim_claimant(request: HttpRequest, pk: int) -> HttpResponse:
    """Set, change or clear who made the claim (one versioned workflow call)."""
    claim = _load(request, pk)
    form = ClaimantForm(request.POST)
    if not form.is_valid():
        message = form_errors_text(form) or "Check the claimant's details."
        outcome = Outcome(None, message, 400)
        return _kept(
            request, claim, outcome, partial="claim-claimant", claimant_form=form
        )
    data = form.cleaned_data
    clear = data["clear"]
    outcome = perform(
        lambda: workflow.set_claimant(
            claim,
            actor=request.user,
            name=None if clear else data["name"],
            kind=data["kind"],
            role=data["role"],
            same_as=data["same_as"],
            expected_version=data["version"],
        ),
        success="Claimant cleared." if clear else "Claimant saved.",
    )
    if not outcome.ok:
        if outcome.current is not None:
            # Redraw at the current version, the user's entries kept: saving again
            # is then a choice made with the other person's change in view.
            claim = _load(request, pk)
            posted = request.POST.copy()
            posted["version"] = str(claim.version)
            form = ClaimantForm(posted)
        return _kept(
            request, claim, outcome, partial="claim-claimant", claimant_form=form
        )
    return _after(request, pk, outcome, partial="claim-claimant", oob=_VERSIONED_PANELS)
