"""Sessions end after SESSION_COOKIE_AGE idle, without a write on every request."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factcheck import sessions


def _session_writes(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return [
        q["sql"]
        for q in queries.captured_queries
        if '"django_session"' in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_pages_opened_in_quick_succession_do_not_rewrite_the_session(client, reviewer):
    client.force_login(reviewer)  # sign-in stamps the session

    assert _session_writes(client, reverse("dashboard")) == []
    assert _session_writes(client, reverse("queue")) == []


def test_the_expiry_slides_forward_once_the_interval_has_passed(
    client, reviewer, monkeypatch
):
    client.force_login(reviewer)
    client.get(reverse("dashboard"))
    before = _expiry(client)
    monkeypatch.setattr(sessions, "TOUCH_SECONDS", 0)

    writes = _session_writes(client, reverse("dashboard"))

    assert writes, "the session's expiry was not moved"
    assert _expiry(client) > before


def test_a_visitor_without_a_session_gets_none(client, db):
    response = client.get(reverse("public-index"))

    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_a_login_exempt_view_reads_neither_session_nor_user(client, reviewer):
    """/healthz with a session cookie costs what it costs without one."""
    client.force_login(reviewer)
    anonymous = client.__class__()

    with CaptureQueriesContext(connection) as signed_in:
        assert client.get(reverse("healthz")).status_code == 200
    with CaptureQueriesContext(connection) as without:
        assert anonymous.get(reverse("healthz")).status_code == 200

    assert [q["sql"] for q in signed_in.captured_queries] == [
        q["sql"] for q in without.captured_queries
    ]
    assert "django_session" not in str(signed_in.captured_queries)


def test_a_protected_page_still_checks_the_signed_in_user(client, reviewer):
    client.force_login(reviewer)
    reviewer.is_active = False
    reviewer.save(update_fields=["is_active"])

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
