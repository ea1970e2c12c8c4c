"""Scoped fetches: a row the user may see, with what its page needs, or 404.

Users without a desk role get 404 rather than 403, so internal ids reveal nothing.
"""

from __future__ import annotations

from django.http import Http404

from .models import Article, Claim, ClaimMatch, ErrorReport
from .roles import is_staff_member


def _require_desk(user) -> None:
    if not is_staff_member(user):
        raise Http404("No such page.")


def get_article_for(user, pk) -> Article:
    _require_desk(user)
    try:
        return Article.objects.select_related("ingested_by").get(pk=int(pk))
    except (Article.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such article.") from None


def get_claim_for(user, pk, *, article: Article | None = None) -> Claim:
    """The claim, optionally required to belong to ``article`` (forged ids get 404)."""
    _require_desk(user)
    claims = Claim.objects.select_related("article", "assignee", "claimant")
    if article is not None:
        claims = claims.filter(article=article)
    try:
        return claims.get(pk=int(pk))
    except (Claim.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such claim.") from None


def get_error_report_for(user, pk) -> ErrorReport:
    """A reader's error report, for people who may read them (editors)."""
    _require_desk(user)
    if not user.has_perm("factcheck.view_errorreport"):
        raise Http404("No such report.")
    try:
        return ErrorReport.objects.select_related("article", "handled_by").get(
            pk=int(pk)
        )
    except (ErrorReport.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such report.") from None


def get_match_for(user, pk) -> ClaimMatch:
    """A "checked before?" suggestion, with its claim, for people on the desk."""
    _require_desk(user)
    try:
        return ClaimMatch.objects.select_related("claim").get(pk=int(pk))
    except (ClaimMatch.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such suggestion.") from None
