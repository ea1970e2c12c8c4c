"""Readers' error reports, the editors' queue: list them, resolve or reject each.

A report never changes anything public by itself; an editor who agrees with it
reopens the claim and publishes a correction through the usual workflow.
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from .. import access, pagination, workflow
from ..forms.publishing import HandleReportForm
from ..models import ErrorReport, ErrorReportState
from .common import Outcome, perform, respond

PAGE_SIZE = 50
LIST = "factcheck/report_list.html"
ROW = LIST + "#report-row"


def _decorate(report: ErrorReport, user) -> ErrorReport:
    report.can_handle = workflow.can(user, "error_report.handle", report)
    return report


@require_GET
@permission_required("factcheck.view_errorreport", raise_exception=True)
def report_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", ErrorReportState.NEW)
    reports = ErrorReport.objects.select_related("article", "handled_by")
    if state in ErrorReportState.values:
        reports = reports.filter(state=state)
    else:
        state = ""
    # Keyset pages: no COUNT over every report ever sent.
    page = pagination.keyset(
        reports.order_by("-created_at", "-pk"), request.GET, per_page=PAGE_SIZE
    )
    context = {
        "page": page,
        "reports": [_decorate(r, request.user) for r in page.items],
        "state": state,
        "states": ErrorReportState.choices,
    }
    return render(request, LIST, context)


@require_POST
@permission_required("factcheck.publish_article", raise_exception=True)
def report_handle(request: HttpRequest, pk: int) -> HttpResponse:
    report = access.get_error_report_for(request.user, pk)
    form = HandleReportForm(request.POST)
    if form.is_valid():
        outcome = perform(
            lambda: workflow.handle_error_report(
                report,
                actor=request.user,
                state=form.cleaned_data["state"],
                response=form.cleaned_data["response"],
            ),
            success="The report is handled.",
        )
    else:
        outcome = Outcome(None, "Choose resolved or rejected; keep it short.", 400)
    return respond(
        request,
        outcome,
        redirect_to=reverse("report-list"),
        partial=ROW,
        context=lambda: {
            "report": _decorate(
                access.get_error_report_for(request.user, pk), request.user
            ),
            "form": form,
        },
        event="report-changed",
    )
