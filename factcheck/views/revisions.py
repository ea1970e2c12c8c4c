"""New versions of an article: the "New version" form, the versions, and an editor's
"the verdict still holds" for a claim whose text changed.

The writes are ``workflow.revise_article`` and ``workflow.confirm_claim_text``; a
refused form is shown again with the user's text kept (409 for a stale version,
with the page's version moved on so a second send, once compared, goes through).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import access, pagination, workflow
from ..forms.revisions import ConfirmTextForm, RevisionForm
from ..models import ArticleRevision
from ..workflow.revisions import current_revision
from . import claims as claim_views
from .common import Outcome, form_errors_text, perform, respond

INGEST = "factcheck.add_article"
EDIT = "factcheck.approve_verdict"
REVISIONS_PER_PAGE = 25


def _summary(revision: ArticleRevision) -> str:
    s = revision.summary
    return (
        f"Version {revision.number} stored: "
        f"{s.get('kept', 0) + s.get('moved', 0)} claims unchanged, "
        f"{s.get('changed', 0)} changed, {s.get('vanished', 0)} gone from the text, "
        f"{s.get('new', 0)} new."
    )


@require_http_methods(["GET", "POST"])
@permission_required(INGEST, raise_exception=True)
def article_revise(request: HttpRequest, pk: int) -> HttpResponse:
    article = access.get_article_for(request.user, pk)
    number = current_revision(article)
    form = RevisionForm(
        request.POST or None, request.FILES or None, initial={"version": number}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            raw, filename = form.source()
            outcome = perform(
                lambda: workflow.revise_article(
                    article,
                    actor=request.user,
                    raw=raw,
                    filename=filename,
                    version=form.cleaned_data["version"],
                ),
                success="",
            )
            if outcome.ok:
                messages.success(request, _summary(outcome.result))
                return redirect(article)
            if outcome.status == 409:  # seen now: a second send may go through
                form.data = form.data.copy()
                form.data["version"] = str(current_revision(article))
            form.add_error(None, outcome.message)
            status = outcome.status
    context = {"article": article, "form": form, "number": number}
    return render(request, "factcheck/article_revise.html", context, status=status)


@require_GET
@permission_required("factcheck.view_article", raise_exception=True)
def article_revisions(request: HttpRequest, pk: int) -> HttpResponse:
    article = access.get_article_for(request.user, pk)
    rows = (
        article.revisions.select_related("created_by")
        .defer("body")
        .order_by("-number", "-pk")
    )
    page = pagination.keyset(rows, request.GET, per_page=REVISIONS_PER_PAGE)
    context = {"article": article, "page": page, "revision": None}
    return render(request, "factcheck/article_revisions.html", context)


@require_GET
@permission_required("factcheck.view_article", raise_exception=True)
def article_revision(request: HttpRequest, pk: int, n: int) -> HttpResponse:
    article = access.get_article_for(request.user, pk)
    try:
        revision = article.revisions.select_related("created_by").get(number=n)
    except (ArticleRevision.DoesNotExist, OverflowError):
        raise Http404("No such version of this article.") from None
    context = {"article": article, "revision": revision}
    return render(request, "factcheck/article_revisions.html", context)


@require_POST
@permission_required(EDIT, raise_exception=True)
def claim_confirm_text(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access.get_claim_for(request.user, pk)
    form = ConfirmTextForm(request.POST)
    if form.is_valid():
        outcome = perform(
            lambda: workflow.confirm_claim_text(
                claim,
                actor=request.user,
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            ),
            success="Confirmed: the verdict still holds for the new text.",
        )
    else:
        outcome = Outcome(None, form_errors_text(form), 400)
    if outcome.ok:
        return respond(request, outcome, redirect_to=claim.get_absolute_url())
    # Refused: the claim page again, with the reason and the real status.
    messages.error(request, outcome.message)
    fresh = claim_views._load(request, pk)
    return claim_views._page(
        request, fresh, partial="claim-workspace", status=outcome.status
    )
