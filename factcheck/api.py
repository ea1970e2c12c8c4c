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
  back as 4xx JSON in the one error shape of ``api_errors`` (``code``, ``detail``,
  ``fields``) with nothing stored. Every status an operation can answer is
  declared in the OpenAPI document, and the request schemas state the limits the
  code enforces (tests/test_api_schema.py holds the code to its document).
- Each audit event names the token it came through and the token's creator
  (``audit.api_token_var``, set on authentication and reset after every API
  request).
- Lists are paginated and cost a constant number of queries.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.request import RawPostDataException
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from ninja import Field, NinjaAPI, Path, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from pydantic import ConfigDict, field_validator

from . import audit, pagination, publishing, unstorable, workflow
from .api_errors import CODES, ErrorOut, error_body, json_error
from .api_rate import TokenRate
from .counts import CAP, capped_counts
from .models import ApiToken, Article, Claim
from .workflow import InvalidTransition
from .workflow.revisions import COUNTS as REVISION_COUNTS
from .workflow.revisions import current_revision
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
    throttle=TokenRate(),  # per token, after authentication (429 + Retry-After)
)


def _error(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    code: str | None = None,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body = error_body(status, detail, code=code, fields=fields)
    return api.create_response(request, body, status=status)


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
    return _error(request, 400, " ".join(exc.messages), code="invalid")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, str(exc) or "No such object.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own refusals, e.g. a body that is not JSON (400).
    return _error(request, exc.status_code, str(exc), code=CODES.get(exc.status_code))


@api.exception_handler(NinjaValidationError)
def _unprocessable(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(
            str(error.get("msg", "invalid"))
        )
    detail = "; ".join(f"{name}: {', '.join(msgs)}" for name, msgs in fields.items())
    return _error(request, 422, detail or "The request is invalid.", fields=fields)


def _field_name(loc) -> str:
    """``("body", "payload", "text")`` -> ``text``; ``("query", "page")`` -> ``page``"""
    parts = [str(p) for p in loc]
    where, rest = (parts[0], parts[1:]) if parts else ("body", [])
    if where == "body" and rest[:1] == ["payload"]:
        rest = rest[1:]
    return ".".join(rest) or where


@api.exception_handler(InvalidTransition)
def _conflict(request: HttpRequest, exc: InvalidTransition) -> HttpResponse:
    return _error(request, 409, str(exc))


@api.exception_handler(RawPostDataException)
def _not_json(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    # A form post (multipart): the edge middleware has read it as a form already.
    return _error(request, 400, "Send the body as JSON (application/json).")


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "The request body is too large.")


def _require(request: HttpRequest, permission: str) -> None:
    if not request.auth.user.has_perm(permission):
        raise PermissionDenied("This token's user may not do that.")


# --- Schemas ------------------------------------------------------------------------


def _errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error responses an operation declares. Every operation can answer 400
    (the edge refuses unstorable input in any query string), 401, 422 and 429 (the
    token's rate limit, ``api_rate``)."""
    return dict.fromkeys(sorted({400, 401, 422, 429, *statuses}), ErrorOut)


# No NUL anywhere (the edge refuses it with a 400; the schema says so too).
NO_NUL = r"^[^\x00]*$"
# Some text besides whitespace, and no NUL.
SOME_TEXT = r"^[^\x00]*[^\s\x00][^\x00]*$"
# Empty, or an http(s) URL with a dotted host name: a subset of what Django's
# URLValidator (the rule workflow applies) accepts, so a URL the schema allows is
# never refused; an IP address, an internationalised host or one of more than six
# labels is a 422. Label sizes keep the host within DNS's 253 characters.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?"
HTTP_URL = (
    r"^(?:https?://(?:" + _LABEL + r"\.){1,5}[A-Za-z]{2,63}"
    r"(?::[0-9]{1,5})?(?:[/?#][!-~]*)?)?$"
)


def _text(max_length: int, description: str) -> Any:
    return Field("", max_length=max_length, pattern=NO_NUL, description=description)


class ArticleIn(Schema):
    """An article to check; only ``text`` is required (the title defaults to its
    first line). No field may hold NUL characters or lone surrogates (400,
    ``unstorable_input``). Rules the schema cannot state answer 400 with code
    ``invalid``: the text's size in UTF-8 bytes, a text that is empty once
    normalised."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=settings.FACTCHECK["MAX_ARTICLE_BYTES"],
        pattern=SOME_TEXT,
        description="The article (plain text); at most the desk's article size "
        "in UTF-8 bytes.",
    )
    title: str = _text(
        settings.FACTCHECK.get("MAX_TITLE_LENGTH") or 300,
        "Defaults to the text's first line.",
    )
    outlet: str = _text(200, "The publication.")
    author: str = _text(200, "The byline.")
    original_url: str = Field(
        "",
        max_length=500,
        pattern=HTTP_URL,
        description="An http(s) URL of the original.",
    )
    original_published_on: date | None = None
    language: str = _text(12, "A language tag; defaults to en.")

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


class ArticleRevisionIn(Schema):
    """A new version of an article's text (same rules as ``ArticleIn.text``) and
    the version the client last saw: ``revision`` of ``GET``/``PUT``, 1 for an
    article never revised. A newer version meanwhile answers 409."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=settings.FACTCHECK["MAX_ARTICLE_BYTES"],
        pattern=SOME_TEXT,
        description="The new text (plain text); at most the desk's article size "
        "in UTF-8 bytes, and not the same as the current text.",
    )
    version: int = Field(ge=1, le=2**31 - 1, description="The version replaced.")

    @field_validator("text")
    @classmethod
    def _storable(cls, value: str) -> str:
        return ArticleIn._storable(value)


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
    version: int = Field(
        1, description="Changes with every write; send it back with the next one"
    )
    text_changed: bool = Field(
        False,
        description="A newer version of the article changed or removed the "
        "claim's sentence since review (until an editor confirms the verdict)",
    )

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
    revision: int = Field(
        1, description="The version of the text; send it with PUT to replace it"
    )
    claims: list[ClaimOut]

    @staticmethod
    def resolve_claims(article: Article) -> list[Claim]:
        return article.claims_in_order  # loaded by _article_detail in one query


class RevisionOut(Schema):
    """What storing the version did to the article's claims."""

    revision: int = Field(description="The number of the version now current")
    kept: int = Field(description="Claims whose text and offsets did not change")
    moved: int = Field(description="Claims with the same text at new offsets")
    changed: int = Field(description="Claims whose sentence changed: flagged")
    vanished: int = Field(description="Claims whose sentence is gone: flagged")
    new: int = Field(description="New claims from new sentences")
    article: ArticleOut


COUNT_DOC = (
    f"Exact up to {CAP:,}; {CAP + 1:,} means more (lists are never counted whole)"
)
NEXT_DOC = (
    "The cursor of the next page (pass it as ``cursor``), null at the end or "
    "when paging by ``page`` beyond 1"
)


class ArticlePage(Schema):
    count: int = Field(description=COUNT_DOC)
    page: int
    page_size: int
    next: str | None = Field(None, description=NEXT_DOC)
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
    count: int = Field(description=COUNT_DOC)
    page: int
    page_size: int
    next: str | None = Field(None, description=NEXT_DOC)
    items: list[PublishedOut]


class PageIn(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Offset paging (older)")
    cursor: str = Field(
        "",
        max_length=pagination.MAX_CURSOR,
        pattern=NO_NUL,
        description="A page's ``next``: keyset paging, as deep as the list goes",
    )


def _page_of(rows, *, cursor: str = "", page: int = 1) -> tuple[list, str | None]:
    """One page of ``rows`` and the cursor of the next. By cursor (keyset, one
    range scan however deep) unless an older client asks for ``page`` N > 1."""
    if page > 1 and not cursor:
        offset = (page - 1) * PAGE_SIZE
        return list(rows[offset : offset + PAGE_SIZE]), None
    query = QueryDict(mutable=True)
    if cursor:
        query["before"] = cursor
    window = pagination.keyset(rows, query, per_page=PAGE_SIZE)
    if window.notice:
        raise HttpError(400, "The cursor is damaged or out of date; start over.")
    following = QueryDict(window.next[1:]).get("before") if window.next else None
    return window.items, following


def _capped_count(rows) -> int:
    return capped_counts(rows, {"n": Q()})["n"]


# An id in a path: any digits match the route, ids beyond 64 bits are a 404 at the
# edge (middleware), and ninja refuses 0 (422).
PK = Path(..., ge=1, le=unstorable.INT64_MAX)


# --- Articles and claims ------------------------------------------------------------


def _article_detail(pk: int) -> Article:
    article = Article.objects.with_claim_counts().get(pk=pk)
    article.claims_in_order = list(
        article.claims.select_related("assignee").order_by("position", "pk")
    )
    article.revision = current_revision(article)
    return article


@api.post(
    "/articles",
    url_name="api-article-create",
    tags=["articles"],
    response={201: ArticleOut, **_errors(403, 413)},
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
    response={200: ArticlePage, **_errors(403)},
    summary="Articles, newest first",
)
def article_list(request: HttpRequest, query: Query[PageIn]):
    _require(request, VIEW)
    articles = Article.objects.with_claim_counts().order_by("-ingested_at", "-pk")
    items, following = _page_of(articles, cursor=query.cursor, page=query.page)
    return {
        "count": _capped_count(Article.objects.all()),
        "page": query.page,
        "page_size": PAGE_SIZE,
        "next": following,
        "items": items,
    }


@api.get(
    "/articles/{int:pk}",
    tags=["articles"],
    url_name="api-article-detail",
    response={200: ArticleOut, **_errors(403, 404)},
    summary="One article with its body and claims",
)
def article_detail(request: HttpRequest, pk: int = PK):
    _require(request, VIEW)
    try:
        return _article_detail(pk)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None


@api.put(
    "/articles/{int:pk}",
    tags=["articles"],
    url_name="api-article-update",
    response={200: RevisionOut, **_errors(403, 404, 409, 413)},
    summary="Store a new version of the article's text; claims are re-anchored",
    description="Unchanged claims keep their work; a claim whose sentence changed "
    "or vanished is flagged (an approved one blocks publishing until an editor "
    "confirms it); new checkable sentences become claims. 409 when ``version`` "
    "is not the current one.",
)
def article_update(request: HttpRequest, payload: ArticleRevisionIn, pk: int = PK):
    _require(request, INGEST)
    try:
        article = Article.objects.get(pk=pk)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None
    revision = workflow.revise_article(
        article, actor=request.auth.user, raw=payload.text, version=payload.version
    )
    return {
        "revision": revision.number,
        **{k: revision.summary.get(k, 0) for k in REVISION_COUNTS},
        "article": _article_detail(pk),
    }


@api.get(
    "/claims/{int:pk}",
    tags=["claims"],
    url_name="api-claim-detail",
    response={200: ClaimDetailOut, **_errors(403, 404)},
    summary="One claim: its span, score, status and assignee",
)
def claim_detail(request: HttpRequest, pk: int = PK):
    _require(request, VIEW)
    claim = Claim.objects.select_related("assignee").filter(pk=pk).first()
    if claim is None:
        raise Http404("No such claim.")
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
    response={200: PublishedPage, **_errors()},
    summary="Published fact-checks: approved claims with their ratings",
)
def published(request: HttpRequest, query: Query[PageIn]):
    publications = publishing.latest_publications()
    items, following = _page_of(publications, cursor=query.cursor, page=query.page)
    return {
        "count": _capped_count(publications),
        "page": query.page,
        "page_size": PAGE_SIZE,
        "next": following,
        "items": [_published_out(request, p) for p in items],
    }


# --- URLs ---------------------------------------------------------------------------


def _methods_by_name() -> dict[str, list[str]]:
    """The HTTP methods each URL name's route serves (all operations on its path)."""
    methods = {"openapi-json": ["GET"], "openapi-view": ["GET"], "api-root": ["GET"]}
    path_views = [v for _, r in api._routers for v in r.path_operations.values()]
    for path_view in path_views:
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


def _methods_only(view, methods: list[str]):
    """A 405 in the error shape (with ``Allow``) for a method the route does not
    serve, before ninja or the token are consulted."""

    @functools.wraps(view)
    def limited(request, *args, **kwargs):
        if request.method not in methods:
            response = json_error(405, f"{request.method} is not served here.")
            response["Allow"] = ", ".join(methods)
            return response
        return view(request, *args, **kwargs)

    limited.allowed_methods = frozenset(methods)  # read by the route inventories
    return limited


def _token_only(pattern: URLPattern, methods: list[str]) -> URLPattern:
    """The pattern with its view exempt from the login redirect (the token is the
    authority), limited to the methods it serves (a JSON 405 otherwise), and its
    token scoped to the request."""
    view = login_not_required(_methods_only(_token_scoped(pattern.callback), methods))
    return path(str(pattern.pattern), view, name=pattern.name)


def _urls() -> tuple[list[URLPattern], str, str]:
    patterns, app_name, namespace = api.urls
    methods = _methods_by_name()
    return [_token_only(p, methods[p.name]) for p in patterns], app_name, namespace


from .api_work import register  # noqa: E402  (it builds on the names above)

register(api)  # the review loop: the queue, claim work, decisions, publishing
urls = _urls()
