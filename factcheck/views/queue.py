"""The reviewer queue: claims that need work, filtered in the URL, in constant queries.

Filters (article, status, kind, assignee, overdue) and the sort live in the query
string, so a view of the queue is shareable and the back button works; htmx swaps
``#queue-table`` in place. Whatever the queue's size the page runs the same handful
of queries: one aggregate for every facet count, one count, one page of rows.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from .. import workflow
from ..forms.queue import NEEDS_WORK, BulkForm, QueueFilterForm
from ..models import Article, Claim, ClaimKind, ClaimState
from .common import safe_next

PAGE_SIZE = 50
TEMPLATE = "factcheck/queue.html"
SORTS = {
    "priority": ("-score", "created_at", "pk"),
    "age": ("created_at", "pk"),
    "due": (F("due").asc(nulls_last=True), "-score", "pk"),
}


def _facets(filters: dict, user, now) -> dict[str, Q]:
    """One Q per active filter, keyed by facet, so counts can leave their own out."""
    status = filters["status"]
    qs = {
        "status": Q(state=status) if status else Q(state__in=NEEDS_WORK),
        "article": Q(article_id=filters["article"]) if filters["article"] else Q(),
        "kind": Q(kind=filters["kind"]) if filters["kind"] else Q(),
        "assignee": {
            "mine": Q(assignee=user),
            "nobody": Q(assignee__isnull=True),
        }.get(filters["assignee"], Q()),
        "overdue": Q(due__lt=now) if filters["overdue"] else Q(),
    }
    return qs


def _except(facets: dict[str, Q], name: str) -> Q:
    combined = Q()
    for key, q in facets.items():
        if key != name:
            combined &= q
    return combined


def _counts(base, facets: dict[str, Q], user, now) -> dict[str, int]:
    """Every facet's counts in one aggregate query (each ignores its own filter)."""
    aggregates = {"total": Count("pk", filter=_except(facets, ""))}
    by_status = _except(facets, "status")
    aggregates["status_"] = Count("pk", filter=by_status & Q(state__in=NEEDS_WORK))
    for state in ClaimState:
        aggregates[f"status_{state.value}"] = Count(
            "pk", filter=by_status & Q(state=state)
        )
    by_kind = _except(facets, "kind")
    aggregates["kind_"] = Count("pk", filter=by_kind)
    for i, kind in enumerate(ClaimKind):
        aggregates[f"kind_{i}"] = Count("pk", filter=by_kind & Q(kind=kind))
    by_assignee = _except(facets, "assignee")
    aggregates["assignee_"] = Count("pk", filter=by_assignee)
    aggregates["assignee_mine"] = Count("pk", filter=by_assignee & Q(assignee=user))
    aggregates["assignee_nobody"] = Count(
        "pk", filter=by_assignee & Q(assignee__isnull=True)
    )
    aggregates["overdue"] = Count(
        "pk", filter=_except(facets, "overdue") & Q(due__lt=now)
    )
    counts = base.aggregate(**aggregates)
    for i, kind in enumerate(ClaimKind):
        counts[f"kind_{kind.value}"] = counts.pop(f"kind_{i}")
    return counts


def _rows(page, user, now) -> list[Claim]:
    for claim in page:
        claim.overdue = bool(claim.due and claim.due < now)
        claim.can_take = workflow.can(user, "claim.take", claim)
    return list(page)


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
@permission_required("factcheck.view_claim", raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    user, now = request.user, timezone.now()
    articles = list(
        Article.objects.in_review().order_by("-ingested_at").values_list("pk", "title")
    )
    form = QueueFilterForm(request.GET, article_choices=articles)
    filters = form.filters()
    facets = _facets(filters, user, now)
    base = Claim.objects.annotate(due=Coalesce("due_at", "article__due_at"))
    counts = _counts(base, facets, user, now)
    per_article = dict(
        base.filter(_except(facets, "article"))
        .values_list("article")
        .annotate(n=Count("pk"))
        .order_by()
    )
    form.show_counts(counts, per_article)
    claims = (
        base.filter(_except(facets, ""))
        .select_related("article", "assignee")
        .with_checked_before()
        .order_by(*SORTS[filters["sort"]])
    )
    page = Paginator(claims, PAGE_SIZE).get_page(filters["page"])
    is_editor = user.has_perm("factcheck.approve_verdict")
    context = {
        "form": form,
        "filters": filters,
        "counts": counts,
        "page": page,
        "claims": _rows(page, user, now),
        "is_editor": is_editor,
        "bulk_form": BulkForm() if is_editor else None,
        "query": _query_without_page(request),
        "here": request.get_full_path(),
        "may_take": user.has_perm("factcheck.review_claim"),
    }
    if request.htmx:
        return render(request, f"{TEMPLATE}#queue-table", context)
    return render(request, TEMPLATE, context)


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    return redirect(safe_next(request) or "queue")


@require_POST
@permission_required("factcheck.review_claim", raise_exception=True)
def queue_take_next(request: HttpRequest) -> HttpResponse:
    article = None
    article_id = request.POST.get("article", "")
    if article_id.isdigit():
        article = Article.objects.filter(pk=int(article_id)).first()
    claim = workflow.take_next_claim(actor=request.user, article=article)
    if claim is None:
        messages.info(request, "Nothing left to take: every open claim has a reviewer.")
        return _back_to_queue(request)
    messages.success(request, f"Claim #{claim.pk} is yours.")
    return redirect(claim.get_absolute_url())


@require_POST
@permission_required("factcheck.approve_verdict", raise_exception=True)
def queue_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back_to_queue(request)
    data = form.cleaned_data
    results = workflow.bulk_apply(
        data["claims"],
        actor=request.user,
        operation=data["operation"],
        versions=form.versions(),
        assignee=data.get("assignee"),
        reason=data.get("reason", ""),
        due_at=data.get("due_at"),
    )
    done = sum(1 for r in results if r.ok)
    messages.success(request, f"Applied to {done} of {len(results)} claims.")
    for result in results:
        if not result.ok:
            messages.error(request, f"{result.label}: {result.message}")
    return _back_to_queue(request)


def queue_url(**params) -> str:
    """The queue filtered by ``params`` (for links from other pages)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse("queue") + (f"?{query}" if query else "")
