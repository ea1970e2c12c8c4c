"""``manage.py demo`` is idempotent and leaves accounts that can log in."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from factcheck.models import Article, AuditEvent, Claim, User

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        Article.objects.count(),
        Claim.objects.count(),
        AuditEvent.objects.count(),
    )


def test_demo_twice_gives_the_same_desk(client):
    call_command("demo", "--no-migrate", stdout=io.StringIO())
    first = counts()

    call_command("demo", "--no-migrate", stdout=io.StringIO())

    assert counts() == first
    article = Article.objects.get(source_filename="000_cb454b6630152dc4.txt")
    assert article.claims.exists()
    assert article.outlet == "Sample wire"
    assert client.login(username="reviewer", password="review-desk-2026")
    assert client.get(f"/articles/{article.pk}/").status_code == 200
    assert client.login(username="editor", password="edit-desk-2026")


def test_demo_puts_work_in_every_state_through_the_workflow(client):
    out = io.StringIO()

    call_command("demo", "--no-migrate", stdout=out)

    states = set(Claim.objects.values_list("state", flat=True))
    assert {"approved", "submitted", "in_progress", "open"} <= states
    assert "admin" in out.getvalue() and "edit-desk-2026" in out.getvalue()
    verify = io.StringIO()
    call_command("verify_audit", stdout=verify)
    assert "intact" in verify.getvalue()
    published = Article.objects.published().get()
    assert client.get(f"/fact-checks/{published.slug}/").status_code == 200
    assert client.get(f"/fact-checks/{published.slug}/claims/1/").status_code == 200


def test_the_demo_captures_none_of_its_invented_sources(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from factcheck import capture
    from factcheck.models import Source, SourceSnapshot

    settings.FACTCHECK = {**settings.FACTCHECK, "CAPTURE_SOURCES": True}
    fetched = []
    monkeypatch.setattr(capture, "fetch", lambda url: fetched.append(url))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("demo", "--no-migrate", stdout=io.StringIO())

    assert callbacks and Source.objects.exists()
    assert fetched == [] and not SourceSnapshot.objects.exists()
    assert capture.enabled()  # paused only while the demo loads
