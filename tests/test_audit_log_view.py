"""The audit log: who may read it, its filters, paging, and the streamed CSV export."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.db import transaction
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from factcheck import audit, timelines, workflow
from factcheck.audit import AuditAction
from factcheck.models import AuditEvent, ClaimState

from .factories import make_article, make_claim

pytestmark = pytest.mark.django_db


def _notes(actor, n: int, *, summary: str = "note"):
    """``n`` events through the one writer (cheaper than n workflow calls)."""
    with transaction.atomic():
        for _ in range(n):
            audit.record(actor, AuditAction.NOTE_ADDED, summary=summary)


def _at(monkeypatch, when: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: when)


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


# --- Access -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("editor", 200), ("admin_user", 200), ("reviewer", 403), ("outsider", 403)],
)
@pytest.mark.parametrize("name", ["audit-log", "audit-export"])
def test_only_editors_and_admins_read_the_log(client, request, persona, status, name):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse(name))

    assert response.status_code == status


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("audit-log"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_reviewers_read_their_claims_timeline(reviewer, editor):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    workflow.return_verdict(claim, actor=editor, comment="needs a primary source")

    events = timelines.for_claim(claim)

    assert [e.action for e in events][:2] == [
        AuditAction.VERDICT_RETURNED,
        AuditAction.VERDICT_SUBMITTED,
    ]
    assert (
        audit.describe(events[0]) == "ed returned the verdict: needs a primary source"
    )
    assert {e.claim_id for e in events} == {claim.pk}


def test_article_timeline_includes_its_claims(reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    other = make_article()

    events = timelines.for_article(claim.article)

    actions = {e.action for e in events}
    assert {AuditAction.ARTICLE_CREATED, AuditAction.CLAIM_TAKEN} <= actions
    assert all(e.article_id == claim.article_id for e in events)
    assert other.pk not in {e.article_id for e in events}


# --- Filters ----------------------------------------------------------------------


def test_filter_by_actor_verb_and_article(client, editor, reviewer, other_reviewer):
    mine = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    theirs = make_claim(state=ClaimState.IN_PROGRESS, reviewer=other_reviewer)
    client.force_login(editor)
    url = reverse("audit-log")

    by_actor = client.get(url, {"actor": reviewer.pk}).context["page"].object_list
    by_verb = client.get(url, {"action": "claim.taken"}).context["page"].object_list
    by_article = client.get(url, {"article": theirs.article_id}).context["page"]

    assert by_actor and {e.actor_id for e in by_actor} == {reviewer.pk}
    assert {e.claim_id for e in by_verb} == {mine.pk, theirs.pk}
    assert {e.article_id for e in by_article.object_list} == {theirs.article_id}


def test_filter_by_date_range_is_inclusive(client, editor, monkeypatch):
    base = timezone.make_aware(datetime(2025, 3, 10, 12, 0))
    for day in range(5):
        _at(monkeypatch, base + timedelta(days=day))
        _notes(editor, 1, summary=f"day {day}")
    monkeypatch.undo()
    client.force_login(editor)

    response = client.get(
        reverse("audit-log"),
        {"date_from": "2025-03-11", "date_to": "2025-03-13", "action": "note.added"},
    )

    summaries = [e.summary for e in response.context["page"].object_list]
    assert summaries == ["day 3", "day 2", "day 1"]  # newest first


def test_bad_filters_never_500(client, editor):
    client.force_login(editor)

    response = client.get(
        reverse("audit-log"),
        {"actor": "x", "article": "999999", "date_from": "yesterday", "page": "nope"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors


def test_reversed_date_range_is_an_error(client, editor):
    client.force_login(editor)

    response = client.get(
        reverse("audit-log"), {"date_from": "2025-03-12", "date_to": "2025-03-10"}
    )

    assert "must not be after" in response.content.decode()


# --- Paging and query count ---------------------------------------------------------


def test_paginated_by_fifty(client, editor):
    _notes(editor, 120)
    client.force_login(editor)

    first = client.get(reverse("audit-log"), {"action": "note.added"})
    third = client.get(reverse("audit-log"), {"action": "note.added", "page": 3})

    assert len(first.context["page"].object_list) == 50
    assert len(third.context["page"].object_list) == 20
    assert "action=note.added&amp;page=2" in first.content.decode()


def test_query_count_is_constant(client, editor, django_assert_max_num_queries):
    _notes(editor, 10)
    client.force_login(editor)
    with django_assert_max_num_queries(30) as small:
        client.get(reverse("audit-log"))
    _notes(editor, 490)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("audit-log"))

    assert response.context["page"].paginator.count >= 500


# --- Export -------------------------------------------------------------------------


def test_export_streams_the_filtered_set_as_csv(client, editor, reviewer):
    make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    _notes(editor, 3, summary="=HYPERLINK(evil)")
    client.force_login(editor)

    response = client.get(reverse("audit-export"), {"actor": editor.pk})

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:4] == ["id", "at", "actor", "action"]
    assert len(rows) == 1 + AuditEvent.objects.filter(actor=editor).count()
    assert {row[2] for row in rows[1:]} == {editor.username}
    # Spreadsheet formulas are neutralised.
    assert {row[8] for row in rows[1:]} == {"'=HYPERLINK(evil)"}


def test_export_is_complete_and_matches_the_chain(client, editor):
    _notes(editor, 2500)  # more than one iterator chunk
    client.force_login(editor)

    rows = _csv(client.get(reverse("audit-export")))

    assert len(rows) - 1 == AuditEvent.objects.count()
    ids = [int(row[0]) for row in rows[1:]]
    assert ids == sorted(ids, reverse=True)
    newest = AuditEvent.objects.order_by("-pk").first()
    assert rows[1][-1] == newest.hash
