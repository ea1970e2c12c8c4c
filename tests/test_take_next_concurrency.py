"""Eight reviewers press "Take next" at the same instant: eight distinct claims.

On PostgreSQL the candidates are read with ``SELECT ... FOR UPDATE SKIP LOCKED``, so
each transaction skips rows another one holds. On SQLite every write transaction is
IMMEDIATE (it takes the database write lock at BEGIN), so the callers are served one
after another. Both variants use real threads released together by a barrier.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from factcheck import workflow
from factcheck.models import AuditEvent, ClaimState

from .factories import make_article, make_user

N = 8


def _race(users) -> tuple[list, list]:
    barrier = threading.Barrier(len(users))
    taken, errors = [], []
    lock = threading.Lock()

    def worker(user):
        try:
            barrier.wait(timeout=10)
            claim = workflow.take_next_claim(actor=user)
            with lock:
                taken.append((user.pk, claim.pk if claim else None))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            with lock:
                errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return taken, errors


def _in_memory_sqlite() -> bool:
    name = str(connection.settings_dict["NAME"])
    return connection.vendor == "sqlite" and ("memory" in name or name == "")


# A transactional test (real commits, seen by every thread); pytest-django runs these
# after the ordinary tests, so the flush that follows harms none of them.
@pytest.mark.django_db(transaction=True)
def test_n_threads_take_n_distinct_claims():
    # SQLite's shared-cache in-memory test database answers concurrent threads with
    # "database table is locked" (table-level locks that ignore the busy timeout),
    # so on it the same guarantee is checked sequentially below.
    if _in_memory_sqlite():
        pytest.skip("threads need PostgreSQL or a file database")
    article = make_article(
        lines=[f"Exports rose {i + 1} percent in {2000 + i}." for i in range(N + 4)]
    )
    users = [make_user(role="reviewer") for _ in range(N)]

    taken, errors = _race(users)

    assert errors == []
    claim_ids = [claim_id for _, claim_id in taken]
    assert len(claim_ids) == N and None not in claim_ids
    assert len(set(claim_ids)) == N, "two reviewers got the same claim"
    claims = article.claims.filter(pk__in=claim_ids)
    assert {c.assignee_id for c in claims} == {u.pk for u in users}
    assert all(c.state == ClaimState.IN_PROGRESS for c in claims)
    assert AuditEvent.objects.filter(action="claim.taken").count() == N


@pytest.mark.django_db
def test_take_next_in_turn_hands_out_distinct_claims(settings):
    if connection.vendor == "sqlite":
        # What serialises concurrent callers on SQLite: a write lock at BEGIN.
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == (
            "IMMEDIATE"
        )
    make_article(
        lines=[f"Imports fell {i + 1} percent in {1990 + i}." for i in range(N)]
    )
    users = [make_user(role="reviewer") for _ in range(N + 1)]

    claims = [workflow.take_next_claim(actor=user) for user in users]

    assert claims[-1] is None  # the ninth finds nothing left
    assert len({c.pk for c in claims[:-1]}) == N
