"""Articles: the list, ingestion, and the article page where claims are edited.

Every claim action answers htmx with the ``article-workspace`` partial (body and
claim list together, since a span edit changes both) and a plain form post with a
redirect. A refused action re-renders the page with the user's input kept: 200
for htmx (htmx swaps only 2xx), the real status (400/403/409) for a plain post.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import replace_url

from .. import access, pagination, timelines, windows, workflow
from ..forms.articles import (
    ArticleForm,
    ClaimDismissForm,
    ClaimEditForm,
    ClaimMergeForm,
    ClaimRestoreForm,
    ClaimSplitForm,
    SpanForm,
)
from ..models import Article, Claim, ClaimState
from .common import Outcome, form_errors_text, perform, respond, safe_next

PAGE = "factcheck/article_detail.html"
WORKSPACE = f"{PAGE}#article-workspace"
TIMELINE_EVENTS = "factcheck/_timeline.html#timeline-events"
REVIEW = "factcheck.review_claim"
DECIDE = "factcheck.approve_verdict"
ARTICLES_PER_PAGE = 25
LIST_DEFERRED = ("body", "warnings", "repairs")  # the list shows none of them
# The article page shows one page of claims (``?claims=n``) with their forms, and
# the newest events; the body still marks every claim (see ``article_text``).
CLAIMS_PER_PAGE = 50
TIMELINE_SIZE = 20
OLDER_EVENTS = 50  # each "Show older events" window


@dataclass
class ClaimRow:
    """One claim of the list with what the viewer may do and any refused input."""

    claim: Claim
    can_edit: bool
    can_dismiss: bool
    can_restore: bool
    merge_with: Claim | None = None
    duplicate_position: int | None = None  # "same as #n", found at ingestion
    duplicate_href: str = ""  # that claim's row, on whichever page it is
    error: str = ""
    action: str = ""  # the action that was refused, to reopen its form
    values: dict[str, Any] = field(default_factory=dict)


def _page_url(article: Article, number: int) -> str:
    url = article.get_absolute_url()
    return f"{url}?claims={number}" if number > 1 else url


def _row_link(article: Article, span: windows.Span, here: int) -> str:
    """A claim's row: an anchor on this page, else on its own page of the list."""
    page = "" if span.page == here else _page_url(article, span.page)
    return f"{page}#claim-{span.pk}"


def _rows(
    user, article: Article, window: windows.ClaimWindow, failed: dict
) -> list[ClaimRow]:
    refused = {k: v for k, v in failed.items() if k != "pk"}
    spans = {s.pk: s for s in window.spans}
    here = window.page.number
    rows = []
    for claim in window.claims:
        can_edit = workflow.can(user, "claim.edit", claim)
        neighbour = window.following.get(claim.pk) if can_edit else None
        same_as = spans.get(claim.duplicate_of_id)
        rows.append(
            ClaimRow(
                claim=claim,
                can_edit=can_edit,
                can_dismiss=workflow.can(user, "claim.dismiss", claim),
                can_restore=workflow.can(user, "claim.restore", claim),
                merge_with=neighbour
                if neighbour and workflow.can(user, "claim.edit", neighbour)
                else None,
                duplicate_position=same_as.position if same_as else None,
                duplicate_href=_row_link(article, same_as, here) if same_as else "",
                **(refused if failed.get("pk") == claim.pk else {}),
            )
        )
    return rows


def _history(request: HttpRequest, article: Article) -> windows.History:
    return windows.history(
        lambda limit, before: timelines.for_article(article, limit, before=before),
        path=article.get_absolute_url(),
        query=request.GET,
        first=TIMELINE_SIZE,
        more=OLDER_EVENTS,
    )


def _detail_context(
    request: HttpRequest,
    article: Article,
    *,
    page: object = None,
    focus: int | None = None,
    **failed,
) -> dict:
    """The page of claims ``page``, or the one holding claim ``focus``."""
    window = windows.claim_window(article, page, size=CLAIMS_PER_PAGE, focus=focus)
    return {
        "article": article,
        "window": window,
        "rows": _rows(request.user, article, window, failed),
        "can_add": workflow.can(request.user, "article.add_claim", article),
        "add_values": failed.get("values", {}) if failed.get("action") == "add" else {},
        "add_error": failed.get("error", "") if failed.get("action") == "add" else "",
        "damaged": [(n, w) for n, w in enumerate(article.warnings or [], start=1)],
        "timeline": _history(request, article),
    }


def _answer(
    request: HttpRequest,
    article: Article,
    outcome: Outcome,
    *,
    claim: Claim | None = None,
    action: str = "",
) -> HttpResponse:
    """Success: the refreshed workspace or a redirect. Refusal: the page, input kept.

    Either way the answer shows the page of claims holding the claim acted on (an
    add that was refused: the page the form was on, ``claims``). A plain post from
    another page (the claim page's Dismiss/Restore) names it in ``next`` and goes
    back there with the outcome as a flash message.
    """
    back = None if request.htmx else safe_next(request)
    if back:
        (messages.success if outcome.ok else messages.error)(request, outcome.message)
        return redirect(back)
    focus = claim.pk if claim is not None else None
    if outcome.ok and not request.htmx:
        number = windows.page_of(article, focus, size=CLAIMS_PER_PAGE) if focus else 1
        anchor = f"#claim-{focus}" if focus else ""
        return respond(
            request, outcome, redirect_to=_page_url(article, number) + anchor
        )
    if outcome.ok:
        context = _detail_context(request, article, focus=focus)
        here = _page_url(article, context["window"].page.number)
        response = respond(
            request,
            outcome,
            redirect_to=here,
            partial=WORKSPACE,
            context=context,
            event="claim-changed",
        )
        return replace_url(response, here)  # a reload shows the same page
    values = request.POST.dict() if isinstance(request.POST, QueryDict) else {}
    failed = {"error": outcome.message, "action": action, "values": values}
    if claim is not None:
        failed["pk"] = claim.pk
    context = _detail_context(
        request, article, page=request.POST.get("claims"), focus=focus, **failed
    )
    context.update(notice=outcome.message, notice_ok=False, outcome=outcome)
    if request.htmx:
        return render(request, WORKSPACE, context)
    return render(request, PAGE, context, status=outcome.status)


def _invalid(form) -> Outcome:
    return Outcome(None, form_errors_text(form), 400)


@require_GET
@permission_required("factcheck.view_article", raise_exception=True)
def article_list(request: HttpRequest) -> HttpResponse:
    articles = (
        Article.objects.select_related("ingested_by")
        .defer(*LIST_DEFERRED)
        .order_by("-ingested_at", "-id")
    )
    page = pagination.keyset(articles, request.GET, per_page=ARTICLES_PER_PAGE)
    _count_claims(page.items)
    return render(request, "factcheck/article_list.html", {"page": page})


def _count_claims(articles: list[Article]) -> None:
    """Set ``claims_total`` and ``claims_<state>`` on each article of the page: one
    grouped query over these articles' claims, never over the whole table.

    Grouped from the claim side, so PostgreSQL reads the (article, start) index for
    the 25 articles; joined from the article side it planned a scan of every claim.
    """
    counts = {
        a.pk: {"claims_total": 0, **{f"claims_{s.value}": 0 for s in ClaimState}}
        for a in articles
    }
    grouped = (
        Claim.objects.filter(article_id__in=list(counts))
        .order_by()
        .values_list("article_id", "state")
        .annotate(n=Count("pk"))
    )
    for article_id, state, n in grouped:
        counts[article_id][f"claims_{state}"] = n
        counts[article_id]["claims_total"] += n
    for article in articles:
        for name, value in counts[article.pk].items():
            setattr(article, name, value)


def _ingested(article: Article, revision) -> str:
    if revision is None:
        return f"Article ingested: {article.claims.count()} claims."
    counts = revision.summary
    return (
        f"This URL is already on the desk: stored as version {revision.number} of "
        f"this article ({counts.get('changed', 0)} claims flagged as changed, "
        f"{counts.get('vanished', 0)} vanished, {counts.get('new', 0)} new)."
    )


@require_http_methods(["GET", "POST"])
@permission_required("factcheck.add_article", raise_exception=True)
def article_new(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            raw, filename = form.source()
            outcome = perform(
                lambda: workflow.ingest_article(
                    actor=request.user,
                    raw=raw,
                    filename=filename,
                    metadata=form.metadata(),
                ),
                success="Article ingested.",
            )
            if outcome.ok:
                article, revision = outcome.result
                messages.success(request, _ingested(article, revision))
                return redirect(article)
            form.add_error(None, outcome.message)
            status = outcome.status
    return render(request, "factcheck/article_new.html", {"form": form}, status=status)


@require_GET
@permission_required("factcheck.view_article", raise_exception=True)
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = access.get_article_for(request.user, pk)
    target = request.htmx.target if request.htmx else None
    if target == "timeline-more":  # the next window of older events, nothing else
        timeline = _history(request, article)
        return render(request, TIMELINE_EVENTS, {"timeline": timeline})
    context = _detail_context(request, article, page=request.GET.get("claims"))
    if target == "article-workspace":  # a pager link: the workspace, focus on its list
        return render(request, WORKSPACE, {**context, "paged": True})
    return render(request, PAGE, context)


@require_POST
@permission_required(REVIEW, raise_exception=True)
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access.get_claim_for(request.user, pk)
    article = claim.article
    form = ClaimEditForm(request.POST, body=article.body, near=claim.start)
    if not form.is_valid():
        return _answer(request, article, _invalid(form), claim=claim, action="edit")
    data = form.cleaned_data
    outcome = perform(
        lambda: workflow.edit_claim(
            claim,
            actor=request.user,
            start=data["start"],
            end=data["end"],
            expected_version=data["version"],
        ),
        success="Claim updated.",
    )
    return _answer(request, article, outcome, claim=claim, action="edit")


@require_POST
@permission_required(REVIEW, raise_exception=True)
def claim_split(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access.get_claim_for(request.user, pk)
    form = ClaimSplitForm(request.POST, claim=claim)
    if not form.is_valid():
        return _answer(
            request, claim.article, _invalid(form), claim=claim, action="split"
        )
    data = form.cleaned_data
    outcome = perform(
        lambda: workflow.split_claim(
            claim, actor=request.user, at=data["at"], expected_version=data["version"]
        ),
        success="Claim split in two.",
    )
    return _answer(request, claim.article, outcome, claim=claim, action="split")


@require_POST
@permission_required(REVIEW, raise_exception=True)
def claim_merge(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access.get_claim_for(request.user, pk)
    form = ClaimMergeForm(request.POST)
    if not form.is_valid():
        return _answer(
            request, claim.article, _invalid(form), claim=claim, action="merge"
        )
    # A forged id of another article's claim is a 404, not a merge.
    other = access.get_claim_for(
        request.user, form.cleaned_data["other"], article=claim.article
    )
    outcome = perform(
        lambda: workflow.merge_claims(
            claim,
            other,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
        ),
        success="Claims merged.",
    )
    return _answer(request, claim.article, outcome, claim=claim, action="merge")


@require_POST
@permission_required(REVIEW, raise_exception=True)
def claim_add(request: HttpRequest, pk: int) -> HttpResponse:
    article = access.get_article_for(request.user, pk)
    form = SpanForm(request.POST, body=article.body)
    if not form.is_valid():
        return _answer(request, article, _invalid(form), action="add")
    data = form.cleaned_data
    outcome = perform(
        lambda: workflow.add_claim(
            article, actor=request.user, start=data["start"], end=data["end"]
        ),
        success="Claim added.",
    )
    return _answer(request, article, outcome, claim=outcome.result, action="add")


@require_POST
@permission_required(DECIDE, raise_exception=True)
def claim_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access.get_claim_for(request.user, pk)
    form = ClaimDismissForm(request.POST)
    if not form.is_valid():
        return _answer(
            request, claim.article, _invalid(form), claim=claim, action="dismiss"
        )
    outcome = perform(
        lambda: workflow.dismiss_claim(
            claim,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        ),
        success="Claim dismissed.",
    )
    return _answer(request, claim.article, outcome, claim=claim, action="dismiss")


@require_POST
@permission_required(DECIDE, raise_exception=True)
def claim_restore(request: HttpRequest, pk: int) -> HttpResponse:
    claim = access.get_claim_for(request.user, pk)
    form = ClaimRestoreForm(request.POST)
    if not form.is_valid():
        return _answer(
            request, claim.article, _invalid(form), claim=claim, action="restore"
        )
    outcome = perform(
        lambda: workflow.restore_claim(
            claim, actor=request.user, expected_version=form.cleaned_data["version"]
        ),
        success="Claim restored.",
    )
    return _answer(request, claim.article, outcome, claim=claim, action="restore")
