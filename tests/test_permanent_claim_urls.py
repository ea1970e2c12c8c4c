"""Permanent public claim URLs: a claim's number is given once and never moves.

A correction that adds, restores or removes claims never changes what an existing
``/fact-checks/<slug>/claims/<n>/`` shows, except that claim's own verdict; a removed
claim answers 410 with the correction's note; the correction history compares claims
on their permanent number, not on anything derived from SECRET_KEY.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import override_settings

from factcheck import workflow
from factcheck.models import AuditEvent, Claim, ClaimState, Publication
from factcheck.publishing import FORMAT, legacy_claim_ref

from .factories import decide_claim, make_decided_article

pytestmark = pytest.mark.django_db

# Claim C comes first in the text and is dismissed at first; A and B follow.
LINES = [
    "The mayor said crime fell 40 percent in one year.",
    "The ministry said exports rose 12 percent in 2025 to $4.2 billion.",
    "Officials reported that 3,400 new rail wagons entered service last year.",
]
LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _claim_page(client, slug: str, n: int):
    return client.get(f"/fact-checks/{slug}/claims/{n}/")


def _claimreview(response) -> dict:
    blocks = LD.findall(response.content.decode())
    assert len(blocks) == 1
    return json.loads(blocks[0])


def _unmodified(review: dict) -> dict:
    """The ClaimReview without ``dateModified``, which every correction sets."""
    assert review.pop("dateModified")
    return review


@pytest.fixture
def article(reviewer, editor):
    return make_decided_article(
        reviewer=reviewer, editor=editor, lines=LINES, dismiss=(0,), title="Permanent"
    )


def _claims(article):
    c, a, b = article.claims.order_by("start", "pk")
    return c, a, b


def _correct(article, editor, note: str) -> Publication:
    return workflow.publish_article(article, actor=editor, correction_note=note)


def test_a_correction_never_moves_an_earlier_claim_url(
    article, reviewer, editor, client
):
    c, a, b = _claims(article)
    first = workflow.publish_article(article, actor=editor)
    assert [x["n"] for x in first.payload["claims"]] == [1, 2]
    before = {}
    for n, claim in ((1, a), (2, b)):
        response = _claim_page(client, article.slug, n)
        assert response.status_code == 200
        assert claim.text in response.content.decode()
        before[n] = _claimreview(response)
        assert before[n]["claimReviewed"] == claim.text

    # Restore C (before A in the text), decide it, publish a correction.
    workflow.restore_claim(c, actor=editor)
    decide_claim(Claim.objects.get(pk=c.pk), reviewer=reviewer, editor=editor)
    second = _correct(article, editor, "Added the mayor's crime figure.")

    for n, claim in ((1, a), (2, b)):
        response = _claim_page(client, article.slug, n)
        assert response.status_code == 200
        html = response.content.decode()
        assert claim.text in html and c.text not in html
        assert _unmodified(_claimreview(response)) == before[n]
    # C is shown first (body order) under a number never used before.
    assert [x["n"] for x in second.payload["claims"]] == [3, 1, 2]
    response = _claim_page(client, article.slug, 3)
    assert response.status_code == 200
    assert _claimreview(response)["claimReviewed"] == c.text
    assert [ch["change"] for ch in second.payload["changes"]] == ["added"]
    event = AuditEvent.objects.filter(action="article.republished").get()
    assert event.data["numbered"] == {str(c.pk): 3}

    # Take B off the public pages: reopen, dismiss, correct again.
    workflow.reopen_claim(b, actor=editor, reason="It is an opinion.")
    workflow.dismiss_claim(b, actor=editor, reason="Opinion, not a checkable fact.")
    _correct(article, editor, "Claim on rail wagons withdrawn: it is an opinion.")

    gone = _claim_page(client, article.slug, 2)
    assert gone.status_code == 410
    html = gone.content.decode()
    assert "This claim was removed in a correction on" in html
    assert "Claim on rail wagons withdrawn: it is an opinion." in html
    assert b.text not in html
    assert _claim_page(client, article.slug, 1).status_code == 200
    assert _unmodified(_claimreview(_claim_page(client, article.slug, 1))) == before[1]
    assert _claim_page(client, article.slug, 3).status_code == 200
    assert _claim_page(client, article.slug, 4).status_code == 404
    summary = client.get(f"/fact-checks/{article.slug}/").content.decode()
    assert f"/fact-checks/{article.slug}/claims/2/" not in summary

    # Restored and approved again, B comes back under its own number.
    workflow.restore_claim(b, actor=editor)
    decide_claim(Claim.objects.get(pk=b.pk), reviewer=reviewer, editor=editor)
    latest = _correct(article, editor, "Rail wagon claim restored.")
    assert [x["n"] for x in latest.payload["claims"]] == [3, 1, 2]
    response = _claim_page(client, article.slug, 2)
    assert response.status_code == 200
    assert _claimreview(response)["claimReviewed"] == b.text


def test_a_removed_claim_cannot_be_reported_on(article, editor, client):
    _, _, b = _claims(article)
    workflow.publish_article(article, actor=editor)
    workflow.reopen_claim(b, actor=editor, reason="Opinion.")
    workflow.dismiss_claim(b, actor=editor, reason="Opinion.")
    _correct(article, editor, "Withdrawn.")

    response = client.post(
        f"/fact-checks/{article.slug}/claims/2/report/",
        {"text": "Why is it gone?", "email": "", "website": ""},
    )
    assert response.status_code == 410
    assert not article.error_reports.exists()


def test_rotating_secret_key_does_not_rewrite_the_correction_history(
    article, reviewer, editor
):
    _, a, _ = _claims(article)
    with override_settings(SECRET_KEY="k1-" + "x" * 60):
        workflow.publish_article(article, actor=editor)
    workflow.reopen_claim(a, actor=editor, reason="New figures.")
    decide_claim(
        Claim.objects.get(pk=a.pk), reviewer=reviewer, editor=editor, rating_slug="true"
    )
    with override_settings(SECRET_KEY="k2-" + "y" * 60):
        second = _correct(article, editor, "The exports figure was right after all.")

    changes = second.payload["changes"]
    assert [(ch["change"], ch["n"], ch["claim"]) for ch in changes] == [
        ("rating", 1, a.text)
    ]
    assert [x["first_published_at"] for x in second.payload["claims"]] == [
        second.payload["first_published_at"]
    ] * 2


def test_a_snapshot_written_before_permanent_numbers_keeps_its_urls(
    reviewer, editor, client
):
    """Format-1 snapshots numbered claims by position and keyed them on an HMAC."""
    article = make_decided_article(
        reviewer=reviewer, editor=editor, lines=LINES, dismiss=(0,), title="Legacy"
    )
    c, a, b = _claims(article)
    first = workflow.publish_article(article, actor=editor)
    legacy = {
        **first.payload,
        "format": 1,
        "claims": [
            {**entry, "n": i, "ref": legacy_claim_ref(claim.pk)}
            for i, (entry, claim) in enumerate(
                zip(first.payload["claims"], (a, b), strict=True), start=1
            )
        ],
    }
    Publication.objects.filter(pk=first.pk).update(payload=legacy)
    Claim.objects.filter(article=article).update(public_number=None)

    response = _claim_page(client, article.slug, 2)
    assert response.status_code == 200 and b.text in response.content.decode()

    workflow.restore_claim(c, actor=editor)
    decide_claim(Claim.objects.get(pk=c.pk), reviewer=reviewer, editor=editor)
    second = _correct(article, editor, "Added the mayor's crime figure.")

    assert second.payload["format"] == FORMAT
    assert [(x["n"], x["text"]) for x in second.payload["claims"]] == [
        (3, c.text),
        (1, a.text),
        (2, b.text),
    ]
    assert [ch["change"] for ch in second.payload["changes"]] == ["added"]
    for n, claim in ((1, a), (2, b)):
        response = _claim_page(client, article.slug, n)
        assert _claimreview(response)["claimReviewed"] == claim.text


def test_dismissed_claims_get_no_number(article, editor):
    c, a, b = _claims(article)
    workflow.publish_article(article, actor=editor)
    numbers = dict(Claim.objects.values_list("pk", "public_number"))
    assert numbers == {c.pk: None, a.pk: 1, b.pk: 2}
    assert Claim.objects.get(pk=c.pk).state == ClaimState.DISMISSED
