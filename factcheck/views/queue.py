"""The reviewer queue: claims that need work, filtered in the URL, bounded work.

Filters (article, status, kind, assignee, overdue) and the sort live in the query
string, so a view of the queue is shareable and the back button works; htmx swaps
``#queue-table`` in place. The page's cost follows what it shows, not the archive:
the article filter is a search-as-you-type box (no list of every article), every
facet count is capped (``counts.py``: one query, each count reading at most
``CAP + 1`` rows) and paging goes no deeper than the cap, so no query counts or
skips the whole queue. Whatever the queue's size the page runs the same handful of
queries: one for every count, one page of rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from .. import workflow
from ..counts import CAP, cached_when_capped, capped_counts, count_label
from ..forms.lookups import lookup_q
from ..forms.queue import BulkForm, QueueFilterForm
from ..models import NEEDS_WORK, Article, Claim, ClaimKind, ClaimState
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
        "article": lookup_q("article", filters["article"]),
        "kind": Q(kind=filters["kind"]) if filters["kind"] else Q(),
        "assignee": {
            "mine": Q(assignee=user),
            "nobody": Q(assignee__isnull=True),
        }.get(filters["assignee"], Q()),
        "overdue": _overdue(now) if filters["overdue"] else Q(),
    }
    return qs


def _overdue(now) -> Q:
    """Past the claim's own due time or, without one, past its article's.

    The articles are a subquery, not a join: PostgreSQL then hashes the few late
    articles once instead of joining every article to every claim it scans."""
    late = Article.objects.filter(due_at__lt=now).values("pk")
    return Q(due_at__lt=now) | Q(due_at__isnull=True, article__in=late)


def _except(facets: dict[str, Q], name: str) -> Q:
    combined = Q()
    for key, q in facets.items():
        if key != name:
            combined &= q
    return combined


def _counts(facets: dict[str, Q], user, now) -> dict[str, int]:
    """Every facet's count (each ignores its own filter), capped, in one query."""
    wanted = {"total": _except(facets, "")}
    by_status = _except(facets, "status")
    wanted["status_"] = by_status & Q(state__in=NEEDS_WORK)
    for state in ClaimState:
        wanted[f"status_{state.value}"] = by_status & Q(state=state)
    by_kind = _except(facets, "kind")
    wanted["kind_"] = by_kind
    for kind in ClaimKind:
        wanted[f"kind_{kind.value}"] = by_kind & Q(kind=kind)
    by_assignee = _except(facets, "assignee")
    wanted["assignee_"] = by_assignee
    wanted["assignee_mine"] = by_assignee & Q(assignee=user)
    wanted["assignee_nobody"] = by_assignee & Q(assignee__isnull=True)
    wanted["overdue"] = _except(facets, "overdue") & _overdue(now)
    return capped_counts(Claim.objects.all(), wanted)


def _filter_key(request: HttpRequest, user) -> str:
    """What the counts depend on: the filters (not the page or sort) and, for
    "Mine", who is asking."""
    params = sorted((k, v) for k, v in request.GET.lists() if k not in ("page", "sort"))
    return f"{user.pk}:{params!r}"


@dataclass(frozen=True)
class Page:
    """A page of the queue, numbered from 1; ``more`` when the total passed the cap,
    so ``last`` is as deep as paging goes rather than the true number of pages."""

    number: int
    last: int
    more: bool
    reach = f"{CAP:,}"  # claims that paging reaches

    @classmethod
    def of(cls, requested: int, total: int) -> Page:
        last = max(1, math.ceil(min(total, CAP) / PAGE_SIZE))
        return cls(number=min(requested, last), last=last, more=total > CAP)

    @property
    def offset(self) -> int:
        return (self.number - 1) * PAGE_SIZE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.last

    @property
    def has_other_pages(self) -> bool:
        return self.last > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _rows(claims: list[Claim], user, now) -> list[Claim]:
    for claim in claims:
        claim.overdue = bool(claim.due and claim.due < now)
        claim.can_take = workflow.can(user, "claim.take", claim)
    return claims


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
@permission_required("factcheck.view_claim", raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    user, now = request.user, timezone.now()
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    facets = _facets(filters, user, now)
    counts = cached_when_capped(
        "queue", _filter_key(request, user), lambda: _counts(facets, user, now)
    )
    form.show_counts(counts)
    page = Page.of(filters["page"], counts["total"])
    claims = (
        Claim.objects.annotate(due=Coalesce("due_at", "article__due_at"))
        .filter(_except(facets, ""))
        .select_related("article", "assignee")
        .with_checked_before()
        .order_by(*SORTS[filters["sort"]])
    )
    is_editor = user.has_perm("factcheck.approve_verdict")
    context = {
        "form": form,
        "filters": filters,
        "counts": counts,
        "total": count_label(counts["total"]),
        "overdue": count_label(counts["overdue"]),
        "page": page,
        "claims": _rows(list(claims[page.offset : page.offset + PAGE_SIZE]), user, now),
        "is_editor": is_editor,
        "bulk_form": BulkForm() if is_editor else None,
        "query": _query_without_page(request),
        "here": request.get_full_path(),
        "may_take": user.has_perm("factcheck.review_claim"),
    }
    if request.htmx:
        # "Take next" sits outside the table: it follows the article filter too.
        context["swap_take_next"] = True
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
