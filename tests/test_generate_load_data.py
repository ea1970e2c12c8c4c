"""``generate_load_data``: a realistic archive whose audit chain still verifies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from factcheck import audit, load_data
from factcheck.models import (
    Article,
    ArticleState,
    AuditEvent,
    Claim,
    ClaimState,
    Note,
    Publication,
    Source,
    Verdict,
    VerdictState,
)

pytestmark = pytest.mark.django_db
N = 300


def _assert_chain_whole() -> None:
    assert list(audit.verify_chain()) == []
    assert audit.head().count == AuditEvent.objects.count()


def test_an_archive_with_every_state_and_a_whole_chain(client):
    report = load_data.generate(N, seed=7, progress=False)

    assert report.claims == N == Claim.objects.count()
    assert set(Claim.objects.values_list("state", flat=True)) == set(ClaimState)
    assert set(Verdict.objects.values_list("state", flat=True)) == set(VerdictState)
    assert set(Article.objects.values_list("state", flat=True)) == set(ArticleState)
    assert Source.objects.exists() and Note.objects.exists()
    sizes = Article.objects.annotate(n=Count("claims")).values_list("n", flat=True)
    assert min(sizes) >= 3 and max(sizes) >= 40
    _assert_chain_whole()
    assert report.events == AuditEvent.objects.count()
    published = Article.objects.published().exclude(source_filename__startswith="0")
    assert published.exists()
    response = client.get(f"/fact-checks/{published.first().slug}/")
    assert response.status_code == 200


def test_the_generated_history_follows_the_ids_in_time():
    started = timezone.now()

    load_data.generate(N, seed=5, progress=False)

    backdated = AuditEvent.objects.filter(at__lt=started).order_by("pk")
    times = list(backdated.values_list("at", flat=True))
    assert len(times) > N and times == sorted(times)
    assert times[0] < started - timedelta(days=365)


def test_rows_agree_with_the_claim_states():
    load_data.generate(N, seed=3, progress=False)

    claims = Claim.objects.all()
    assert not claims.filter(state=ClaimState.IN_PROGRESS, assignee=None).exists()
    assert not claims.filter(state=ClaimState.DISMISSED, dismissed_reason="").exists()
    for state, verdict in [
        (ClaimState.SUBMITTED, VerdictState.SUBMITTED),
        (ClaimState.RETURNED, VerdictState.RETURNED),
        (ClaimState.APPROVED, VerdictState.APPROVED),
    ]:
        rows = claims.filter(state=state)
        current = rows.filter(verdicts__is_current=True, verdicts__state=verdict)
        assert rows.count() == current.count() > 0
    approved = Verdict.objects.filter(state=VerdictState.APPROVED)
    assert not approved.filter(approvals=None).exists()
    for article in Article.objects.exclude(state=ArticleState.IN_REVIEW):
        assert Publication.objects.filter(article=article).exists()
        assert not article.claims.exclude(
            state__in=[ClaimState.APPROVED, ClaimState.DISMISSED]
        ).exists()
    # Every claim's text is where its offsets say, in its own article's text.
    for claim in claims.select_related("article")[:500]:
        assert claim.article.body[claim.start : claim.end] == claim.text


def test_a_second_run_appends_and_the_chain_still_verifies():
    load_data.generate(N, seed=1, progress=False)
    events = AuditEvent.objects.count()

    load_data.generate(N, seed=1, progress=False)

    assert Claim.objects.count() == 2 * N
    assert AuditEvent.objects.count() > events
    _assert_chain_whole()


def test_the_desk_keeps_writing_onto_the_generated_chain(editor):
    from factcheck import workflow

    load_data.generate(N, seed=2, progress=False)
    claim = Claim.objects.filter(state=ClaimState.SUBMITTED).first()

    workflow.return_verdict(claim, actor=editor, comment="Needs a primary source.")

    _assert_chain_whole()


def test_the_command_refuses_a_desk_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("generate_load_data", "--claims", "50")

    assert not Claim.objects.exists()


def test_the_command_runs_with_force(capsys):
    call_command(
        "generate_load_data",
        "--claims",
        "60",
        "--seed",
        "4",
        "--force",
        "--no-progress",
    )

    assert Claim.objects.count() == 60
    assert "Added 60 claims" in capsys.readouterr().out
    _assert_chain_whole()
