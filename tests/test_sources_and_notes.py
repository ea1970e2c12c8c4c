"""Sources and notes: who may add them, what is refused, and their HTTP views."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from factcheck import workflow
from factcheck.models import AuditEvent, ClaimState, Note, Source
from factcheck.workflow import InvalidTransition

from .factories import make_claim

pytestmark = pytest.mark.django_db

URL = "https://stats.example/report"


def _source(claim, actor, url=URL, **kw):
    return workflow.add_source(claim, actor=actor, url=url, title="Report", **kw)


def test_assignee_adds_a_source_with_one_audit_event(reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    version = claim.version

    source = _source(claim, reviewer, publisher="Stats office", excerpt="Up 2%.")

    assert source.added_by == reviewer and source.excerpt == "Up 2%."
    assert source.accessed_on is not None
    event = AuditEvent.objects.filter(claim=claim, action="source.added").get()
    assert event.data["url"] == URL
    claim.refresh_from_db()
    assert claim.version == version  # additive: no version bump


@pytest.mark.parametrize(
    "url", ["ftp://files.example/x", "javascript:alert(1)", "not a url", ""]
)
def test_only_http_urls_are_sources(reviewer, url):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)

    with pytest.raises(ValidationError):
        _source(claim, reviewer, url=url)

    assert not claim.sources.exists()


def test_duplicate_url_on_the_same_claim_is_refused(reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    _source(claim, reviewer)

    with pytest.raises(ValidationError, match="already a source"):
        _source(claim, reviewer)

    assert claim.sources.count() == 1


def test_a_removed_url_may_be_added_again(reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    first = _source(claim, reviewer)

    workflow.remove_source(first, actor=reviewer)
    _source(claim, reviewer)

    first.refresh_from_db()
    assert first.removed_at is not None and first.removed_by == reviewer
    assert claim.sources.count() == 2
    assert claim.sources.filter(removed_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(claim=claim, action="source.removed").count() == 1


def test_removing_twice_is_refused(reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    source = _source(claim, reviewer)
    workflow.remove_source(source, actor=reviewer)

    with pytest.raises(InvalidTransition):
        workflow.remove_source(source, actor=reviewer)


def test_only_assignee_or_editor_adds_sources(reviewer, other_reviewer, editor):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)

    with pytest.raises(PermissionDenied):
        _source(claim, other_reviewer)
    _source(claim, editor, url="https://editor.example/")

    assert claim.sources.get().added_by == editor


def test_submitted_claim_is_read_only_for_sources(reviewer):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    source = claim.sources.get()

    with pytest.raises(InvalidTransition):
        _source(claim, reviewer, url="https://late.example/")
    with pytest.raises(InvalidTransition):
        workflow.remove_source(source, actor=reviewer)


def test_anyone_on_the_desk_adds_a_note_in_any_state(reviewer, other_reviewer):
    claim = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)

    note = workflow.add_note(claim, actor=other_reviewer, body="Check **this**.")

    assert note.author == other_reviewer and note.body == "Check **this**."
    assert AuditEvent.objects.filter(claim=claim, action="note.added").count() == 1


def test_empty_or_huge_notes_are_refused(reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)

    with pytest.raises(ValidationError):
        workflow.add_note(claim, actor=reviewer, body="   ")
    with pytest.raises(ValidationError):
        workflow.add_note(claim, actor=reviewer, body="x" * 10_001)

    assert not Note.objects.exists()


def test_admin_alone_may_not_add_notes(admin_user, reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)

    with pytest.raises(PermissionDenied):
        workflow.add_note(claim, actor=admin_user, body="Hi")


# --- HTTP -----------------------------------------------------------------------


def test_htmx_source_add_returns_the_sources_panel(client, reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    client.force_login(reviewer)

    response = client.post(
        reverse("source-add", args=[claim.pk]),
        {"url": URL, "title": "Report", "publisher": "Office", "excerpt": "Quote"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'id="claim-sources"' in body
    assert "Report" in body
    assert claim.sources.filter(url=URL).exists()


def test_plain_source_add_redirects(client, reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    client.force_login(reviewer)

    response = client.post(
        reverse("source-add", args=[claim.pk]), {"url": URL, "title": "Report"}
    )

    assert response.status_code == 302
    assert response["Location"] == claim.get_absolute_url()


def test_bad_source_keeps_the_typed_text(client, reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    client.force_login(reviewer)

    response = client.post(
        reverse("source-add", args=[claim.pk]),
        {"url": "ftp://files.example/x", "title": "My careful title"},
    )

    assert response.status_code == 400
    assert "My careful title" in response.content.decode()
    assert not claim.sources.exists()


def test_duplicate_source_over_http_is_refused_with_the_form(client, reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    _source(claim, reviewer)
    client.force_login(reviewer)

    response = client.post(
        reverse("source-add", args=[claim.pk]),
        {"url": URL, "title": "Again"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "already a source" in response.content.decode()
    assert claim.sources.count() == 1


def test_source_remove_and_forged_ids(client, reviewer, other_reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    source = _source(claim, reviewer)
    client.force_login(other_reviewer)

    refused = client.post(reverse("source-remove", args=[source.pk]))
    missing = client.post(reverse("source-remove", args=[999_999]))
    client.force_login(reviewer)
    removed = client.post(
        reverse("source-remove", args=[source.pk]), headers={"HX-Request": "true"}
    )

    assert refused.status_code == 302  # PRG with the refusal as a message
    assert missing.status_code == 404
    assert removed.status_code == 200
    assert Source.objects.get(pk=source.pk).removed_by == reviewer


def test_note_view_renders_sanitised_markdown(client, reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    client.force_login(reviewer)

    response = client.post(
        reverse("note-add", args=[claim.pk]),
        {"body": "**bold** <script>alert(1)</script> [x](javascript:alert(1))"},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "<strong>bold</strong>" in body
    assert "<script>alert" not in body and 'href="javascript:' not in body
    assert Note.objects.filter(claim=claim).count() == 1


def test_outsider_gets_403_and_anonymous_the_login(client, outsider, reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    url = reverse("note-add", args=[claim.pk])

    anonymous = client.post(url, {"body": "x"})
    client.force_login(outsider)
    forbidden = client.post(url, {"body": "x"})

    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert forbidden.status_code == 403
    assert not Note.objects.exists()
