"""The audit trail: one event per change in the change's transaction, append-only,
hash-chained, and ``verify_audit`` names the first event that was tampered with."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from factcheck import audit, workflow
from factcheck.audit import AuditAction
from factcheck.models import AuditEvent, ClaimState

from .factories import make_claim

pytestmark = pytest.mark.django_db
TABLE = AuditEvent._meta.db_table
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


@pytest.fixture
def trail(reviewer, editor):
    """A realistic chain: users, an article, a claim sourced, submitted, approved."""
    make_claim(state=ClaimState.APPROVED, reviewer=reviewer, editor=editor)
    ids = list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) >= 6
    return ids


def _tamper(sql: str, params=()) -> None:
    """Raw SQL behind the ORM's back, as an attacker with table access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser can skip the append-only trigger; the chain must still tell.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def _verify_fails() -> str:
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit", stdout=StringIO(), stderr=StringIO())
    assert exc.value.returncode == 1
    return str(exc.value)


def _names(message: str, pk: int) -> None:
    event = AuditEvent.objects.get(pk=pk)
    assert message.startswith(f"Event #{pk} ({event.action} at ")


# --- Written with the change --------------------------------------------------


def test_each_change_writes_one_event_with_before_and_after(reviewer):
    claim = make_claim(reviewer=reviewer)
    before = AuditEvent.objects.count()

    workflow.take_claim(claim, actor=reviewer)

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-pk").first()
    assert event.action == AuditAction.CLAIM_TAKEN
    assert (event.actor, event.claim, event.article) == (
        reviewer,
        claim,
        claim.article,
    )
    assert event.data == {"from": "open", "to": "in_progress"}
    assert event.hash == audit.compute_hash(event)


def test_a_failing_change_leaves_no_event(reviewer):
    claim = make_claim(reviewer=reviewer)
    before = AuditEvent.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.take_claim(claim, actor=reviewer)
        raise RuntimeError("the rest of the request failed")

    claim.refresh_from_db()
    assert claim.state == ClaimState.OPEN
    assert AuditEvent.objects.count() == before


def test_a_refused_change_leaves_no_event(reviewer, other_reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    before = AuditEvent.objects.count()

    with pytest.raises(workflow.InvalidTransition):
        workflow.take_claim(claim, actor=other_reviewer)

    assert AuditEvent.objects.count() == before


def test_request_id_comes_from_the_header(client, reviewer, editor):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    client.force_login(editor)

    response = client.post(
        reverse("claim-approve", args=[claim.pk]),
        headers={"X-Request-ID": "req-7f3a-42"},
    )

    assert response["X-Request-ID"] == "req-7f3a-42"
    event = AuditEvent.objects.get(action=AuditAction.VERDICT_APPROVED, claim=claim)
    assert event.request_id == "req-7f3a-42"


def test_describe_reads_as_a_sentence(reviewer, editor):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)

    workflow.return_verdict(claim, actor=editor, comment="needs a primary source")

    event = AuditEvent.objects.get(action=AuditAction.VERDICT_RETURNED)
    assert audit.describe(event) == "ed returned the verdict: needs a primary source"


# --- Append-only ----------------------------------------------------------------


def test_orm_refuses_updates_and_deletes(trail):
    event = AuditEvent.objects.get(pk=trail[0])

    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.filter(pk=event.pk, summary=event.summary).exists()


@on_postgres
@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET summary = 'rewritten' WHERE id = %s",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ],
)
def test_postgres_trigger_rejects_raw_update_and_delete(trail, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [trail[1]])

    assert AuditEvent.objects.filter(pk=trail[1]).exclude(summary="rewritten").exists()


# --- verify_audit ---------------------------------------------------------------


def test_verify_passes_on_honest_data(trail):
    out = StringIO()

    call_command("verify_audit", stdout=out)

    assert out.getvalue().strip() == f"Audit trail intact: {len(trail)} events"


def test_verify_passes_on_an_empty_trail():
    out = StringIO()

    call_command("verify_audit", stdout=out)

    assert "Audit trail intact: 0 events" in out.getvalue()


def test_altered_data_is_detected(trail):
    target = trail[len(trail) // 2]
    forged = json.dumps({"comment": "nothing to see"})
    cast = "::jsonb" if connection.vendor == "postgresql" else ""

    _tamper(f"UPDATE {TABLE} SET data = %s{cast} WHERE id = %s", [forged, target])

    message = _verify_fails()
    _names(message, target)
    assert "altered" in message


def test_altered_actor_is_detected(trail, other_reviewer):
    target = trail[-1]

    _tamper(
        f"UPDATE {TABLE} SET actor_id = %s, actor_label = %s WHERE id = %s",
        [other_reviewer.pk, other_reviewer.username, target],
    )

    message = _verify_fails()
    _names(message, target)
    assert "altered" in message


def test_deleted_middle_event_is_detected(trail):
    middle = len(trail) // 2

    _tamper(f"DELETE FROM {TABLE} WHERE id = %s", [trail[middle]])

    message = _verify_fails()
    _names(message, trail[middle + 1])
    assert "removed" in message


def test_inserted_forged_event_is_detected(trail, reviewer):
    honest = AuditEvent.objects.get(pk=trail[-1])
    forged = AuditEvent(
        at=honest.at,
        actor=reviewer,
        actor_label=reviewer.username,
        action=AuditAction.VERDICT_APPROVED,
        claim_id=honest.claim_id,
        article_id=honest.article_id,
        summary=honest.summary,
        data={"forged": True},
        prev_hash="f" * 64,
    )
    forged.hash = audit.compute_hash(forged)  # self-consistent, but not chained
    fields = ["at", "actor_id", "actor_label", "action", "claim_id", "article_id",
              "summary", "data", "request_id", "prev_hash", "hash"]  # fmt: skip
    values = [getattr(forged, f) for f in fields]
    values[fields.index("data")] = json.dumps(forged.data)

    _tamper(
        f"INSERT INTO {TABLE} ({', '.join(fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})",
        values,
    )

    forged_pk = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True)[0]
    message = _verify_fails()
    _names(message, forged_pk)
    assert "inserted" in message


def test_swapped_order_is_detected(trail):
    a, b = trail[2], trail[3]

    _tamper(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [-1, a])
    _tamper(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [a, b])
    _tamper(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [b, -1])

    message = _verify_fails()
    _names(message, a)


def test_verify_audit_cli_reports_on_stderr_and_exits_1(trail, capsys):
    _tamper(f"UPDATE {TABLE} SET summary = %s WHERE id = %s", ["rewritten", trail[0]])

    with pytest.raises(SystemExit) as exc:
        ManagementUtility(["manage.py", "verify_audit"]).execute()

    assert exc.value.code == 1
    captured = capsys.readouterr()
    assert f"Event #{trail[0]} (" in captured.err
    assert "intact" not in captured.out
