"""Shared steps of every write: lock the row, check the rule, bump the version."""

from __future__ import annotations

from ..models import Article, Claim
from .rules import Transition, ensure, ensure_version


def lock_claim(claim: Claim | int) -> Claim:
    """Re-read the claim under a row lock (PostgreSQL; SQLite serialises writers)."""
    pk = claim.pk if isinstance(claim, Claim) else claim
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("article", "assignee")
        .get(pk=pk)
    )


def lock_article(article: Article | int) -> Article:
    pk = article.pk if isinstance(article, Article) else article
    return Article.objects.select_for_update().get(pk=pk)


def begin(
    claim: Claim | int, actor, action: str, expected_version: int | None = None
) -> tuple[Claim, Transition]:
    """Lock the claim and check permission, state and version; call inside atomic()."""
    locked = lock_claim(claim)
    transition = ensure(actor, action, locked)
    ensure_version(locked, expected_version)
    return locked, transition


def save_claim(claim: Claim, *fields: str) -> None:
    """Save the named fields and bump the version every form compares against."""
    claim.version += 1
    claim.save(update_fields=[*fields, "version", "updated_at"])
