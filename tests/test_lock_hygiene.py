"""Nothing slow runs while a write holds the audit chain's lock.

``audit.record()`` takes the chain's global lock (a transaction-level advisory lock
on PostgreSQL) and holds it until the commit, so every other write on the desk waits
for whatever the transaction still does after it. Two rules keep that wait short:
the audit event is a write's last statement, and side effects (email) run only after
the commit, never inside the transaction (and not at all after a rollback).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections, transaction
from django.urls import reverse

from factcheck import people, workflow
from factcheck.audit import AuditAction
from factcheck.models import AuditEvent, ClaimState, User
from factcheck.roles import Role

from . import test_every_write_is_audited as audited
from .factories import make_claim, make_user

AUDIT_TABLE = AuditEvent._meta.db_table
p = audited.p  # the personas every write of ``audited.WRITES`` is set up with


class RecordingMailBackend(BaseEmailBackend):
    """Keeps each message with whether a transaction was open when it was sent."""

    sent: list = []
    in_transaction: list[bool] = []

    def send_messages(self, messages):
        type(self).in_transaction.append(connection.in_atomic_block)
        type(self).sent.extend(messages)
        return len(messages)


class HangingMailBackend(RecordingMailBackend):
    """A mail server that hangs until the test lets it answer."""

    reached = threading.Event()
    answer = threading.Event()

    def send_messages(self, messages):
        type(self).reached.set()
        type(self).answer.wait(timeout=30)
        return super().send_messages(messages)


class FailingMailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise OSError("Connection refused")


@pytest.fixture
def mail_backend(settings):
    """Use one of the backends above, with fresh class-level state."""

    def use(backend: type[BaseEmailBackend]) -> type[BaseEmailBackend]:
        settings.EMAIL_BACKEND = f"{__name__}.{backend.__name__}"
        RecordingMailBackend.sent, RecordingMailBackend.in_transaction = [], []
        HangingMailBackend.reached, HangingMailBackend.answer = (
            threading.Event(),
            threading.Event(),
        )
        return backend

    yield use
    HangingMailBackend.answer.set()  # never leave a thread hanging


def _invite(actor, username: str = "nia") -> User:
    return people.invite_user(
        actor=actor,
        username=username,
        email=f"{username}@desk.example",
        roles=[Role.REVIEWER],
        request_base_url="http://testserver/",
    )


def _reset(actor) -> User:
    rae = User.objects.get(username="rae")
    return people.send_password_reset(
        rae, actor=actor, request_base_url="http://testserver/"
    )


MAILING_WRITES = {"invite": _invite, "password reset": _reset}


# --- Email only after the commit -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("write", MAILING_WRITES)
def test_the_email_waits_for_the_commit(
    write, admin_user, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        MAILING_WRITES[write](admin_user)
        assert mailoutbox == [], "mail sent before the commit"

    [mail] = mailoutbox
    assert "http://testserver/" in mail.body


@pytest.mark.django_db
@pytest.mark.parametrize("write", MAILING_WRITES)
def test_a_rolled_back_write_sends_nothing(
    write, admin_user, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    events = AuditEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            MAILING_WRITES[write](admin_user)
            raise RuntimeError("the rest of the request failed")

    assert callbacks == []
    assert mailoutbox == []
    assert AuditEvent.objects.count() == events
    assert not User.objects.filter(username="nia").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", MAILING_WRITES)
def test_the_email_is_sent_outside_any_transaction(write, mail_backend):
    backend = mail_backend(RecordingMailBackend)
    admin = make_user(role=Role.ADMIN, username="ada")
    make_user(role=Role.REVIEWER, username="rae")

    MAILING_WRITES[write](admin)

    assert len(backend.sent) == 1
    assert backend.in_transaction == [False]


@pytest.mark.django_db(transaction=True)
def test_a_failed_email_is_reported_and_the_invitation_stands(client, mail_backend):
    mail_backend(FailingMailBackend)
    admin = make_user(role=Role.ADMIN, username="ada")
    client.force_login(admin)

    response = client.post(
        reverse("team-invite"),
        {
            "invite-username": "nia",
            "invite-email": "nia@desk.example",
            "invite-role": "reviewer",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "nia is invited, but the email to nia@desk.example could not be sent" in html
    nia = User.objects.get(username="nia")
    assert AuditEvent.objects.filter(
        action=AuditAction.USER_INVITED, subject_user=nia
    ).exists()
    with pytest.raises(ValidationError, match="could not be sent"):
        people.send_password_reset(
            nia, actor=admin, request_base_url="http://testserver/"
        )


@pytest.mark.django_db(transaction=True)
def test_a_write_does_not_wait_for_a_slow_mail_server(mail_backend):
    """On PostgreSQL: while an invitation's email hangs, another person's audited
    write still commits (before the fix it waited on the chain's lock)."""
    if connection.vendor != "postgresql":
        pytest.skip("the chain's lock is PostgreSQL's; SQLite serialises writers")
    backend = mail_backend(HangingMailBackend)
    admin = make_user(role=Role.ADMIN, username="ada")
    reviewer = make_user(role=Role.REVIEWER, username="rae")
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    errors: list[str] = []

    def in_thread(call):
        def run():
            try:
                call()
            except Exception as exc:  # reported by the assertions below
                errors.append(repr(exc))
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    inviting = in_thread(lambda: _invite(admin))
    assert backend.reached.wait(timeout=20), "the invitation sent no email"
    noting = in_thread(
        lambda: workflow.add_note(claim, actor=reviewer, body="Called the office.")
    )
    noting.join(timeout=5)
    note_done_while_mail_hung = not noting.is_alive()
    backend.answer.set()
    inviting.join(timeout=20)
    noting.join(timeout=20)

    assert errors == []
    assert note_done_while_mail_hung, "the note waited for the invitation's email"
    assert AuditEvent.objects.filter(action=AuditAction.NOTE_ADDED).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.USER_INVITED).count() == 1
    assert backend.in_transaction == [False]


def test_mail_is_sent_from_one_place():
    """Every email of a write goes through ``people._MailAfterCommit``."""
    package = Path(django_settings.BASE_DIR) / "factcheck"
    senders = re.compile(r"\b(send_mail|send_mass_mail|mail_admins|EmailMessage)\(")
    found = [
        f"{path.relative_to(package)}:{n}"
        for path in sorted(package.rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if senders.search(line)
    ]
    assert [place.split(":")[0] for place in found] == ["people.py"], found


# --- The audit event is each write's last statement ---------------------------------


def _statements_from_the_chain_on(call) -> list[str]:
    """The SQL a write runs inside its own transaction, from the moment it touches
    the audit chain on (a read after its commit, like ``refresh_from_db``, is not
    under the lock; here the test's transaction is outermost, so the write's is the
    savepoint level above it)."""
    outside = len(connection.savepoint_ids)
    ran: list[tuple[str, bool]] = []

    def note(execute, sql, params, many, context):
        ran.append((sql, len(connection.savepoint_ids) > outside))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        call()
    start = next(
        i
        for i, (sql, _) in enumerate(ran)
        if "pg_advisory_xact_lock" in sql or AUDIT_TABLE in sql
    )
    return [sql for sql, inside in ran[start:] if inside]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(audited.WRITES))
def test_the_audit_event_is_the_last_thing_each_write_does(p, name):
    """Every exported write (the table of ``test_every_write_is_audited``)."""
    call = audited.WRITES[name](p)

    after = _statements_from_the_chain_on(call)

    # The lock, the chain's own read and the insert; a nested write's savepoint
    # release is bookkeeping, not work.
    others = [
        sql
        for sql in after
        if AUDIT_TABLE not in sql
        and "pg_advisory_xact_lock" not in sql
        and not sql.startswith("RELEASE SAVEPOINT")
    ]
    assert others == [], f"{name}: work left inside the chain's lock"
    assert any(sql.lstrip().upper().startswith("INSERT") for sql in after)
