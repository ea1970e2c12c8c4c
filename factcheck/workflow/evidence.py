"""What the desk found when it fetched a source: the capture result, audited.

Invariants:
- A snapshot is written only here, by the system (the capture task), never by a
  person; each is one row and one ``source.captured`` event in one transaction.
- Snapshots are never changed or deleted: a later fetch adds a row.
- A source removed before its capture finished gets no snapshot.
- A verdict with a live source whose newest capture did not find its excerpt is
  approved only with the editor's explicit confirmation (``approve_verdict``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import OuterRef, Subquery

from .. import audit
from ..audit import AuditAction
from ..models import ExcerptStatus, Source, SourceSnapshot

if TYPE_CHECKING:
    from ..capture import Capture


def record_capture(source_id: int, capture: Capture) -> SourceSnapshot | None:
    """Store one fetch of a source with its excerpt check (system actor)."""
    from ..capture import check_excerpt

    with transaction.atomic():
        source = (
            Source.objects.select_for_update()
            .select_related("claim__article")
            .filter(pk=source_id, removed_at__isnull=True)
            .first()
        )
        if source is None:
            return None
        status, score = check_excerpt(
            source.excerpt, None if capture.error else capture.text
        )
        snapshot = SourceSnapshot.objects.create(
            source=source,
            fetched_at=capture.fetched_at,
            url=capture.url,
            final_url=capture.final_url[:2000],
            status_code=capture.status_code,
            content_type=capture.content_type[:100],
            sha256=capture.sha256,
            size=capture.size,
            text=capture.text,
            error=capture.error[:500],
            excerpt_status=status,
            excerpt_score=score,
        )
        audit.record(
            None,
            AuditAction.SOURCE_CAPTURED,
            claim=source.claim,
            data={
                "source": source.pk,
                "snapshot": snapshot.pk,
                "url": capture.url,
                "final_url": capture.final_url,
                "status_code": capture.status_code,
                "sha256": capture.sha256,
                "excerpt": str(status),
                "error": capture.error,
            },
        )
    return snapshot


def unverified_sources(claim) -> list[Source]:
    """The claim's live sources whose newest capture did not find their excerpt."""
    newest = (
        SourceSnapshot.objects.filter(source=OuterRef("pk"))
        .order_by("-fetched_at", "-pk")
        .values("excerpt_status")[:1]
    )
    return list(
        Source.objects.filter(claim=claim, removed_at__isnull=True)
        .annotate(newest_excerpt=Subquery(newest))
        .filter(newest_excerpt=ExcerptStatus.NOT_FOUND)
        .only("pk", "title", "url")
    )
