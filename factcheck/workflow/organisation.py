"""The publisher and the public transparency pages: admins edit them; each change is
audited.

Invariants:
- There is at most one publisher row (pk 1); the first save creates it. Until then
  the settings stand in (``factcheck.organisation.publisher``).
- A publisher has a name and an http(s) URL; its logo, if any, is an http(s) URL.
- A transparency page is one of ``PublicPageKind``. Its body is Markdown of at most
  ``MAX_BODY`` characters, stored as typed and sanitised only when rendered
  (``rendering.render_markdown``), so hostile HTML is kept as text, never run.
- A form drawn before someone else saved is refused (``Conflict``): its version is
  the row's ``updated_at`` (``version_of``), "" for a row not saved yet.
- No change, no event. After a change commits, the cached publisher and the stamps
  of the public pages that show it are forgotten.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from .. import audit, organisation
from ..audit import AuditAction
from ..models import PublicPage, PublicPageKind, Publisher, User
from .rules import Conflict, ensure

MAX_NAME = 200
MAX_URL = 500
MAX_TITLE = 200
MAX_BODY = 50_000
# Control characters other than tab and newlines: invisible, and some (NUL) are not
# storable in PostgreSQL text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_http_url = URLValidator(schemes=["http", "https"])


def version_of(row: Publisher | PublicPage | None) -> str:
    """The version a form carries: the row's last save, "" before the first one."""
    if row is None or row.updated_at is None:
        return ""
    return row.updated_at.isoformat()


def _line(value: Any, label: str, limit: int) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise ValidationError(f"The {label} cannot be empty.")
    if len(text) > limit:
        raise ValidationError(f"The {label} is limited to {limit:,} characters.")
    if _CONTROL.search(text):
        raise ValidationError(f"The {label} contains control characters.")
    return text


def _url(value: Any, label: str, *, required: bool) -> str:
    url = str(value or "").strip()
    if not url:
        if required:
            raise ValidationError(f"The {label} cannot be empty.")
        return ""
    if len(url) > MAX_URL:
        raise ValidationError(f"The {label} is limited to {MAX_URL} characters.")
    try:
        _http_url(url)
    except ValidationError:
        raise ValidationError(
            f"The {label} must be a full web address starting with https:// "
            "(or http://)."
        ) from None
    return url


def _body(value: Any) -> str:
    body = str(value or "").replace("\r\n", "\n").strip()
    if len(body) > MAX_BODY:
        raise ValidationError(
            f"The page is limited to {MAX_BODY:,} characters; this one has "
            f"{len(body):,}."
        )
    if _CONTROL.search(body):
        raise ValidationError("The page contains control characters.")
    return body


def _ensure_fresh(row, expected_version: str | None, what: str) -> None:
    if expected_version is not None and str(expected_version) != version_of(row):
        raise Conflict(
            f"Someone else saved {what} while you were editing it. The current "
            "version is shown; your text is kept in the form.",
            current=row,
        )


def _changes(row, fields: dict[str, Any]) -> tuple[dict, dict]:
    """(before, after) of the fields that differ from ``row`` (all when no row)."""
    if row is None:
        return {}, dict(fields)
    after = {k: v for k, v in fields.items() if getattr(row, k) != v}
    return {k: getattr(row, k) for k in after}, after


def update_publisher(
    *,
    actor: User,
    name: str,
    url: str,
    logo_url: str = "",
    expected_version: str | None = None,
) -> Publisher:
    """Set the publisher named in every ClaimReview and on the public pages.

    The first save creates the row (the settings stood in until then); its audit
    event's ``before`` is then empty.
    """
    ensure(actor, "publisher.edit", None)
    fields = {
        "name": _line(name, "publisher's name", MAX_NAME),
        "url": _url(url, "publisher's URL", required=True),
        "logo_url": _url(logo_url, "logo URL", required=False),
    }
    with transaction.atomic():
        row = Publisher.objects.select_for_update().filter(pk=1).first()
        _ensure_fresh(row, expected_version, "the publisher")
        before, after = _changes(row, fields)
        if not after:
            return row
        if row is None:
            row = Publisher(pk=1, updated_by=actor, **fields)
            row.save()
        else:
            for field, value in after.items():
                setattr(row, field, value)
            row.updated_by = actor
            row.save(update_fields=[*after, "updated_by", "updated_at"])
        audit.record(
            actor,
            AuditAction.PUBLISHER_CHANGED,
            summary=row.name,
            data={"before": before, "after": after},
        )
        transaction.on_commit(organisation.forget)
    return row


def update_public_page(
    kind: str,
    *,
    actor: User,
    title: str,
    body: str,
    expected_version: str | None = None,
) -> PublicPage:
    """Change a transparency page's title and Markdown body."""
    ensure(actor, "public_page.edit", None)
    if kind not in PublicPageKind.values:
        raise ValidationError("There is no such public page.")
    fields = {"title": _line(title, "title", MAX_TITLE), "body": _body(body)}
    with transaction.atomic():
        page = PublicPage.objects.select_for_update().filter(kind=kind).first()
        _ensure_fresh(page, expected_version, "this page")
        before, after = _changes(page, fields)
        if not after:
            return page
        if page is None:
            page = PublicPage(kind=kind, updated_by=actor, **fields)
            page.save()
        else:
            for field, value in after.items():
                setattr(page, field, value)
            page.updated_by = actor
            page.save(update_fields=[*after, "updated_by", "updated_at"])
        audit.record(
            actor,
            AuditAction.PUBLIC_PAGE_CHANGED,
            summary=page.title,
            data={"page": kind, "before": before, "after": after},
        )
        transaction.on_commit(organisation.forget)
    return page
