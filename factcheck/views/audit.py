"""The audit log for editors and admins: filter, paginate, export as streamed CSV.

Invariants: read-only; the page runs a constant number of queries whatever the size
of the trail (no joins per row) and never counts or skips over it: pages are keyset
windows on ``(at, pk)`` (``pagination.keyset``), each one index range however old;
the export streams plain tuples (``values_list`` + ``iterator``), so memory stays
flat for a million rows.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.contrib.auth.decorators import permission_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import audit, pagination, timelines
from ..audit import AuditAction
from ..forms.audit import AuditFilterForm

PAGE_SIZE = 50
VIEW_AUDIT = "factcheck.view_auditevent"
CHUNK = 2000
HEADER = [
    "id", "at", "actor", "action", "description", "article_id", "claim_id",
    "subject_user_id", "summary", "data", "request_id", "prev_hash", "hash",
]  # fmt: skip
_LABELS = dict(AuditAction.choices)
# A cell starting with one of these is a formula to a spreadsheet: neutralise it.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@require_GET
@permission_required(VIEW_AUDIT, raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = timelines.search(**form.filters())
    page = pagination.keyset(events, request.GET, per_page=PAGE_SIZE)
    query = request.GET.copy()
    for name in pagination.PAGE_PARAMS:
        query.pop(name, None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "head": audit.head(),  # the anchor to keep outside the desk
    }
    return render(request, "factcheck/audit_log.html", context)


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def _safe(value) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _rows(events) -> Iterator[list]:
    yield HEADER
    fields = timelines.EXPORT_FIELDS
    for values in events.values_list(*fields).iterator(chunk_size=CHUNK):
        row = dict(zip(fields, values, strict=True))
        data = json.dumps(row["data"], cls=DjangoJSONEncoder, sort_keys=True)
        yield [
            _safe(v)
            for v in (
                row["pk"], row["at"].isoformat(), row["actor_label"], row["action"],
                _LABELS.get(row["action"], row["action"]), row["article_id"],
                row["claim_id"], row["subject_user_id"], row["summary"], data,
                row["request_id"], row["prev_hash"], row["hash"],
            )
        ]  # fmt: skip


@require_GET
@permission_required(VIEW_AUDIT, raise_exception=True)
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = timelines.search(**form.filters())
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _rows(events)), content_type="text/csv"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
