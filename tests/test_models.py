"""Database invariants hold even if code forgets them: constraints, append-only."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from factcheck.models import AuditEvent, Claim, Rating, Source, Verdict

from .factories import make_article, make_claim

pytestmark = pytest.mark.django_db


def _violates(fn) -> bool:
    try:
        with transaction.atomic():
            fn()
    except IntegrityError:
        return True
    return False


def test_default_verdict_scale_is_installed():
    labels = list(Rating.objects.values_list("label", "value"))

    assert labels == [
        ("True", 5),
        ("Mostly true", 4),
        ("Half true", 3),
        ("Misleading", 2),
        ("False", 1),
        ("Unverifiable", None),
        ("Not a factual claim", None),
    ]
    assert not Rating.objects.get(slug="not-a-factual-claim").requires_source


def test_claim_span_must_be_non_empty(reviewer):
    claim = make_claim()

    assert _violates(lambda: Claim.objects.filter(pk=claim.pk).update(end=claim.start))


def test_claim_score_stays_in_unit_range():
    claim = make_claim()

    assert _violates(lambda: Claim.objects.filter(pk=claim.pk).update(score=1.5))


def test_claim_in_progress_needs_an_assignee():
    claim = make_claim()

    assert _violates(
        lambda: Claim.objects.filter(pk=claim.pk).update(state="in_progress")
    )


def test_only_one_current_verdict_per_claim(reviewer):
    claim = make_claim(state="submitted", reviewer=reviewer)

    assert _violates(
        lambda: Verdict.objects.create(claim=claim, author=reviewer, is_current=True)
    )


def test_source_url_must_be_http(reviewer):
    claim = make_claim(state="in_progress", reviewer=reviewer)

    assert _violates(
        lambda: Source.objects.create(
            claim=claim, url="javascript:alert(1)", title="x", added_by=reviewer
        )
    )


def test_claim_offsets_point_into_the_body():
    article = make_article()

    for claim in article.claims.all():
        assert article.body[claim.start : claim.end] == claim.text


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm():
    make_article()
    event = AuditEvent.objects.first()

    event.summary = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().update(summary="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
