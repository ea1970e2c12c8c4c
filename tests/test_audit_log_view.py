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


def _events(response) -> list[AuditEvent]:
    """The events the page shows (whatever its pager's type)."""
    return list(response.context["page"])


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

    by_actor = _events(client.get(url, {"actor": reviewer.pk}))
    by_verb = _events(client.get(url, {"action": "claim.taken"}))
    by_article = _events(client.get(url, {"article": theirs.article_id}))

    assert by_actor and {e.actor_id for e in by_actor} == {reviewer.pk}
    assert {e.claim_id for e in by_verb} == {mine.pk, theirs.pk}
    assert {e.article_id for e in by_article} == {theirs.article_id}


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

    summaries = [e.summary for e in _events(response)]
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


def test_actor_and_article_boxes_take_a_suggestion_or_words(
    client, editor, other_editor, reviewer
):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    _notes(editor, 2)
    _notes(other_editor, 3)  # "eva": also starts with "e"
    client.force_login(editor)
    url = reverse("audit-log")

    picked = client.get(url, {"actor": f"ed (#{editor.pk})"})
    started = client.get(url, {"actor": "E"})
    titled = client.get(url, {"article": claim.article.title.upper()[2:]})

    assert {e.actor_id for e in _events(picked)} == {editor.pk}
    assert picked.context["form"]["actor"].value() == f"ed (#{editor.pk})"
    by_start = {e.actor_id for e in _events(started)}
    assert by_start == {editor.pk, other_editor.pk}
    by_title = {e.article_id for e in _events(titled)}
    assert by_title == {claim.article_id}


def test_unknown_ids_fall_back_to_no_filter_with_a_message(client, editor):
    _notes(editor, 3)
    client.force_login(editor)

    response = client.get(
        reverse("audit-log"), {"actor": "#99999999999", "action": "note.added"}
    )

    assert len(_events(response)) == 3  # the verb still applies
    assert "There is no person #99999999999." in response.content.decode()


def test_filter_boxes_are_search_fields_not_lists(client, editor):
    article = make_article()
    client.force_login(editor)

    body = client.get(reverse("audit-log")).content.decode()

    assert f'hx-get="{reverse("lookup-people")}?field=actor"' in body
    assert f'hx-get="{reverse("lookup-articles")}?field=article"' in body
    assert '<select name="actor"' not in body and '<select name="article"' not in body
    assert f'<option value="{article.pk}"' not in body
    assert f'<option value="{editor.pk}"' not in body


# --- Paging and query count ---------------------------------------------------------


def test_paginated_by_fifty_with_older_and_newer_links(client, editor):
    _notes(editor, 120)
    client.force_login(editor)
    url = reverse("audit-log")

    first = client.get(url, {"action": "note.added"})
    second = client.get(url + first.context["page"].next)
    third = client.get(url + second.context["page"].next)
    back = client.get(url + third.context["page"].previous)

    assert [len(_events(r)) for r in (first, second, third)] == [50, 50, 20]
    assert third.context["page"].next is None
    assert _events(back) == _events(second)
    html = first.content.decode()
    assert "Showing events 1–50, newest first." in html
    assert 'href="/audit/?action=note.added&amp;before=' in html  # filters kept
    assert "Showing events 101–120" in third.content.decode()


def test_a_damaged_cursor_gives_the_first_page_with_a_notice(client, editor):
    _notes(editor, 60)
    client.force_login(editor)
    url = reverse("audit-log")
    good = client.get(url).context["page"].next.split("before=")[1]

    for cursor in ("garbage", good[:-3] + "abc", "a\u00e9" * 300, good + ":x"):
        response = client.get(url, {"before": cursor})

        assert response.status_code == 200
        assert response.context["page"].first == 1
        assert len(_events(response)) == 50
        assert "out of date or damaged" in response.content.decode()


def test_query_count_is_constant(client, editor, django_assert_max_num_queries):
    _notes(editor, 10)
    client.force_login(editor)
    with django_assert_max_num_queries(30) as small:
        client.get(reverse("audit-log"))
    _notes(editor, 490)

    with django_assert_max_num_queries(len(small.captured_queries)):
        first = client.get(reverse("audit-log"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        deep = client.get(reverse("audit-log") + first.context["page"].next)

    assert len(_events(first)) == len(_events(deep)) == 50


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
