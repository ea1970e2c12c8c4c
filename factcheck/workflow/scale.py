"""The verdict scale: admins add ratings and change them; each change is audited.

Invariants (existing verdicts keep their meaning):
- Ratings are never deleted (verdicts point at them with PROTECT); one that is no
  longer wanted is deactivated, so old verdicts still show it but new ones can't use it.
- A rating's slug is fixed at creation: badges, stylesheets and published snapshots
  refer to it.
- The ClaimReview numeric ``value`` of a rating that an approved verdict already uses
  does not change: that verdict was decided (and may be published) on that scale
  value. Add a new rating and deactivate the old one instead.
- At least one rating stays active, so a verdict can always be submitted.
- A verdict rating (``is_verdict``: published with ClaimReview) always needs a
  source; the database refuses the combination too (``rating_verdict_needs_source``),
  and ``_verdict_needs_source`` turns it into a clear message first.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from .. import audit, organisation, ratingstyles
from ..audit import AuditAction
from ..models import Rating, User, Verdict, VerdictState
from .rules import ensure

FIELDS = (
    "label",
    "description",
    "colour",
    "order",
    "value",
    "requires_source",
    "is_verdict",
    "required_approvals",
    "active",
)
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_LABEL = 60
MAX_DESCRIPTION = 2000


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate the given fields (a subset of FIELDS) and normalise them."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError(f"Unknown rating fields: {', '.join(sorted(unknown))}.")
    clean = dict(fields)
    problems = []
    if "label" in clean:
        clean["label"] = " ".join(str(clean["label"] or "").split())
        if not clean["label"] or not slugify(clean["label"]):
            problems.append("A rating needs a label with letters or digits.")
        elif len(clean["label"]) > MAX_LABEL:
            problems.append(f"The label is limited to {MAX_LABEL} characters.")
    if "description" in clean:
        clean["description"] = str(clean["description"] or "").strip()
        if len(clean["description"]) > MAX_DESCRIPTION:
            problems.append(
                f"The description is limited to {MAX_DESCRIPTION:,} characters."
            )
    if "colour" in clean:
        colour = str(clean["colour"] or "").strip()
        if not COLOUR.match(colour):
            problems.append("The colour must look like #1d3557.")
        clean["colour"] = colour.lower()
    if "order" in clean and not (
        isinstance(clean["order"], int) and 0 <= clean["order"] <= 1000
    ):
        problems.append("The order must be a whole number from 0 to 1000.")
    if "value" in clean and clean["value"] is not None:
        if not (isinstance(clean["value"], int) and 1 <= clean["value"] <= 5):
            problems.append("The numeric value must be 1 (worst) to 5 (best), or none.")
    if "required_approvals" in clean and not (
        isinstance(clean["required_approvals"], int)
        and 1 <= clean["required_approvals"] <= 5
    ):
        problems.append("Required approvals must be 1 to 5.")
    for flag in ("requires_source", "is_verdict", "active"):
        if flag in clean:
            clean[flag] = bool(clean[flag])
    if problems:
        raise ValidationError(problems)
    return clean


VERDICT_NEEDS_SOURCE = (
    "A verdict published with ClaimReview must cite a source: tick “needs a source”, "
    "or untick “verdict on a factual claim” (e.g. for “Not a factual claim”)."
)


def _verdict_needs_source(is_verdict: bool, requires_source: bool) -> None:
    if is_verdict and not requires_source:
        raise ValidationError(VERDICT_NEEDS_SOURCE)


def _label_taken(label: str, exclude_pk: int | None = None) -> bool:
    return Rating.objects.filter(label__iexact=label).exclude(pk=exclude_pk).exists()


def _unique_slug(label: str) -> str:
    base = slugify(label)[:50]
    slug, n = base, 2
    while Rating.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _snapshot(rating: Rating) -> dict[str, Any]:
    return {name: getattr(rating, name) for name in FIELDS}


def _forget_css() -> None:
    # After commit, so no process rebuilds the stylesheet from uncommitted data.
    transaction.on_commit(ratingstyles.forget)
    # The public ratings page lists the scale.
    transaction.on_commit(organisation.forget)


def create_rating(*, actor: User | None, **fields: Any) -> Rating:
    """Add a rating to the scale (label and colour required; slug from the label)."""
    if actor is not None:
        ensure(actor, "rating.create", None)
    fields = _clean(fields)
    if not fields.get("label") or not fields.get("colour"):
        raise ValidationError("A rating needs a label and a colour.")
    _verdict_needs_source(
        fields.get("is_verdict", True), fields.get("requires_source", True)
    )
    with transaction.atomic():
        if _label_taken(fields["label"]):
            raise ValidationError(f"There is already a rating “{fields['label']}”.")
        if "order" not in fields:
            last = Rating.objects.order_by("-order").values_list("order", flat=True)
            fields["order"] = (last.first() or 0) + 1
        rating = Rating(slug=_unique_slug(fields["label"]), **fields)
        rating.save()
        audit.record(
            actor,
            AuditAction.RATING_CREATED,
            summary=rating.label,
            data={"rating": rating.slug, "after": _snapshot(rating)},
        )
        _forget_css()
    return rating


def update_rating(rating: Rating | int, *, actor: User | None, **fields: Any) -> Rating:
    """Change a rating; audits the changed fields before/after (no change, no event)."""
    fields = _clean(fields)
    with transaction.atomic():
        pk = rating.pk if isinstance(rating, Rating) else rating
        rating = Rating.objects.select_for_update().get(pk=pk)
        if actor is not None:
            ensure(actor, "rating.edit", rating)
        changed = {k: v for k, v in fields.items() if getattr(rating, k) != v}
        if not changed:
            return rating
        _verdict_needs_source(
            changed.get("is_verdict", rating.is_verdict),
            changed.get("requires_source", rating.requires_source),
        )
        if "label" in changed and _label_taken(changed["label"], rating.pk):
            raise ValidationError(f"There is already a rating “{changed['label']}”.")
        if "value" in changed:
            used = Verdict.objects.filter(
                rating=rating, state=VerdictState.APPROVED
            ).count()
            if used:
                raise ValidationError(
                    f"“{rating.label}” is the rating of {used} approved "
                    f"verdict{'s' if used != 1 else ''}, so its numeric value cannot "
                    "change: add a new rating and deactivate this one instead."
                )
        if changed.get("active") is False and not (
            Rating.objects.filter(active=True).exclude(pk=rating.pk).exists()
        ):
            raise ValidationError("At least one rating must stay active.")
        before = {k: getattr(rating, k) for k in changed}
        for name, value in changed.items():
            setattr(rating, name, value)
        rating.save(update_fields=list(changed))
        audit.record(
            actor,
            AuditAction.RATING_CHANGED,
            summary=rating.label,
            data={"rating": rating.slug, "before": before, "after": changed},
        )
        _forget_css()
    return rating
