"""The token-authenticated JSON API a CMS uses: push articles, read claims and verdicts.

Mounted at ``/api/`` (``urls`` below); the OpenAPI document is ``/api/openapi.json``
and Swagger UI ``/api/docs`` (served from our static files, so it fits the CSP).

Invariants:
- Every operation needs ``Authorization: Bearer <secret>`` of an unrevoked token
  whose user is active; anything else is a 401. Sessions never authenticate here,
  so there is no CSRF exposure (ninja exempts its views; no cookie is trusted).
- A token acts with its user's permissions: internal reads need
  ``factcheck.view_article``, pushing needs ``factcheck.add_article`` (403 without).
  ``/api/published`` needs only a valid token: it serves the public snapshots, and
  nothing from them that the public pages do not show.
- Writes go through ``workflow`` (one transaction, one audit event); refusals come
  back as 4xx JSON ``{"detail": ...}`` with nothing stored. Each event names the
  token it came through and the token's creator (``audit.api_token_var``, set on
  authentication and reset after every API request).
- Lists are paginated and cost a constant number of queries.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from pydantic import ConfigDict, field_validator

from . import audit, publishing, workflow
from .models import ApiToken, Article, Claim
from .workflow import InvalidTransition
from .workflow.tokens import hash_secret

PAGE_SIZE = 50
MAX_PAGE = 10_000  # far beyond any real desk; keeps offsets sane for the database
TOUCH_EVERY = timedelta(minutes=1)
MAX_SECRET = 200

VIEW = "factcheck.view_article"
INGEST = "factcheck.add_article"


# --- Authentication -----------------------------------------------------------------


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <secret>``: the token (as ``request.auth``) or None."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if not token or len(token) > MAX_SECRET:
            return None
        found = (
            ApiToken.objects.select_related("user", "created_by")
            .filter(key_hash=hash_secret(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at >= TOUCH_EVERY:
            # A usage stamp, not a domain change: no audit event, at most once a
            # minute so busy clients do not write on every request.
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        # Audit events recorded for the rest of this request name the token.
        audit.api_token_var.set(found)
        return found


api = NinjaAPI(
    title="Factcheck desk API",
    version="1",
    description=(
        "Push articles from a CMS and read their claims, statuses and published "
        "verdicts. Authenticate with `Authorization: Bearer <token>`; admins issue "
        "tokens on the team screen."
    ),
    urls_namespace="api",
    auth=TokenAuth(),
)


def _error(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, "Unauthorized")
    response["WWW-Authenticate"] = 'Bearer realm="api"'  # RFC 6750
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or "This token's user may not do that.")


@api.exception_handler(DjangoValidationError)
def _invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return _error(request, 400, " ".join(exc.messages))


@api.exception_handler(InvalidTransition)
def _conflict(request: HttpRequest, exc: InvalidTransition) -> HttpResponse:
    return _error(request, 409, str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "The request body is too large.")


def _require(request: HttpRequest, permission: str) -> None:
    if not request.auth.user.has_perm(permission):
        raise PermissionDenied("This token's user may not do that.")


# --- Schemas ------------------------------------------------------------------------


class Error(Schema):
    detail: Any


class ArticleIn(Schema):
    """An article to check; only ``text`` is required (the title defaults to its
    first line). Limits: the desk's maximum article size; title 300 characters."""

    model_config = ConfigDict(extra="forbid")

    text: str
    title: str = ""
    outlet: str = ""
    author: str = ""
    original_url: str = ""
    original_published_on: date | None = None
    language: str = ""

    @field_validator("text", "title", "outlet", "author", "original_url", "language")
    @classmethod
    def _storable(cls, value: str) -> str:
        # NUL and lone surrogates cannot be stored as text (PostgreSQL refuses them).
        if "\x00" in value:
            raise ValueError("must not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("must be valid Unicode (no lone surrogates)") from None
        return value


class ClaimOut(Schema):
    id: int
    position: int
    text: str
    start: int = Field(description="Offset into the article body: body[start:end]")
    end: int
    kind: str
    score: float
    reasons: list[str]
    status: str = Field(validation_alias="state")
    assignee: str | None = None

    @staticmethod
    def resolve_assignee(claim: Claim) -> str | None:
        return claim.assignee.get_username() if claim.assignee_id else None


class ClaimDetailOut(ClaimOut):
    article: int = Field(validation_alias="article_id")
    heading: str


class ArticleSummaryOut(Schema):
    id: int
    title: str
    slug: str
    status: str = Field(validation_alias="state")
    outlet: str
    author: str
    original_url: str
    original_published_on: date | None
    language: str
    ingested_at: datetime
    claims_total: int


class ArticleOut(ArticleSummaryOut):
    body: str = Field(description="The normalised text that claim offsets point into")
    warnings: list[dict[str, Any]]
    claims: list[ClaimOut]

    @staticmethod
    def resolve_claims(article: Article) -> list[Claim]:
        return article.claims_in_order  # loaded by _article_detail in one query


class ArticlePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ArticleSummaryOut]


class RatingOut(Schema):
    label: str
    slug: str
    value: int | None


class SourceOut(Schema):
    url: str
    title: str
    publisher: str = ""
    excerpt: str = ""
    accessed_on: str | None = None


class PublishedClaimOut(Schema):
    n: int
    text: str
    rating: RatingOut
    rationale: str
    sources: list[SourceOut]
    url: str


class PublishedOut(Schema):
    slug: str
    title: str
    outlet: str
    author: str
    original_url: str
    original_published_on: str | None
    language: str
    version: int
    published_at: str
    first_published_at: str | None
    url: str
    claims: list[PublishedClaimOut]


class PublishedPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PublishedOut]


class PageIn(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)


# --- Articles and claims ------------------------------------------------------------


def _article_detail(pk: int) -> Article:
    article = Article.objects.with_claim_counts().get(pk=pk)
    article.claims_in_order = list(
        article.claims.select_related("assignee").order_by("position", "pk")
    )
    return article


@api.post(
    "/articles",
    url_name="api-article-create",
    tags=["articles"],
    response={201: ArticleOut, 400: Error, 403: Error, 413: Error},
    summary="Push an article; the desk splits it into claims",
)
def article_create(request: HttpRequest, payload: ArticleIn):
    _require(request, INGEST)
    metadata = payload.model_dump(exclude={"text"})
    article = workflow.create_article(
        actor=request.auth.user, raw=payload.text, metadata=metadata
    )
    return Status(201, _article_detail(article.pk))


@api.get(
    "/articles",
    url_name="api-article-list",
    tags=["articles"],
    response=ArticlePage,
    summary="Articles, newest first",
)
def article_list(request: HttpRequest, query: Query[PageIn]):
    _require(request, VIEW)
    articles = Article.objects.with_claim_counts().order_by("-ingested_at", "-pk")
    offset = (query.page - 1) * PAGE_SIZE
    return {
        "count": Article.objects.count(),
        "page": query.page,
        "page_size": PAGE_SIZE,
        "items": list(articles[offset : offset + PAGE_SIZE]),
    }


@api.get(
    "/articles/{int:pk}",
    tags=["articles"],
    url_name="api-article-detail",
    response={200: ArticleOut, 403: Error, 404: Error},
    summary="One article with its body and claims",
)
def article_detail(request: HttpRequest, pk: int):
    _require(request, VIEW)
    try:
        return _article_detail(pk)
    except Article.DoesNotExist:
        return Status(404, {"detail": "No such article."})


@api.get(
    "/claims/{int:pk}",
    tags=["claims"],
    url_name="api-claim-detail",
    response={200: ClaimDetailOut, 403: Error, 404: Error},
    summary="One claim: its span, score, status and assignee",
)
def claim_detail(request: HttpRequest, pk: int):
    _require(request, VIEW)
    claim = Claim.objects.select_related("assignee").filter(pk=pk).first()
    if claim is None:
        return Status(404, {"detail": "No such claim."})
    return claim


# --- Published fact-checks ----------------------------------------------------------


def _published_out(request: HttpRequest, publication) -> dict[str, Any]:
    """Only what the public pages show, read from the public snapshot itself."""
    payload = publication.payload
    slug = payload["article"]["slug"]
    return {
        **payload["article"],
        "version": payload["version"],
        "published_at": payload["published_at"],
        "first_published_at": payload.get("first_published_at"),
        "url": request.build_absolute_uri(reverse("public-summary", args=[slug])),
        "claims": [
            {
                **claim,
                "url": request.build_absolute_uri(
                    reverse("public-claim", args=[slug, claim["n"]])
                ),
            }
            for claim in payload["claims"]
        ],
    }


@api.get(
    "/published",
    tags=["published"],
    url_name="api-published",
    response=PublishedPage,
    summary="Published fact-checks: approved claims with their ratings",
)
def published(request: HttpRequest, query: Query[PageIn]):
    publications = publishing.latest_publications()
    offset = (query.page - 1) * PAGE_SIZE
    return {
        "count": publications.count(),
        "page": query.page,
        "page_size": PAGE_SIZE,
        "items": [
            _published_out(request, p)
            for p in publications[offset : offset + PAGE_SIZE]
        ],
    }


# --- URLs ---------------------------------------------------------------------------


def _methods_by_name() -> dict[str, list[str]]:
    """The HTTP methods each URL name's route serves (all operations on its path)."""
    methods = {"openapi-json": ["GET"], "openapi-view": ["GET"], "api-root": ["GET"]}
    for path_view in api.default_router.path_operations.values():
        served = sorted({m for op in path_view.operations for m in op.methods})
        for op in path_view.operations:
            methods[op.url_name] = served
    return methods


def _token_scoped(view):
    """Run the view with no token in ``audit.api_token_var`` and leave none behind:
    the token a request authenticates with never outlives that request."""

    @functools.wraps(view)
    def scoped(request, *args, **kwargs):
        reset = audit.api_token_var.set(None)
        try:
            return view(request, *args, **kwargs)
        finally:
            audit.api_token_var.reset(reset)

    return scoped


def _token_only(pattern: URLPattern, methods: list[str]) -> URLPattern:
    """The pattern with its view exempt from the login redirect (the token is the
    authority), limited to the methods it serves (a plain 405 otherwise), and its
    token scoped to the request."""
    view = login_not_required(
        require_http_methods(methods)(_token_scoped(pattern.callback))
    )
    return path(str(pattern.pattern), view, name=pattern.name)


def _urls() -> tuple[list[URLPattern], str, str]:
    patterns, app_name, namespace = api.urls
    methods = _methods_by_name()
    return [_token_only(p, methods[p.name]) for p in patterns], app_name, namespace


urls = _urls()
