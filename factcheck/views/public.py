"""Public pages, feeds and exports: anonymous, read only from publication snapshots.

Every page first asks the database one small question (``publishing.public_state``:
is the slug published, at which version?), so an unpublished article answers 410 in
every app process at once. The rendered HTML of a version is immutable, so it is
cached under a key holding the host, slug and version: a new version is a new key.
Every key also holds the publisher's stamp (``organisation.publisher()``), since the
pages name the publisher: saving it starts fresh keys. The transparency pages
(``public_about``) are cached under ``organisation.pages_stamp()`` as well.
Per-request parts (the error-report form with its CSRF token, flash messages) are
rendered around the cached part, never cached.

``summary_context`` and ``claim_part`` turn a snapshot into what the templates show;
the editors' preview (``views/publishing.py``) uses them on an unsaved snapshot,
outside this cache.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET, require_POST

from .. import organisation, pagination, publishing, throttle, workflow
from ..claimreview import claimreview_for, json_ld
from ..client_address import client_key
from ..forms.publishing import ErrorReportForm
from ..models import ArticleState, Publication, PublicPageKind
from ..rendering import render_markdown
from ..workflow.publication import address_hash, is_rate_limited
from .common import perform

PAGE_SIZE = 20
FEED_SIZE = 200
CACHE_SECONDS = 24 * 3600
THANKS = "Thank you. Your report reaches the editors; they read every one."
REPORTS_PAUSED = (
    "The desk has received unusually many error reports in the last hour, from all "
    "readers together, and accepts no more until the hour is over. Please try "
    "again later; your text is kept below."
)


class _Gone(Exception):
    """The article was published once and has been taken down."""


def public_page(view: Callable) -> Callable:
    """Open to anonymous visitors; a withdrawn fact-check answers 410 Gone."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except _Gone:
            return render(request, "public/gone.html", status=410)

    return login_not_required(wrapper)


def _current(slug: str) -> publishing.PublicState:
    state = publishing.public_state(slug)
    if state is None:
        raise Http404("No such fact-check.")
    if state.state != ArticleState.PUBLISHED:
        raise _Gone
    return state


def _publication(current: publishing.PublicState) -> Publication:
    return Publication.objects.get(
        article_id=current.article_pk, version=current.version
    )


def _cached(request: HttpRequest, key: str, build: Callable[[], Any]) -> Any:
    stamp = organisation.publisher().stamp
    key = f"public:{request.scheme}://{request.get_host()}/{stamp}/{key}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _dt(value: str | None):
    return parse_datetime(value) if value else None


def _absolute(request: HttpRequest, name: str, *args) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


def _describe(payload: dict) -> str:
    counts = ", ".join(f"{r['count']} {r['label']}" for r in payload["counts"])
    total = payload["total"]
    return f"{total} claim{'s' if total != 1 else ''} checked: {counts}."


# --- Index and summary -----------------------------------------------------------


@login_not_required
@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    firsts = publishing.first_publications(search=query)
    page = pagination.keyset(firsts, request.GET, per_page=PAGE_SIZE)
    rows = [
        {
            "payload": p.payload,
            "first_published_at": p.first_published_at,
            "url": reverse("public-summary", args=[p.payload["article"]["slug"]]),
        }
        for p in publishing.with_latest(page)
    ]
    context = {"page": page, "rows": rows, "query": query}
    return render(request, "public/index.html", context)


def summary_context(
    request: HttpRequest,
    payload: dict,
    *,
    claim_url: Callable[[int], str] | None = None,
) -> dict:
    """What ``public/summary.html`` shows of a snapshot (published or a preview).

    ``claim_url(n)`` gives each claim's link; by default its public page.
    """
    slug = payload["article"]["slug"]
    if claim_url is None:

        def claim_url(n: int) -> str:
            return reverse("public-claim", args=[slug, n])

    total = payload["total"] or 1
    counts = [
        {
            **row,
            "percent": round(100 * row["count"] / total),
            # Bar widths are CSS classes in steps of 5 (no inline styles under CSP).
            "width": 5 * round(20 * row["count"] / total),
        }
        for row in payload["counts"]
    ]
    claims = [
        {
            **claim,
            "url": claim_url(claim["n"]),
            "approved": _dt(claim.get("approved_at")),
        }
        for claim in payload["claims"]
    ]
    history = [
        {**entry, "published": _dt(entry["published_at"])}
        for entry in reversed(payload.get("history", []))
    ]
    return {
        "payload": payload,
        "article": payload["article"],
        "claims": claims,
        "counts": counts,
        "history": history,
        "published": _dt(payload["published_at"]),
        "first_published": _dt(payload["first_published_at"]),
        "page_url": _absolute(request, "public-summary", slug),
        "description": _describe(payload),
        "policy": settings.FACTCHECK["CORRECTIONS_POLICY"],
        "publish_names": "reviewer" in (payload["claims"] or [{}])[0],
    }


@public_page
@require_GET
def public_summary(request: HttpRequest, slug: str) -> HttpResponse:
    current = _current(slug)
    html = _cached(
        request,
        f"{slug}/{current.article_pk}/v{current.version}/summary",
        lambda: render_to_string(
            "public/summary.html",
            summary_context(request, _publication(current).payload),
            request=request,
        ),
    )
    return HttpResponse(html)


# --- One claim, with its ClaimReview and the error-report form ---------------------


def _claim_part(request: HttpRequest, current: publishing.PublicState, n: int) -> dict:
    """The cacheable part of a claim page.

    ``n`` is the claim's permanent number. Not in the latest version: {"removed": ...}
    when an earlier version showed it (a correction removed it), else {}.
    """
    publication = _publication(current)
    payload = publication.payload
    claim = next((c for c in payload["claims"] if c["n"] == n), None)
    if claim is None:
        removed = publishing.removed_claim(current.article_pk, n)
        if removed is None:
            return {}
        return {
            "removed": {
                **removed,
                "article_title": payload["article"]["title"],
                "summary_url": reverse(
                    "public-summary", args=[payload["article"]["slug"]]
                ),
            }
        }
    slug = payload["article"]["slug"]
    page_url = _absolute(request, "public-claim", slug, n)
    review = claimreview_for(publication, claim, page_url=page_url)
    return claim_part(
        request,
        payload,
        claim,
        page_url=page_url,
        summary_url=reverse("public-summary", args=[slug]),
        claimreview=json_ld(review) if review else "",
    )


def claim_part(
    request: HttpRequest,
    payload: dict,
    claim: dict,
    *,
    page_url: str,
    summary_url: str,
    claimreview: str = "",
) -> dict:
    """A claim page's head data and main part (published, or a preview without
    ``claimreview``: the page then carries no JSON-LD)."""
    context = {
        "payload": payload,
        "article": payload["article"],
        "claim": claim,
        "approved": _dt(claim.get("approved_at")),
        "published": _dt(payload["published_at"]),
        "summary_url": summary_url,
        "claimreview": claimreview,
    }
    return {
        "title": f"Fact-check: {claim['text'][:90]}",
        "description": f"{claim['rating']['label']}: {claim['text'][:200]}",
        "page_url": page_url,
        "article_title": payload["article"]["title"],
        "body": render_to_string(
            "public/claim_detail.html#claim-body", context, request=request
        ),
    }


def _claim_page(
    request: HttpRequest, slug: str, n: int, form: ErrorReportForm, status: int = 200
) -> HttpResponse:
    current = _current(slug)
    part = _cached(
        request,
        f"{slug}/{current.article_pk}/v{current.version}/claim-{n}",
        lambda: _claim_part(request, current, n),
    )
    if not part:
        raise Http404("No such claim.")
    if "removed" in part:
        return render(
            request,
            "public/claim_removed.html",
            {"removed": part["removed"]},
            status=410,
        )
    context = {"page": part, "form": form, "slug": slug, "n": n}
    return render(request, "public/claim_detail.html", context, status=status)


@public_page
@require_GET
def public_claim(request: HttpRequest, slug: str, n: int) -> HttpResponse:
    return _claim_page(request, slug, n, ErrorReportForm())


@public_page
@require_POST
def public_claim_report(request: HttpRequest, slug: str, n: int) -> HttpResponse:
    current = _current(slug)
    form = ErrorReportForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, slug, n, form, status=400)
    back = reverse("public-claim", args=[slug, n]) + "#report"
    if form.is_spam:  # the honeypot: look successful, store nothing
        messages.success(request, THANKS)
        return redirect(back)
    address = client_key(request)
    if _reports_paused(address):
        form.add_error(None, REPORTS_PAUSED)
        return _claim_page(request, slug, n, form, status=429)
    outcome = perform(
        lambda: workflow.report_error(
            current.article_pk,
            claim_number=n,
            text=form.cleaned_data["text"],
            email=form.cleaned_data["email"],
            address=address,
        ),
        success=THANKS,
    )
    if outcome.ok:
        messages.success(request, outcome.message)
        return redirect(back)
    form.add_error(None, outcome.message)
    limited = is_rate_limited(address_hash(address))
    return _claim_page(request, slug, n, form, status=429 if limited else 400)


def _reports_paused(address: str) -> bool:
    """Is everyone's hourly allowance of error reports used up?

    An address over its own limit is refused by ``workflow.report_error`` and
    takes nothing from everyone's allowance, so one reader cannot exhaust it.
    """
    if is_rate_limited(address_hash(address)):
        return False
    limit = settings.FACTCHECK["ERROR_REPORTS_PER_HOUR_GLOBAL"]
    return not throttle.take_overall("error-reports", limit)


# --- Transparency pages ------------------------------------------------------------


def _about_context(request: HttpRequest, kind: str) -> dict:
    page = organisation.page(kind)
    context = {
        "page": page,
        "kind": kind,
        "body_html": render_markdown(page.body),
        "about_pages": [
            {"kind": k, "label": label, "current": k == kind}
            for k, label in PublicPageKind.choices
        ],
        "page_url": _absolute(request, "public-about", kind),
    }
    if kind == PublicPageKind.RATINGS:
        context["ratings"] = organisation.scale()
    return context


@login_not_required
@require_GET
def public_about(request: HttpRequest, kind: str) -> HttpResponse:
    """One transparency page (the ratings page also lists the scale in use)."""
    if kind not in PublicPageKind.values:
        raise Http404("No such page.")
    html = _cached(
        request,
        f"about/{kind}/{organisation.pages_stamp()}",
        lambda: render_to_string(
            "public/about.html", _about_context(request, kind), request=request
        ),
    )
    return HttpResponse(html)


# --- Claimants ----------------------------------------------------------------------


@login_not_required
@require_GET
def public_claimant(request: HttpRequest, slug: str) -> HttpResponse:
    """One claimant's checked claims and verdicts, from the latest snapshots only."""
    record = publishing.claimant_record(slug, request.GET)
    if record is None:
        raise Http404("No published claims by this claimant.")
    claims = [
        {
            **claim,
            "url": reverse("public-claim", args=[claim["article"]["slug"], claim["n"]]),
            "summary_url": reverse("public-summary", args=[claim["article"]["slug"]]),
        }
        for claim in record.claims
    ]
    context = {
        "claimant": record.claimant,
        "claims": claims,
        "page": record.page,
        "page_url": _absolute(request, "public-claimant", slug),
    }
    return render(request, "public/claimant_detail.html", context)


# --- Feeds and exports ---------------------------------------------------------------


def _claimreviews(request: HttpRequest, publication: Publication) -> list[dict]:
    """The ClaimReviews of a snapshot: claims that carry none are left out."""
    slug = publication.payload["article"]["slug"]
    reviews = (
        claimreview_for(
            publication,
            claim,
            page_url=_absolute(request, "public-claim", slug, claim["n"]),
        )
        for claim in publication.payload["claims"]
    )
    return [review for review in reviews if review is not None]


@login_not_required
@require_GET
def public_claimreview_feed(request: HttpRequest) -> JsonResponse:
    """Every published ClaimReview, as a schema.org DataFeed, newest article first."""
    items = [
        {
            "@type": "DataFeedItem",
            "dateCreated": p.payload["first_published_at"],
            "dateModified": p.payload["published_at"],
            "url": _absolute(request, "public-summary", p.payload["article"]["slug"]),
            "item": reviews,
        }
        for p in publishing.latest_publications()[:FEED_SIZE]
        # A fact-check whose claims carry no ClaimReview has no item to list.
        if (reviews := _claimreviews(request, p))
    ]
    feed = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": f"{organisation.publisher().name} ClaimReview feed",
        "dataFeedElement": items,
    }
    return JsonResponse(feed, json_dumps_params={"ensure_ascii": False})


@login_not_required
@require_GET
def public_atom_feed(request: HttpRequest) -> HttpResponse:
    org = organisation.publisher().name
    feed = Atom1Feed(
        title=f"{org}: fact-checks",
        link=_absolute(request, "public-index"),
        description=f"Fact-checks published by {org}.",
        feed_url=_absolute(request, "public-atom-feed"),
        language="en",
    )
    for p in publishing.latest_publications()[:FEED_SIZE]:
        link = _absolute(request, "public-summary", p.payload["article"]["slug"])
        feed.add_item(
            title=p.payload["article"]["title"],
            link=link,
            description=_describe(p.payload),
            unique_id=link,
            pubdate=_dt(p.payload["first_published_at"]),
            updateddate=_dt(p.payload["published_at"]),
            author_name=org,
        )
    return HttpResponse(
        feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8"
    )


def _export_payload(request: HttpRequest, publication: Publication) -> dict:
    payload = publication.payload
    slug = payload["article"]["slug"]
    hidden = {"ref", "rationale_html"}
    return {
        "article": payload["article"],
        "version": payload["version"],
        "published_at": payload["published_at"],
        "first_published_at": payload["first_published_at"],
        "url": _absolute(request, "public-summary", slug),
        "counts": [
            {k: row[k] for k in ("label", "slug", "value", "count")}
            for row in payload["counts"]
        ],
        "claims": [
            {
                **{k: v for k, v in claim.items() if k not in hidden},
                "url": _absolute(request, "public-claim", slug, claim["n"]),
            }
            for claim in payload["claims"]
        ],
        "corrections": payload.get("history", [])[1:],
    }


@public_page
@require_GET
def public_export_json(request: HttpRequest, slug: str) -> HttpResponse:
    data = _export_payload(request, _publication(_current(slug)))
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{slug}.json"'
    return response


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@public_page
@require_GET
def public_export_csv(request: HttpRequest, slug: str) -> HttpResponse:
    data = _export_payload(request, _publication(_current(slug)))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["n", "claim", "rating", "rating_value", "rationale", "sources", "url"]
        + ["version", "published_at"]
    )
    for claim in data["claims"]:
        sources = " ".join(s["url"] for s in claim["sources"])
        row = [claim["n"], claim["text"], claim["rating"]["label"]]
        row += [claim["rating"]["value"], claim["rationale"], sources, claim["url"]]
        row += [data["version"], data["published_at"]]
        writer.writerow([_cell(v) for v in row])
    return response
