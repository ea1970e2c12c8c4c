"""Presence: who else has a claim open in the last minute (not audited)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from factcheck import presence
from factcheck.models import AuditEvent, ClaimPresence

from .factories import make_claim

pytestmark = pytest.mark.django_db


def test_touch_upserts_one_row_per_person(reviewer):
    claim = make_claim()

    presence.touch(claim, reviewer)
    presence.touch(claim, reviewer)

    assert ClaimPresence.objects.filter(claim=claim, user=reviewer).count() == 1


def test_others_within_the_window(reviewer, other_reviewer, editor):
    claim = make_claim()
    presence.touch(claim, reviewer)
    presence.touch(claim, other_reviewer)
    presence.touch(claim, editor)
    ClaimPresence.objects.filter(user=editor).update(
        seen_at=ClaimPresence.objects.get(user=editor).seen_at - timedelta(seconds=61)
    )

    others = presence.others_here(claim, reviewer)

    assert others == [other_reviewer]


def test_page_load_and_poll_show_the_other_person(client, reviewer, other_reviewer):
    claim = make_claim()
    events_before = AuditEvent.objects.count()
    client.force_login(other_reviewer)
    client.get(claim.get_absolute_url())
    client.force_login(reviewer)

    page = client.get(claim.get_absolute_url()).content.decode()
    poll = client.post(
        reverse("claim-presence", args=[claim.pk]), headers={"HX-Request": "true"}
    )

    assert "Also on this claim now" in page and "sam" in page
    body = poll.content.decode()
    assert poll.status_code == 200 and "<html" not in body
    assert 'id="claim-presence"' in body and "sam" in body
    assert AuditEvent.objects.count() == events_before  # ephemeral: not audited


def test_plain_poll_redirects(client, reviewer):
    claim = make_claim()
    client.force_login(reviewer)

    response = client.post(reverse("claim-presence", args=[claim.pk]))

    assert response.status_code == 302
    assert ClaimPresence.objects.filter(claim=claim, user=reviewer).exists()
