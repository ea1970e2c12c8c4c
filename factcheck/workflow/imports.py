"""The archive of fact-checks published elsewhere: imports, each run one audit event.

Invariants:
- An item's ``key`` (publisher, URL or archive id, claim text: see
  ``claimreview_import.key_for``) is its identity: importing it again updates the
  row (rating, title, date...), never adds a copy; rows are never deleted here
  (matches point at them).
- ``vector`` is ``matching.embed([claim_text], [title])``, what
  ``checked_before._build`` reads back for imported rows; it is computed whenever
  a row is written.
- A run is all or nothing: one transaction, one ``factchecks.imported`` event with
  the counts and the file name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction

from .. import audit, matching
from ..audit import AuditAction
from ..claimreview_import import (
    CLAIM_MAX,
    CLAIMANT_MAX,
    PUBLISHER_MAX,
    RATING_MAX,
    TITLE_MAX,
    URL_MAX,
)
from ..models import ImportedFactCheck, User
from .rules import ensure

FIELDS = (
    "publisher",
    "url",
    "claim_text",
    "title",
    "claimant",
    "rating",
    "reviewed_on",
)
LIMITS = {
    "publisher": PUBLISHER_MAX,
    "url": URL_MAX,
    "claim_text": CLAIM_MAX,
    "title": TITLE_MAX,
    "claimant": CLAIMANT_MAX,
    "rating": RATING_MAX,
}
BATCH = 500  # rows encoded and written at a time (and the progress step)
_KEY = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ImportResult:
    new: int
    updated: int
    unchanged: int
    skipped: int

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


def _row(item: Any, n: int) -> dict[str, Any]:
    """The stored fields of one item (a mapping or a dataclass), checked."""
    data = asdict(item) if is_dataclass(item) else item
    if not isinstance(data, Mapping):
        raise ValidationError(f"Item {n} is not a mapping.")
    row = {name: data.get(name) for name in ("key", *FIELDS)}
    for name in LIMITS:
        row[name] = row[name] or ""
        if not isinstance(row[name], str) or len(row[name]) > LIMITS[name]:
            raise ValidationError(
                f"Item {n}: {name} must be text of at most {LIMITS[name]:,} characters."
            )
    if not isinstance(row["key"], str) or not _KEY.match(row["key"]):
        raise ValidationError(f"Item {n}: key must be a SHA-256 hex digest.")
    if not row["claim_text"].strip() or not row["publisher"].strip():
        raise ValidationError(f"Item {n}: a claim text and a publisher are required.")
    if row["reviewed_on"] is not None and not isinstance(row["reviewed_on"], date):
        raise ValidationError(f"Item {n}: reviewed_on must be a date or None.")
    return row


def _batches(rows: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def import_fact_checks(
    items: Iterable[Any],
    *,
    actor: User,
    source: str = "",
    skipped: int = 0,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Add or update imported fact-checks by key; one audit event for the run.

    ``items``: parsed, valid items (``claimreview_import.ImportItem`` or mappings
    with its fields). ``source``: the file name, for the audit trail; ``skipped``:
    how many items the parser left out, recorded with the counts. ``progress`` is
    called with the number of items handled after each batch.
    """
    ensure(actor, "factchecks.import", None)
    rows = [_row(item, n) for n, item in enumerate(items, start=1)]
    if not rows:
        raise ValidationError("Nothing to import.")
    if len({row["key"] for row in rows}) != len(rows):
        raise ValidationError("The same item (key) is listed twice.")
    report = progress or (lambda n: None)
    with transaction.atomic():
        stored: dict[str, dict[str, Any]] = {}
        for batch in _batches([row["key"] for row in rows]):
            for found in ImportedFactCheck.objects.filter(key__in=batch).values(
                "key", *FIELDS
            ):
                stored[found["key"]] = found
        new = [row for row in rows if row["key"] not in stored]
        changed = [
            row
            for row in rows
            if row["key"] in stored
            and any(stored[row["key"]][f] != row[f] for f in FIELDS)
        ]
        unchanged = len(rows) - len(new) - len(changed)
        report(unchanged)
        for batch in _batches(new + changed):
            vectors = matching.embed(
                [row["claim_text"] for row in batch], [row["title"] for row in batch]
            )
            ImportedFactCheck.objects.bulk_create(
                [
                    ImportedFactCheck(
                        **row, vector=np.asarray(vector, np.float32).tobytes()
                    )
                    for row, vector in zip(batch, vectors, strict=True)
                ],
                update_conflicts=True,
                unique_fields=["key"],
                # imported_at moves on a change, so every process's
                # "checked before?" index sees updated items too.
                update_fields=[*FIELDS, "vector", "imported_at"],
            )
            report(len(batch))
        result = ImportResult(len(new), len(changed), unchanged, skipped)
        audit.record(
            actor,
            AuditAction.FACTCHECKS_IMPORTED,
            summary=(
                f"{source or 'fact-checks'}: {result.new} new, {result.updated} "
                f"updated, {result.unchanged} unchanged, {skipped} skipped"
            ),
            data={
                "file": source,
                "new": result.new,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped": skipped,
                "publishers": sorted({row["publisher"] for row in rows})[:20],
            },
        )
    return result
