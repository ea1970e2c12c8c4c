"""The review loop through the API: the queue, taking a claim, evidence, the verdict,
the editors' decisions and publishing (mounted on ``api.api``, same auth and errors).

Invariants:
- Each write calls the very workflow function the UI view calls, with the token's
  user as the actor, so the rules are the UI's: permission, state, assignee, the
  four-eyes rule (``verdict.approve``: no editor approves a verdict they
  submitted). The operation's permission is checked first, as the view's
  ``permission_required`` does (403), then the id (404).
- Refusals map as everywhere in the API: PermissionDenied 403, InvalidTransition
  409 (a stale ``version`` is a ``Conflict``, also 409), a desk rule the schema
  cannot state (e.g. submitting without a rating) 400 ``invalid``, a body that
  breaks the schema 422, an unknown id 404. Nothing is stored on a refusal.
- Where the UI form carries the claim's ``version`` the body does too (required for
  the verdict, optional elsewhere, as in the forms); answers carry the new version.
- The claim list is a keyset page (``pagination.keyset``) in the queue's priority
  order, ``(-score, created_at, id)``, which an index holds: one query per page
  whatever the desk's size, and no count.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Body, Field, Query, Router, Schema, Status
from pydantic import ConfigDict, field_validator

from . import workflow
from .api import (
    HTTP_URL,
    NO_NUL,
    PK,
    SOME_TEXT,
    ClaimDetailOut,
    _error,
    _errors,
    _page_of,
    _require,
)
from .forms.approvals import MAX_TEXT as MAX_DECISION
from .models import NEEDS_WORK, Article, Claim, ClaimKind, ClaimState, Rating
from .pagination import MAX_CURSOR
from .unstorable import INT64_MAX
from .workflow.publication import MAX_CORRECTION_NOTE
from .workflow.verdicts import MAX_RATIONALE
from .workflow.work import MAX_EXCERPT, MAX_NOTE, MAX_PUBLISHER, MAX_TITLE, MAX_URL

VIEW = "factcheck.view_claim"
REVIEW = "factcheck.review_claim"
APPROVE = "factcheck.approve_verdict"
PUBLISH = "factcheck.publish_article"
MAX_VERSION = 2**31 - 1

router = Router(tags=["review"])
# A body the UI form may also leave empty (its version is optional): none is fine.
OPTIONAL_BODY = Body(None)

# Every write can also answer 413 (a body over the upload limit).
WRITE_ERRORS = _errors(403, 404, 409, 413)


# --- Schemas ------------------------------------------------------------------------


class _In(Schema):
    """A request body: unknown fields refused (422), text storable."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("must be valid Unicode (no lone surrogates)") from None
        return value


def _version(required: bool) -> Any:
    return Field(
        ... if required else None,
        ge=1,
        le=MAX_VERSION,
        description="The claim's version the client last saw (``version`` of the "
        "claim); another change meanwhile answers 409."
        + ("" if required else " Optional: without it, no staleness check."),
    )


class VersionIn(_In):
    version: int | None = _version(False)


class ApproveIn(VersionIn):
    confirm_excerpts: bool = Field(
        False,
        description="The editor confirms the verdict holds although a cited "
        "excerpt was not found on its captured page (otherwise 400).",
    )


class SourceIn(_In):
    url: str = Field(max_length=MAX_URL, pattern=HTTP_URL, min_length=1)
    title: str = Field(max_length=MAX_TITLE, pattern=SOME_TEXT)
    publisher: str = Field("", max_length=MAX_PUBLISHER, pattern=NO_NUL)
    excerpt: str = Field("", max_length=MAX_EXCERPT, pattern=NO_NUL)
    accessed_on: date | None = Field(None, description="Defaults to today.")


class NoteIn(_In):
    body: str = Field(
        max_length=MAX_NOTE, pattern=SOME_TEXT, description="Internal; Markdown."
    )


class VerdictIn(_In):
    rating: str | None = Field(
        None,
        max_length=60,
        pattern=r"^[-a-zA-Z0-9_]+$",
        description="An active rating's slug; null for none yet.",
    )
    rationale: str = Field(
        "", max_length=MAX_RATIONALE, pattern=NO_NUL, description="Public; Markdown."
    )
    version: int = _version(True)


class SubmitIn(_In):
    rating: str | None = Field(
        None,
        max_length=60,
        pattern=r"^[-a-zA-Z0-9_]+$",
        description="Omit to submit the saved draft's rating.",
    )
    rationale: str | None = Field(
        None,
        max_length=MAX_RATIONALE,
        pattern=NO_NUL,
        description="Omit to submit the saved draft's rationale.",
    )
    version: int = _version(True)


class ReturnIn(_In):
    comment: str = Field(
        max_length=MAX_DECISION,
        pattern=NO_NUL,
        description="What the reviewer should change (required by the desk).",
    )
    version: int | None = _version(False)


class PublishIn(_In):
    correction_note: str = Field(
        "",
        max_length=MAX_CORRECTION_NOTE,
        pattern=NO_NUL,
        description="Required when the article was published before.",
    )
    expected_version: int | None = Field(
        None,
        ge=0,
        le=MAX_VERSION,
        description="The publication version the client saw (0: never "
        "published); another publish meanwhile answers 409.",
    )


class VerdictOut(Schema):
    state: str
    rating: str | None = Field(description="The rating's slug")
    rationale: str
    submitted_by: str | None


class ClaimWorkOut(ClaimDetailOut):
    verdict: VerdictOut | None = Field(None, description="The current verdict, if any")

    @staticmethod
    def resolve_verdict(claim: Claim) -> dict[str, Any] | None:
        verdict = workflow.current_verdict(claim)
        if verdict is None:
            return None
        submitter = verdict.submitted_by
        return {
            "state": verdict.state,
            "rating": verdict.rating.slug if verdict.rating_id else None,
            "rationale": verdict.rationale,
            "submitted_by": submitter.get_username() if submitter else None,
        }


class SourceCreatedOut(Schema):
    id: int
    url: str
    title: str
    publisher: str
    excerpt: str
    accessed_on: date
    claim: ClaimWorkOut


class NoteCreatedOut(Schema):
    id: int
    body: str
    claim: ClaimWorkOut


class PublicationOut(Schema):
    version: int
    published_at: str
    url: str = Field(description="The public summary page")


class ClaimPage(Schema):
    items: list[ClaimDetailOut]
    next: str | None = Field(
        description="The cursor of the next page (pass it as ``cursor``); null "
        "at the end"
    )


class ClaimFilter(Schema):
    """The queue's filters. ``status`` defaults to the claims that need work."""

    status: ClaimState | None = None
    article: int | None = Field(None, ge=1, le=INT64_MAX)
    kind: ClaimKind | None = None
    assignee: str | None = Field(
        None,
        max_length=150,
        pattern=r"^[\w.@+-]+$",
        description="``me``, ``nobody`` or a user name",
    )
    overdue: bool = Field(
        False, description="Past the claim's due time, or its article's"
    )
    cursor: str = Field("", max_length=MAX_CURSOR, pattern=NO_NUL)


# --- Helpers ------------------------------------------------------------------------


def _claim(pk: int) -> Claim:
    claim = Claim.objects.select_related("article", "assignee").filter(pk=pk).first()
    if claim is None:
        raise Http404("No such claim.")
    return claim


def _work_out(pk: int) -> Claim:
    """The claim as it is now (re-read after the write), for ``ClaimWorkOut``."""
    return _claim(pk)


def _rating(slug: str | None) -> Rating | None:
    """The active rating ``slug`` names; a 422 (by raising) if there is none."""
    if slug is None:
        return None
    found = Rating.objects.filter(slug=slug, active=True).first()
    if found is None:
        raise _Unprocessable("rating", "No active rating has this slug.")
    return found


class _Unprocessable(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _overdue(now) -> Q:
    """As the queue's filter: past the claim's due time or, without one, its
    article's (a subquery of the few late articles, not a join)."""
    late = Article.objects.filter(due_at__lt=now).values("pk")
    return Q(due_at__lt=now) | Q(due_at__isnull=True, article__in=late)


# --- The queue ----------------------------------------------------------------------


@router.get(
    "/claims",
    url_name="api-claim-list",
    response={200: ClaimPage, **_errors(403)},
    summary="Claims in the queue's priority order, with its filters",
    description="Highest score first, then oldest. ``cursor`` pages on (the "
    "``next`` of the previous page); a damaged or foreign cursor is a 400.",
)
def claim_list(request: HttpRequest, filters: Query[ClaimFilter]):
    _require(request, VIEW)
    user = request.auth.user
    rows = Claim.objects.select_related("assignee")
    rows = (
        rows.filter(state=filters.status)
        if filters.status
        else rows.filter(state__in=NEEDS_WORK)
    )
    if filters.article:
        rows = rows.filter(article_id=filters.article)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.assignee == "me":
        rows = rows.filter(assignee=user)
    elif filters.assignee == "nobody":
        rows = rows.filter(assignee__isnull=True)
    elif filters.assignee:
        rows = rows.filter(assignee__username=filters.assignee)
    if filters.overdue:
        rows = rows.filter(_overdue(timezone.now()))
    items, following = _page_of(
        rows.order_by("-score", "created_at", "pk"), cursor=filters.cursor
    )
    return {"items": items, "next": following}


# --- Working on a claim (reviewers) ---------------------------------------------------


def _move(request: HttpRequest, pk: int, payload: VersionIn | None, write) -> Claim:
    """Take or release: the reviewer's write with the optional version check."""
    _require(request, REVIEW)
    claim = _claim(pk)
    version = payload.version if payload else None
    write(claim, actor=request.auth.user, expected_version=version)
    return _work_out(pk)


@router.post(
    "/claims/{int:pk}/take",
    url_name="api-claim-take",
    response={200: ClaimWorkOut, **WRITE_ERRORS},
    summary="Take an open claim: it becomes yours, in progress",
)
def claim_take(
    request: HttpRequest, pk: int = PK, payload: VersionIn | None = OPTIONAL_BODY
):
    return _move(request, pk, payload, workflow.take_claim)


@router.post(
    "/claims/{int:pk}/release",
    url_name="api-claim-release",
    response={200: ClaimWorkOut, **WRITE_ERRORS},
    summary="Give the claim back to the queue",
)
def claim_release(
    request: HttpRequest, pk: int = PK, payload: VersionIn | None = OPTIONAL_BODY
):
    return _move(request, pk, payload, workflow.release_claim)


@router.post(
    "/claims/{int:pk}/sources",
    url_name="api-source-add",
    response={201: SourceCreatedOut, **WRITE_ERRORS},
    summary="Attach a source (evidence) to a claim you work on",
)
def source_add(request: HttpRequest, payload: SourceIn, pk: int = PK):
    _require(request, REVIEW)
    claim = _claim(pk)
    source = workflow.add_source(claim, actor=request.auth.user, **payload.dict())
    return Status(
        201,
        {
            "id": source.pk,
            "url": source.url,
            "title": source.title,
            "publisher": source.publisher,
            "excerpt": source.excerpt,
            "accessed_on": source.accessed_on,
            "claim": _work_out(pk),
        },
    )


@router.post(
    "/claims/{int:pk}/notes",
    url_name="api-note-add",
    response={201: NoteCreatedOut, **WRITE_ERRORS},
    summary="Add an internal note to a claim",
)
def note_add(request: HttpRequest, payload: NoteIn, pk: int = PK):
    _require(request, REVIEW)
    claim = _claim(pk)
    note = workflow.add_note(claim, actor=request.auth.user, body=payload.body)
    return Status(201, {"id": note.pk, "body": note.body, "claim": _work_out(pk)})


@router.put(
    "/claims/{int:pk}/verdict",
    url_name="api-verdict-save",
    response={200: ClaimWorkOut, **WRITE_ERRORS},
    summary="Save the verdict draft (rating and rationale) without submitting it",
)
def verdict_save(request: HttpRequest, payload: VerdictIn, pk: int = PK):
    _require(request, REVIEW)
    claim = _claim(pk)
    workflow.save_verdict_draft(
        claim,
        actor=request.auth.user,
        rating=_rating(payload.rating),
        rationale=payload.rationale,
        expected_version=payload.version,
    )
    return _work_out(pk)


@router.post(
    "/claims/{int:pk}/verdict/submit",
    url_name="api-verdict-submit",
    response={200: ClaimWorkOut, **WRITE_ERRORS},
    summary="Submit the verdict for an editor's approval",
    description="Needs a rating, a rationale and, unless the rating needs none, a "
    "source (400 ``invalid`` otherwise).",
)
def verdict_submit(request: HttpRequest, payload: SubmitIn, pk: int = PK):
    _require(request, REVIEW)
    claim = _claim(pk)
    workflow.submit_verdict(
        claim,
        actor=request.auth.user,
        rating=_rating(payload.rating),
        rationale=payload.rationale,
        expected_version=payload.version,
    )
    return _work_out(pk)


# --- Decisions (editors) ------------------------------------------------------------


@router.post(
    "/claims/{int:pk}/approve",
    url_name="api-claim-approve",
    response={200: ClaimWorkOut, **WRITE_ERRORS},
    summary="Approve the submitted verdict (editors; never your own: 403)",
    description="Some ratings need a second editor's approval: the claim stays "
    "submitted until it has it.",
)
def claim_approve(
    request: HttpRequest, pk: int = PK, payload: ApproveIn | None = OPTIONAL_BODY
):
    _require(request, APPROVE)
    claim = _claim(pk)
    workflow.approve_verdict(
        claim,
        actor=request.auth.user,
        expected_version=payload.version if payload else None,
        confirm_excerpts=bool(payload and payload.confirm_excerpts),
    )
    return _work_out(pk)


@router.post(
    "/claims/{int:pk}/return",
    url_name="api-claim-return",
    response={200: ClaimWorkOut, **WRITE_ERRORS},
    summary="Return the submitted verdict to its reviewer with a comment (editors)",
)
def claim_return(request: HttpRequest, payload: ReturnIn, pk: int = PK):
    _require(request, APPROVE)
    claim = _claim(pk)
    workflow.return_verdict(
        claim,
        actor=request.auth.user,
        comment=payload.comment,
        expected_version=payload.version,
    )
    return _work_out(pk)


@router.post(
    "/articles/{int:pk}/publish",
    url_name="api-article-publish",
    response={200: PublicationOut, **WRITE_ERRORS},
    summary="Publish the article's approved verdicts as its next public version",
)
def article_publish(
    request: HttpRequest, pk: int = PK, payload: PublishIn | None = OPTIONAL_BODY
):
    _require(request, PUBLISH)
    article = Article.objects.filter(pk=pk).first()
    if article is None:
        raise Http404("No such article.")
    payload = payload or PublishIn()
    publication = workflow.publish_article(
        article,
        actor=request.auth.user,
        correction_note=payload.correction_note,
        expected_version=payload.expected_version,
    )
    slug = publication.payload["article"]["slug"]
    return {
        "version": publication.version,
        "published_at": publication.payload["published_at"],
        "url": request.build_absolute_uri(reverse("public-summary", args=[slug])),
    }


def register(api) -> None:
    """Mount the router and its one extra refusal on ``api``."""

    @api.exception_handler(_Unprocessable)
    def _unprocessable(request: HttpRequest, exc: _Unprocessable):
        return _error(
            request,
            422,
            f"{exc.field}: {exc.message}",
            fields={exc.field: [exc.message]},
        )

    api.add_router("", router)
