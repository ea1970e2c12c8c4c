"""Preview, publish, correct and unpublish an article's results (editors).

htmx posts get the publishing panel back (with the notice inside, and the typed
correction note kept on failure); plain posts redirect to the article page on
success and, on failure, re-render a small page holding the panel, the bound form
and the refusal (4xx), so no typed text is lost without JavaScript either.

The preview renders the public templates from what publishing now would store
(``workflow.publication.preview_publication``, rolled back), under a "not public"
banner, never cached, marked noindex and without ClaimReview data blocks.
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .. import access, workflow
from ..forms.publishing import PublishForm, UnpublishForm
from ..models import Article
from ..workflow.publication import Preview, preview_publication
from .common import Outcome, form_errors_text, perform, respond
from .public import claim_part, summary_context

PANEL = "factcheck/_article_publishing.html#article-publishing"
PAGE = "factcheck/article_publish.html"
PUBLISH = "factcheck.publish_article"


def _article_url(article: Article) -> str:
    try:
        return article.get_absolute_url()
    except NoReverseMatch:  # the article pages live in another part of the desk
        return reverse("dashboard")


def _answer(request: HttpRequest, article: Article, outcome: Outcome, **forms):
    context = {"article": article, "publishing_notice": True, **forms}
    if outcome.ok or request.htmx:
        return respond(
            request,
            outcome,
            redirect_to=_article_url(article),
            partial=PANEL,
            context=context,
            event="article-changed",
        )
    context.update(notice=outcome.message, notice_ok=False)
    return render(request, PAGE, context, status=outcome.status)


@require_POST
@permission_required(PUBLISH, raise_exception=True)
def article_publish(request: HttpRequest, pk: int) -> HttpResponse:
    article = access.get_article_for(request.user, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        outcome = Outcome(None, form_errors_text(form), 400)
        return _answer(request, article, outcome, publish_form=form)
    data = form.cleaned_data
    outcome = perform(
        lambda: workflow.publish_article(
            article,
            actor=request.user,
            correction_note=data["correction_note"],
            expected_version=data["expected_version"],
        ),
        success="Published. The public pages show the new version.",
    )
    if outcome.ok:
        outcome.message = f"Published version {outcome.result.version}."
    article.refresh_from_db()
    return _answer(request, article, outcome, publish_form=form)


@require_POST
@permission_required(PUBLISH, raise_exception=True)
def article_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    article = access.get_article_for(request.user, pk)
    form = UnpublishForm(request.POST)
    if not form.is_valid():
        outcome = Outcome(None, form_errors_text(form), 400)
        return _answer(request, article, outcome, unpublish_form=form)
    outcome = perform(
        lambda: workflow.unpublish_article(
            article, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        success="Unpublished. The public pages now answer “gone”.",
    )
    article.refresh_from_db()
    return _answer(request, article, outcome, unpublish_form=form)


# --- Preview: the public pages as publishing now would make them ------------------


def _preview_context(article: Article, preview: Preview) -> dict:
    version = preview.payload["version"]
    return {
        "preview": {
            "version": version,
            "is_correction": version > 1,
            "refusal": preview.refusal.message if preview.refusal else "",
            "article_url": _article_url(article),
            "summary_url": reverse("article-preview", args=[article.pk]),
        }
    }


def _private(response: HttpResponse) -> HttpResponse:
    """Keep a preview out of search engines (the page says so too)."""
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@permission_required(PUBLISH, raise_exception=True)
@never_cache
def article_preview(request: HttpRequest, pk: int) -> HttpResponse:
    article = access.get_article_for(request.user, pk)
    preview = preview_publication(article, actor=request.user)
    context = summary_context(
        request,
        preview.payload,
        claim_url=lambda n: reverse("article-preview-claim", args=[article.pk, n]),
    )
    context.update(_preview_context(article, preview))
    return _private(render(request, "public/summary.html", context))


@require_GET
@permission_required(PUBLISH, raise_exception=True)
@never_cache
def article_preview_claim(request: HttpRequest, pk: int, n: int) -> HttpResponse:
    article = access.get_article_for(request.user, pk)
    preview = preview_publication(article, actor=request.user)
    claim = next((c for c in preview.payload["claims"] if c["n"] == n), None)
    if claim is None:
        raise Http404("No such claim in this preview.")
    page = claim_part(
        request,
        preview.payload,
        claim,
        page_url=request.build_absolute_uri(
            reverse("public-claim", args=[article.slug, n])
        ),
        summary_url=reverse("article-preview", args=[article.pk]),
    )
    context = {"page": page, "slug": article.slug, "n": n}
    context.update(_preview_context(article, preview))
    return _private(render(request, "public/claim_detail.html", context))
