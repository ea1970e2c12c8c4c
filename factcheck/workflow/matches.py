"""Answers to "checked before?": the desk says whether a suggested earlier check is
the same claim.

Invariants: a match is answered once, by someone who may work the claim (its assignee
or an editor, while it is in work); "same claim" copies the earlier check's live
sources onto the claim (skipping URLs it already cites) in the same transaction;
"not the same" hides the pair for good. One audit event per answer.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .. import audit
from ..audit import AuditAction
from ..models import ClaimMatch, MatchAnswer, Source, User
from .base import begin
from .rules import InvalidTransition


def answer_match(match: ClaimMatch | int, *, actor: User, same: bool) -> ClaimMatch:
    """Record the desk's answer; "same" reuses the earlier check's sources."""
    pk = match.pk if isinstance(match, ClaimMatch) else match
    with transaction.atomic():
        match = ClaimMatch.objects.select_for_update().get(pk=pk)
        claim, _ = begin(match.claim_id, actor, "claim.work")
        if match.answer != MatchAnswer.PENDING:
            raise InvalidTransition(
                f"Already answered: {match.get_answer_display().lower()}."
            )
        match.answer = MatchAnswer.SAME if same else MatchAnswer.DIFFERENT
        match.answered_by, match.answered_at = actor, timezone.now()
        match.save(update_fields=["answer", "answered_by", "answered_at"])
        copied = _reuse_sources(match, actor) if same else []
        audit.record(
            actor,
            AuditAction.MATCH_CONFIRMED if same else AuditAction.MATCH_REJECTED,
            claim=claim,
            data={
                "match": match.pk,
                "earlier_claim": match.earlier_id,
                "imported": match.imported_id,
                "score": match.score,
                "sources_copied": copied,
            },
        )
    return match


def _reuse_sources(match: ClaimMatch, actor: User) -> list[str]:
    """The earlier check's evidence on the new claim: its live sources, or the
    imported fact-check itself. Returns the URLs added."""
    claim = match.claim
    cited = set(
        claim.sources.filter(removed_at__isnull=True).values_list("url", flat=True)
    )
    if match.imported_id:
        item = match.imported
        offers = [(item.url, item.title or item.claim_text[:300], item.publisher, "")]
    else:
        offers = [
            (s.url, s.title, s.publisher, s.excerpt)
            for s in Source.objects.filter(
                claim_id=match.earlier_id, removed_at__isnull=True
            )
        ]
    added = []
    for url, title, publisher, excerpt in offers:
        if not url or url in cited:
            continue
        Source.objects.create(
            claim=claim,
            url=url,
            title=title[:300],
            publisher=publisher[:200],
            excerpt=excerpt,
            accessed_on=timezone.localdate(),
            added_by=actor,
        )
        cited.add(url)
        added.append(url)
    return added
