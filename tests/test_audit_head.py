"""The audit chain's head, kept outside the database.

Cutting off the newest events leaves a shorter chain that is still whole, so
``verify_audit`` alone passes. The head (newest hash + event count) is announced on
the ``factcheck.audit.head`` log after each commit, shown on the audit page and
printed by ``audit_head``; ``verify_audit --head/--count`` then catches the cut.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factcheck import audit, workflow
from factcheck.audit import GENESIS
from factcheck.models import AuditEvent, ClaimState

from .factories import make_article, make_claim

pytestmark = pytest.mark.django_db
TABLE = AuditEvent._meta.db_table
HEAD_LOG = "factcheck.audit.head"
TRIGGER = "factcheck_auditevent_append_only"  # migration 0003


@pytest.fixture
def trail(reviewer, editor) -> list[AuditEvent]:
    make_claim(state=ClaimState.APPROVED, reviewer=reviewer, editor=editor)
    events = list(AuditEvent.objects.order_by("pk"))
    assert len(events) >= 6
    return events


@pytest.fixture
def key(settings):
    settings.FACTCHECK = {**settings.FACTCHECK, "AUDIT_HEAD_KEY": "k3y-for-tests"}
    return "k3y-for-tests"


def _cut_newest(n: int) -> None:
    """Delete the newest ``n`` events with raw SQL, as someone with database access
    would; on PostgreSQL they disable the append-only trigger first (inside this
    test's transaction, so it is back for the next test)."""
    ids = list(AuditEvent.objects.order_by("-pk").values_list("pk", flat=True)[:n])
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Fire the deferred FK checks now: ALTER TABLE refuses pending ones.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        cursor.execute(f"DELETE FROM {TABLE} WHERE id IN ({marks})", ids)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _verify_fails(*args: str) -> str:
    with pytest.raises(CommandError) as exc:
        _verify(*args)
    assert exc.value.returncode == 1
    return str(exc.value)


def _head_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == HEAD_LOG]


# --- What the head is -----------------------------------------------------------------


def test_the_head_is_the_newest_hash_and_the_event_count(trail):
    head = audit.head()

    assert (head.hash, head.count, head.event_id) == (
        trail[-1].hash,
        len(trail),
        trail[-1].pk,
    )
    assert str(head) == f"Chain head: {trail[-1].hash} after {len(trail)} events"


def test_an_empty_trail_has_the_genesis_head():
    assert (audit.head().hash, audit.head().count) == (GENESIS, 0)


def test_the_count_is_a_position_not_an_id(reviewer, monkeypatch):
    """A rolled-back append burns an id on PostgreSQL; the count must not jump."""
    article = make_article(actor=reviewer)
    claims = list(article.claims.order_by("start"))
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            workflow.take_claim(claims[0], actor=reviewer)
            raise RuntimeError("rolled back")
        workflow.take_claim(claims[1], actor=reviewer)

    ids = list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))
    if connection.vendor == "postgresql":
        assert ids[-1] - ids[0] + 1 > len(ids), "the sequence skipped an id"
    assert audit.head().count == AuditEvent.objects.count()
    monkeypatch.setattr(audit, "_known", None)  # a fresh process counts in full
    assert audit.head().count == AuditEvent.objects.count()


def test_a_process_counts_only_what_others_appended_since(reviewer, monkeypatch):
    article = make_article(actor=reviewer)
    seen = audit.head()  # this process's last look
    for claim in article.claims.all():  # appends "by other processes"
        workflow.take_claim(claim, actor=reviewer)
    monkeypatch.setattr(audit, "_known", audit._Known(seen.event_id, seen.hash, 1))

    # The remembered count is taken as true (1 here, deliberately wrong): only the
    # events after it are counted, so the answer is off by exactly the same amount.
    assert (
        audit.head().count
        == 1 + AuditEvent.objects.filter(pk__gt=seen.event_id).count()
    )


def test_a_forgotten_head_is_recounted(trail, monkeypatch):
    """A remembered event that vanished (rollback, flush, deletion) is not trusted."""
    monkeypatch.setattr(audit, "_known", audit._Known(trail[2].pk, "f" * 64, 999))

    assert audit.head().count == len(trail)


def test_an_append_does_not_count_the_table(reviewer):
    article = make_article(actor=reviewer)
    claims = list(article.claims.order_by("start"))
    workflow.take_claim(claims[0], actor=reviewer)

    with CaptureQueriesContext(connection) as queries:
        workflow.take_claim(claims[1], actor=reviewer)

    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


# --- Announced after commit ---------------------------------------------------------


def test_the_head_is_logged_only_after_commit(
    caplog, django_capture_on_commit_callbacks, reviewer
):
    claim = make_claim(reviewer=reviewer)
    caplog.clear()

    # No caplog.set_level: the settings' LOGGING must let these INFO lines through.
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take_claim(claim, actor=reviewer)
        assert not _head_lines(caplog), "announced before the commit"

    [line] = _head_lines(caplog)
    event = AuditEvent.objects.order_by("-pk").first()
    count = AuditEvent.objects.count()
    assert line.levelno == logging.INFO
    assert line.getMessage() == (
        f"Chain head: {event.hash} after {count} events (event #{event.pk})"
    )
    assert line.audit_head["hash"] == event.hash
    assert line.audit_head["count"] == count


def test_a_rolled_back_append_is_never_announced(
    caplog, django_capture_on_commit_callbacks, reviewer
):
    claim = make_claim(reviewer=reviewer)
    caplog.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            workflow.take_claim(claim, actor=reviewer)
            raise RuntimeError("the rest of the request failed")

    assert callbacks == []
    assert not _head_lines(caplog)


def test_one_line_per_commit_naming_its_newest_surviving_event(
    caplog, django_capture_on_commit_callbacks, reviewer
):
    article = make_article(actor=reviewer)
    first, second, third = list(article.claims.order_by("start"))
    caplog.clear()

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            workflow.take_claim(first, actor=reviewer)
            workflow.take_claim(second, actor=reviewer)
            with pytest.raises(RuntimeError), transaction.atomic():
                workflow.take_claim(third, actor=reviewer)  # its savepoint rolls back
                raise RuntimeError("not this one")

    [line] = _head_lines(caplog)
    newest = AuditEvent.objects.order_by("-pk").first()
    assert newest.claim == second
    assert line.audit_head["hash"] == newest.hash
    assert line.audit_head["count"] == AuditEvent.objects.count()


def test_the_logging_settings_emit_the_head_lines():
    """Root logs WARNING and up; the head logger's INFO lines must still come out."""
    code = (
        "import django, logging; django.setup(); "
        f"logging.getLogger({HEAD_LOG!r}).info('HEAD-LINE'); "
        "logging.getLogger('factcheck.elsewhere').info('OTHER-LINE')"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "factcheck.settings"}
    env.pop("LOG_LEVEL", None)

    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert "HEAD-LINE" in done.stderr
    assert "OTHER-LINE" not in done.stderr


def test_a_signed_head_line_carries_its_hmac(
    caplog, django_capture_on_commit_callbacks, reviewer, key
):
    claim = make_claim(reviewer=reviewer)
    caplog.clear()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.take_claim(claim, actor=reviewer)

    [line] = _head_lines(caplog)
    head = audit.head()
    assert line.audit_head["signature"] == head.signature()
    assert head.signature().startswith("hmac-sha256:")


# --- Shown and printed ----------------------------------------------------------------


def test_the_audit_page_shows_the_head(client, editor, trail):
    client.force_login(editor)

    html = client.get(reverse("audit-log")).content.decode()

    head = audit.head()
    assert f"Chain head: <code>{head.hash}</code> after {head.count} events" in html


def test_audit_head_prints_the_head_unsigned(trail, settings):
    settings.FACTCHECK = {**settings.FACTCHECK, "AUDIT_HEAD_KEY": ""}
    plain, as_json = StringIO(), StringIO()

    call_command("audit_head", stdout=plain)
    call_command("audit_head", "--json", stdout=as_json)

    head = trail[-1]
    assert (
        plain.getvalue().strip() == f"Chain head: {head.hash} after {len(trail)} events"
    )
    data = json.loads(as_json.getvalue())
    assert data["hash"] == head.hash and data["count"] == len(trail)
    assert data["event_id"] == head.pk and data["signature"] is None


def test_audit_head_signs_under_the_key(trail, key):
    import hashlib
    import hmac

    out = StringIO()
    call_command("audit_head", "--json", stdout=out)

    data = json.loads(out.getvalue())
    message = f"factcheck-audit-head:v1:{data['hash']}:{data['count']}".encode()
    mac = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    assert data["signature"] == f"hmac-sha256:{mac}"
    plain = StringIO()
    call_command("audit_head", stdout=plain)
    assert f"Signature: hmac-sha256:{mac}" in plain.getvalue()


# --- verify_audit with the head -----------------------------------------------------


def test_cutting_off_the_newest_events_is_caught_only_with_the_head(trail):
    head = audit.head()

    _cut_newest(2)

    # The shorter chain is still whole: without the head nothing is wrong.
    assert _verify().strip() == f"Audit trail intact: {len(trail) - 2} events"
    assert "No event has the head hash" in _verify_fails("--head", head.hash)
    count = str(head.count)
    message = _verify_fails("--count", count)
    assert f"Only {len(trail) - 2} events, but the head announced {count}" in message
    assert "removed" in _verify_fails("--head", head.hash, "--count", count)


def test_the_head_passes_on_honest_data_with_later_events(trail, reviewer):
    head = audit.head()
    make_claim(reviewer=reviewer)  # the desk went on working

    out = _verify("--head", head.hash, "--count", str(head.count))

    assert out.startswith(f"Audit trail intact: {AuditEvent.objects.count()} events")
    assert f"event #{head.event_id}, number {head.count}" in out
    assert "intact" in _verify("--count", str(head.count))


def test_a_head_at_the_wrong_position_fails(trail):
    head = audit.head()

    message = _verify_fails("--head", head.hash, "--count", str(head.count + 1))

    assert f"number {head.count} of the chain" in message


def test_a_broken_chain_before_the_head_fails(trail):
    head = audit.head()
    target = trail[len(trail) // 2]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"UPDATE {TABLE} SET summary = %s WHERE id = %s", ["rewritten", target.pk]
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")

    message = _verify_fails("--head", head.hash, "--count", str(head.count))

    assert message.startswith(f"Event #{target.pk} (")


def test_the_signature_is_checked(trail, key):
    head = audit.head()
    args = ["--head", head.hash, "--count", str(head.count)]

    assert "intact" in _verify(*args, "--signature", head.signature())
    forged = audit.ChainHead(head.hash, head.count + 5).signature()
    assert "does not match" in _verify_fails(*args, "--signature", forged)
    assert "needs the --head and --count" in _verify_fails(
        "--head", head.hash, "--signature", head.signature()
    )


def test_a_malformed_head_is_refused(trail):
    with pytest.raises(CommandError, match="--head"):
        _verify("--head", "not-a-hash")


def test_the_cli_exits_1_naming_the_cut(trail, capsys):
    head = audit.head()
    _cut_newest(1)

    with pytest.raises(SystemExit) as exc:
        ManagementUtility(["manage.py", "verify_audit", "--head", head.hash]).execute()

    assert exc.value.code == 1
    captured = capsys.readouterr()
    assert f"No event has the head hash {head.hash}" in captured.err
    assert "intact" not in captured.out
