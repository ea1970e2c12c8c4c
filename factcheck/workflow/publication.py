"""Publishing: versioned snapshots, corrections, unpublishing, readers' error reports.

Invariants:
- a ``Publication`` is written once and never changed; version n+1 follows n;
- publishing needs every claim approved or dismissed and at least one approved
  (``rules.ACTIONS["article.publish"]``); version 2 and later need a public
  correction note, and record per claim what changed since the previous version;
- each snapshot carries the whole public correction history, so public pages read
  only the latest snapshot;
- a claim gets its public number (``Claim.public_number``, its URL) the first time
  it is published; the number never moves to another claim nor is reused;
- a reader's error report is stored for the editors and publishes nothing; the
  reader's address is kept only as a salted hash, for the hourly rate limit;
- a preview runs the publish's own steps and is always rolled back: it stores
  nothing (not even provisional claim numbers) and audits nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from .. import audit, webhooks
from ..audit import AuditAction
from ..models import (
    Article,
    ArticleState,
    ClaimState,
    ErrorReport,
    ErrorReportState,
    Publication,
    User,
)
from ..publishing import (
    assign_public_numbers,
    build_summary,
    comparable,
    diff_summaries,
)
from .base import lock_article
from .rules import Conflict, InvalidTransition, Refusal, check, ensure

MAX_CORRECTION_NOTE = 2_000
MAX_REASON = 2_000
MAX_REPORT_TEXT = 5_000
MAX_RESPONSE = 5_000


def _limited(text: str | None, limit: int, what: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise ValidationError(f"The {what} is limited to {limit:,} characters.")
    return text


def latest_publication(article: Article) -> Publication | None:
    return article.publications.order_by("-version").first()


def _with_history(
    summary: dict, previous: Publication | None, *, article: Article, note: str, now
) -> dict:
    """Add version data, per-claim first publication dates and the correction log.

    Claims are compared on their stable ``ref`` (their permanent public number).
    """
    prev_payload = comparable(previous.payload if previous else None, article)
    version = previous.version + 1 if previous else 1
    changes = diff_summaries(prev_payload, summary)
    first_seen = {
        c["ref"]: c.get("first_published_at")
        for c in (prev_payload or {}).get("claims", [])
    }
    for claim in summary["claims"]:
        claim["first_published_at"] = first_seen.get(claim["ref"]) or now.isoformat()
    history = list((prev_payload or {}).get("history", []))
    history.append(
        {
            "version": version,
            "published_at": now.isoformat(),
            "note": note,
            "changes": changes,
        }
    )
    summary.update(
        version=version,
        published_at=now.isoformat(),
        first_published_at=(prev_payload or {}).get("first_published_at")
        or now.isoformat(),
        correction_note=note,
        changes=changes,
        history=history,
    )
    return summary


def ensure_texts_confirmed(article: Article) -> None:
    """Refuse while an approved claim's sentence changed in a newer version of the
    article and no editor has confirmed its verdict still holds (or reopened it)."""
    flagged = list(
        article.claims.filter(text_changed=True, state=ClaimState.APPROVED)
        .order_by("position")
        .values_list("position", flat=True)
    )
    if flagged:
        numbers = ", ".join(f"#{n}" for n in flagged)
        raise InvalidTransition(
            f"The text of approved claim{'s' if len(flagged) > 1 else ''} {numbers} "
            "changed since review: an editor must confirm the verdict still holds, "
            "or reopen the claim, before publishing."
        )


def publish_article(
    article: Article | int,
    *,
    actor: User,
    correction_note: str = "",
    expected_version: int | None = None,
) -> Publication:
    """Publish the article's approved results as the next immutable version.

    ``expected_version`` is the publication version the editor's form was drawn
    at (0 for never published): a second editor's concurrent publish is refused.
    """
    note = _limited(correction_note, MAX_CORRECTION_NOTE, "correction note")
    with transaction.atomic():
        article = lock_article(article)
        ensure(actor, "article.publish", article)
        ensure_texts_confirmed(article)
        previous = latest_publication(article)
        current = previous.version if previous else 0
        if expected_version is not None and int(expected_version) != current:
            raise Conflict(
                f"Someone else published version {current} meanwhile; "
                "review it before publishing again.",
                current=previous,
            )
        if previous is not None and not note:
            raise ValidationError(
                "A correction needs a public note saying what changed and why."
            )
        now = timezone.now()
        numbered = assign_public_numbers(article, previous)
        payload = _with_history(
            build_summary(article),
            previous,
            article=article,
            note=note if previous else "",
            now=now,
        )
        publication = Publication.objects.create(
            article=article,
            version=payload["version"],
            payload=payload,
            correction_note=payload["correction_note"],
            published_by=actor,
            published_at=now,
        )
        before = article.state
        article.state = ArticleState.PUBLISHED
        article.save(update_fields=["state", "updated_at"])
        webhooks.announce_publication(publication)
        audit.record(
            actor,
            AuditAction.ARTICLE_REPUBLISHED
            if previous
            else AuditAction.ARTICLE_PUBLISHED,
            article=article,
            data={
                "from": before,
                "to": article.state,
                "version": publication.version,
                "claims": payload["total"],
                "correction_note": payload["correction_note"],
                "changes": payload["changes"],
                # Claims given their permanent public number by this publication.
                "numbered": {str(pk): n for pk, n in numbered.items()},
            },
        )
    return publication


class Preview(NamedTuple):
    payload: dict
    refusal: Refusal | None  # why publishing now would be refused, if it would


def preview_publication(article: Article | int, *, actor: User) -> Preview:
    """What publishing ``article`` now would show the public, without publishing.

    Runs the publish's own steps (``assign_public_numbers``, ``build_summary``, the
    version and correction history) inside a transaction that is always rolled
    back, so provisional claim numbers are never stored. It changes nothing, so it
    writes no audit event. Only people who may publish (the role permission of
    ``article.publish``) may look; a state refusal (claims still undecided) is
    returned with the preview instead, so the editor sees what is ready.
    """
    with transaction.atomic():
        article = Article.objects.get(pk=getattr(article, "pk", article))
        refusal = check(actor, "article.publish", article)
        if refusal is not None and refusal.kind == "permission":
            raise PermissionDenied(refusal.message)
        if refusal is None:  # the banner names changed claims awaiting an editor
            try:
                ensure_texts_confirmed(article)
            except InvalidTransition as exc:
                refusal = Refusal("state", str(exc))
        previous = latest_publication(article)
        now = timezone.now()
        assign_public_numbers(article, previous)
        payload = _with_history(
            build_summary(article), previous, article=article, note="", now=now
        )
        transaction.set_rollback(True)
    return Preview(payload, refusal)


def unpublish_article(article: Article | int, *, actor: User, reason: str) -> Article:
    """Take the public pages down (they answer 410 Gone); a reason is required."""
    reason = _limited(reason, MAX_REASON, "reason")
    if not reason:
        raise ValidationError("Say why the fact-check is unpublished.")
    with transaction.atomic():
        article = lock_article(article)
        transition = ensure(actor, "article.unpublish", article)
        before = article.state
        article.state = transition.target
        article.save(update_fields=["state", "updated_at"])
        webhooks.announce_unpublished(article, reason=reason)
        audit.record(
            actor,
            AuditAction.ARTICLE_UNPUBLISHED,
            article=article,
            data={"from": before, "to": article.state, "reason": reason},
        )
    return article


def address_hash(address: str) -> str:
    """A salted SHA-256 of a reader's address; the salt derives from SECRET_KEY."""
    salt = hashlib.sha256(
        f"factcheck.error-report:{settings.SECRET_KEY}".encode()
    ).digest()
    return hmac.new(salt, (address or "").encode(), hashlib.sha256).hexdigest()


def is_rate_limited(hashed_address: str) -> bool:
    """Has this (hashed) address used up its error reports for the last hour?"""
    since = timezone.now() - timedelta(hours=1)
    recent = ErrorReport.objects.filter(
        address_hash=hashed_address, created_at__gte=since
    ).count()
    return recent >= settings.FACTCHECK["ERROR_REPORTS_PER_HOUR"]


def report_error(
    article: Article | int,
    *,
    claim_number: int | None,
    text: str,
    email: str = "",
    address: str,
) -> ErrorReport:
    """A reader reports an error on a published page; stored for the editors only.

    Refused (ValidationError) beyond ``ERROR_REPORTS_PER_HOUR`` from one address.
    """
    text = _limited(text, MAX_REPORT_TEXT, "report")
    if not text:
        raise ValidationError("Describe the error you found.")
    email = (email or "").strip()
    if email:
        validate_email(email)
    hashed = address_hash(address)
    with transaction.atomic():
        article = lock_article(article)
        publication = latest_publication(article)
        if article.state != ArticleState.PUBLISHED or publication is None:
            raise InvalidTransition("This fact-check is not published.")
        numbers = {c["n"] for c in publication.payload.get("claims", [])}
        if claim_number is not None and claim_number not in numbers:
            raise ValidationError("There is no such claim on this page.")
        if is_rate_limited(hashed):
            raise ValidationError(
                "You have sent several reports in the last hour; "
                "please try again later."
            )
        report = ErrorReport.objects.create(
            article=article,
            claim_number=claim_number,
            publication_version=publication.version,
            text=text,
            email=email,
            address_hash=hashed,
        )
        audit.record(
            None,
            AuditAction.ERROR_REPORT_RECEIVED,
            article=article,
            actor_label="reader",
            summary=f"Error report on {article}"[:300],
            data={
                "report": report.pk,
                "claim_number": claim_number,
                "version": publication.version,
            },
        )
    return report


def handle_error_report(
    report: ErrorReport | int, *, actor: User, state: str, response: str = ""
) -> ErrorReport:
    """An editor resolves or rejects a reader's report, with an optional response."""
    if state not in (ErrorReportState.RESOLVED, ErrorReportState.REJECTED):
        raise ValidationError("Choose resolved or rejected.")
    response = _limited(response, MAX_RESPONSE, "response")
    with transaction.atomic():
        pk = report.pk if isinstance(report, ErrorReport) else report
        report = (
            ErrorReport.objects.select_for_update(of=("self",))
            .select_related("article")
            .get(pk=pk)
        )
        ensure(actor, "error_report.handle", report)
        before = report.state
        report.state, report.response = state, response
        report.handled_by, report.handled_at = actor, timezone.now()
        report.save(update_fields=["state", "response", "handled_by", "handled_at"])
        audit.record(
            actor,
            AuditAction.ERROR_REPORT_HANDLED,
            article=report.article,
            data={
                "report": report.pk,
                "from": before,
                "to": state,
                "response": response,
            },
        )
    return report
