"""Who made a claim: the claimants ingestion suggests, and the reviewer's correction.

Invariants:

* a claimant's name is unique case-insensitively (the database says so too), so
  "The Ministry" and "the ministry" are one row; its slug (its public URL) is given
  once, from the name, with a numeric suffix on a collision, and never changes;
* claimant rows are never deleted or renamed here: choosing another name points the
  claim at another claimant (found or created), so other claims keep theirs; kind,
  role and sameAs are the claimant's own details, shared by its claims;
* ``set_claimant`` is a content edit of the claim: it checks and bumps the claim's
  version, and writes one ``claim.claimant_set`` event in the same transaction.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils.text import slugify

from .. import audit, claimants, organisation
from ..audit import AuditAction
from ..models import Claim, Claimant, ClaimantKind, User
from .base import begin, save_claim

MAX_NAME = 200
MAX_ROLE = 200
MAX_SAME_AS = 500
SLUG_MAX = 200  # leaves room for "-<n>" within the field's 220

_http_url = URLValidator(schemes=["http", "https"])
# Control characters and bidi overrides (which can disguise a public name).
_CONTROL = re.compile("[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]")


def _one_line(value: str | None) -> str:
    return " ".join(str(value or "").split())


def _by_name(name: str) -> Claimant | None:
    """The claimant called ``name``, compared as the unique constraint compares."""
    return (
        Claimant.objects.annotate(lower_name=Lower("name"))
        .filter(lower_name=Lower(Value(name)))
        .first()
    )


def _free_slug(name: str) -> str:
    base = slugify(name)[:SLUG_MAX].strip("-") or "claimant"
    taken = set(
        Claimant.objects.filter(slug__startswith=base).values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _get_or_create(
    name: str, kind: str, role: str = "", same_as: str = ""
) -> tuple[Claimant, bool]:
    """The claimant called ``name`` (any case), created when new. Inside atomic()."""
    for _attempt in range(3):
        found = _by_name(name)
        if found is not None:
            return found, False
        try:
            # A savepoint: a concurrent insert of the same name or slug fails this
            # statement only, and the loop reads the winner (or picks a new slug).
            with transaction.atomic():
                created = Claimant.objects.create(
                    name=name,
                    kind=kind,
                    role=role,
                    same_as=same_as,
                    slug=_free_slug(name),
                )
            return created, True
        except IntegrityError:
            continue
    raise ValidationError("The claimant could not be saved; please try again.")


def claimants_for(
    suggestions: list[claimants.Suggestion | None],
) -> list[Claimant | None]:
    """A claimant row per suggestion (found by name or created); call inside atomic().

    Used at ingestion: an existing claimant keeps its details (a reviewer may have
    corrected them); a new one takes the suggested kind and role.
    """
    names = {s.name.lower() for s in suggestions if s is not None}
    # One query for the names already known; the rest are created one by one.
    known = Claimant.objects.annotate(lower_name=Lower("name"))
    rows: dict[str, Claimant] = (
        {c.name.lower(): c for c in known.filter(lower_name__in=names)} if names else {}
    )
    result: list[Claimant | None] = []
    for suggestion in suggestions:
        if suggestion is None:
            result.append(None)
            continue
        key = suggestion.name.lower()
        if key not in rows:
            kind = (
                suggestion.kind
                if suggestion.kind in ClaimantKind.values
                else ClaimantKind.PERSON
            )
            rows[key], _ = _get_or_create(
                suggestion.name[:MAX_NAME], kind, suggestion.role[:MAX_ROLE]
            )
        result.append(rows[key])
    return result


def _describe(claimant: Claimant | None) -> dict[str, Any] | None:
    if claimant is None:
        return None
    return {
        "id": claimant.pk,
        "name": claimant.name,
        "kind": claimant.kind,
        "role": claimant.role,
        "same_as": claimant.same_as,
        "slug": claimant.slug,
    }


def _clean(name: str, kind: str, role: str, same_as: str) -> tuple[str, str, str, str]:
    name, role = _one_line(name), _one_line(role)
    kind, same_as = (kind or "").strip(), (same_as or "").strip()
    problems = []
    if not name:
        problems.append("Give the claimant's name (or clear the claimant).")
    elif _CONTROL.search(name + role):
        problems.append("Names and roles cannot hold control characters.")
    elif not any(ch.isalnum() for ch in name):
        problems.append("A name needs letters.")
    elif len(name) > MAX_NAME:
        problems.append(f"The name is limited to {MAX_NAME} characters.")
    elif name.casefold() == _one_line(organisation.publisher().name).casefold():
        problems.append(
            "The claimant cannot be the fact-checking organisation itself: name "
            "who made the claim."
        )
    if kind and kind not in ClaimantKind.values:
        problems.append("The kind is either a person or an organisation.")
    if len(role) > MAX_ROLE:
        problems.append(f"The role is limited to {MAX_ROLE} characters.")
    if same_as:
        if len(same_as) > MAX_SAME_AS:
            problems.append(f"The sameAs link is limited to {MAX_SAME_AS} characters.")
        else:
            try:
                _http_url(same_as)
            except ValidationError:
                problems.append(
                    "The sameAs link must be an http:// or https:// web address "
                    "(e.g. the claimant's Wikidata or Wikipedia page)."
                )
    if problems:
        raise ValidationError(problems)
    return name, kind or claimants.guess_kind(name), role, same_as


def set_claimant(
    claim: Claim | int,
    *,
    actor: User,
    name: str | None,
    kind: str = "",
    role: str = "",
    same_as: str = "",
    expected_version: int | None = None,
) -> Claim:
    """Say who made the claim (``name`` None clears it): the assignee, a reviewer of
    a free claim, or an editor, while the claim is live.

    The name picks the claimant case-insensitively, creating it when new; ``kind``
    (guessed from the name when empty), ``role`` and ``same_as`` become that
    claimant's details.
    """
    clearing = name is None
    if not clearing:
        name, kind, role, same_as = _clean(name, kind, role, same_as)
    with transaction.atomic():
        claim, _ = begin(claim, actor, "claim.set_claimant", expected_version)
        before_row = (
            Claimant.objects.filter(pk=claim.claimant_id).first()
            if claim.claimant_id
            else None
        )
        before = _describe(before_row)
        created, changed = False, []
        if clearing:
            if before_row is None:
                raise ValidationError("The claim has no claimant to clear.")
            target = None
        else:
            target, created = _get_or_create(name, kind, role, same_as)
            if not created:
                target = Claimant.objects.select_for_update().get(pk=target.pk)
                for field, value in (
                    ("name", name),  # only its case can differ here
                    ("kind", kind),
                    ("role", role),
                    ("same_as", same_as),
                ):
                    if getattr(target, field) != value:
                        setattr(target, field, value)
                        changed.append(field)
            if changed:
                target.save(update_fields=changed)
            if target.pk == claim.claimant_id and not changed:
                raise ValidationError("Nothing changed: that is already the claimant.")
        claim.claimant = target
        save_claim(claim, "claimant")
        audit.record(
            actor,
            AuditAction.CLAIMANT_SET,
            claim=claim,
            summary=target.name if target else "",
            data={
                "before": before,
                "after": _describe(target),
                "created": created,
                "changed": changed,
            },
        )
    return claim
