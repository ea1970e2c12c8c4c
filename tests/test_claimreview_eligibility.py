"""Which claims get ClaimReview: a verdict on a factual claim (``Rating.is_verdict``)
with at least one source. Others are published with their rating, without markup."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from factcheck import workflow
from factcheck.claimreview import carries_claimreview, claimreview_for, lint_page
from factcheck.models import Publication, Rating
from factcheck.publishing import rating_is_verdict
from factcheck.workflow.scale import FIELDS, VERDICT_NEEDS_SOURCE

from .factories import decide_claim, make_article, rating

pytestmark = pytest.mark.django_db

LINES = [
    "Exports rose 12 percent in 2025.",
    "This is the best government we have ever had.",
]


@pytest.fixture
def mixed(reviewer, editor):
    """A published fact-check: claim 1 rated False (with a source), claim 2 rated
    "Not a factual claim" (no source: that rating needs none)."""
    article = make_article(actor=reviewer, lines=LINES, title="Exports and praise")
    first, second = article.claims.order_by("start")
    decide_claim(first, reviewer=reviewer, editor=editor)
    second = workflow.take_claim(second, actor=reviewer)
    second = workflow.submit_verdict(
        second,
        actor=reviewer,
        rating=rating("not-a-factual-claim"),
        rationale="A statement of opinion.",
    )
    workflow.approve_verdict(second, actor=editor)
    workflow.publish_article(article, actor=editor)
    return article


def _claim_url(article, n: int) -> str:
    return reverse("public-claim", args=[article.slug, n])


# --- The snapshot ---------------------------------------------------------------------


def test_the_snapshot_records_whether_each_rating_is_a_verdict(mixed):
    payload = mixed.publications.get().payload

    assert [c["rating"]["is_verdict"] for c in payload["claims"]] == [True, False]
    assert [carries_claimreview(c) for c in payload["claims"]] == [True, False]


@pytest.mark.parametrize(
    ("rating_entry", "expected"),
    [
        ({"slug": "false", "label": "False", "value": 1}, True),
        ({"slug": "unverifiable", "label": "Unverifiable", "value": None}, True),
        ({"slug": "not-a-factual-claim", "label": "Not a factual claim"}, False),
        ({"slug": "not-a-factual-claim", "is_verdict": True}, True),
        ({"slug": "false", "is_verdict": False}, False),
    ],
)
def test_older_snapshots_without_the_key_read_sensibly(rating_entry, expected):
    assert rating_is_verdict(rating_entry) is expected


def test_a_verdict_without_a_source_gets_no_markup():
    publication = SimpleNamespace(payload={"article": {}, "version": 1})
    entry = {
        "n": 1,
        "text": "Exports rose.",
        "rating": {"label": "False", "slug": "false", "value": 1, "is_verdict": True},
        "sources": [],
    }

    assert claimreview_for(publication, entry, page_url="https://d.example/") is None
    assert carries_claimreview({**entry, "sources": [{"url": "https://s.example"}]})


# --- The public pages and the feed ----------------------------------------------------


def test_a_non_verdict_claim_page_shows_the_rating_but_no_claimreview(mixed, client):
    response = client.get(_claim_url(mixed, 2))

    html = response.content.decode()
    assert response.status_code == 200
    assert "This is the best government we have ever had." in html
    assert "data-claimreview-rating>Not a factual claim<" in html
    assert "ClaimReview" not in html.split('<main id="main"')[1].split("</main>")[0]
    assert 'type="application/ld+json"' not in html
    page_url = f"http://testserver{_claim_url(mixed, 2)}"
    assert lint_page(html, page_url=page_url, expect_claimreview=False) == []
    assert lint_page(html, page_url=page_url) != []


def test_the_verdict_claim_page_keeps_exactly_one_claimreview(mixed, client):
    html = client.get(_claim_url(mixed, 1)).content.decode()

    assert lint_page(html, page_url=f"http://testserver{_claim_url(mixed, 1)}") == []


def test_the_summary_lists_every_claim(mixed, client):
    html = client.get(reverse("public-summary", args=[mixed.slug])).content.decode()

    assert "Exports rose 12 percent in 2025." in html
    assert "This is the best government we have ever had." in html
    assert "Not a factual claim" in html


def test_the_feed_omits_non_verdict_claims_and_fact_checks_without_any(
    mixed, reviewer, editor, client
):
    only_opinion = make_article(actor=reviewer, lines=[LINES[1]], title="Praise")
    claim = workflow.take_claim(only_opinion.claims.get(), actor=reviewer)
    claim = workflow.submit_verdict(
        claim, actor=reviewer, rating=rating("not-a-factual-claim"), rationale="Opinion"
    )
    workflow.approve_verdict(claim, actor=editor)
    workflow.publish_article(only_opinion, actor=editor)

    feed = client.get(reverse("public-claimreview-feed")).json()

    [item] = feed["dataFeedElement"]
    assert item["url"].endswith(f"/fact-checks/{mixed.slug}/")
    assert [r["claimReviewed"] for r in item["item"]] == [LINES[0]]


def test_check_claimreview_expects_markup_only_on_verdict_pages(mixed, capsys):
    call_command("check_claimreview", "--all")

    out = capsys.readouterr().out
    assert "ClaimReview OK on 2 page(s)" in out
    assert "(1 with ClaimReview, 1 without)" in out


def test_check_claimreview_flags_markup_on_an_old_non_verdict_page(mixed, capsys):
    """A snapshot from before ``is_verdict`` existed, whose non-verdict claim had a
    source: the fallback rule (by slug) still leaves it without markup, and the
    command checks the page against the same rule."""
    publication = mixed.publications.get()
    payload = publication.payload
    for claim in payload["claims"]:
        del claim["rating"]["is_verdict"]
    payload["claims"][1]["sources"] = payload["claims"][0]["sources"]
    Publication.objects.filter(pk=publication.pk).update(payload=payload)

    call_command("check_claimreview", mixed.slug)

    assert "(1 with ClaimReview, 1 without)" in capsys.readouterr().out


def test_check_claimreview_fails_on_markup_where_none_belongs(mixed, client, capsys):
    """A page served with ClaimReview (here: cached before the snapshot was forged
    to say the rating is no verdict) is flagged."""
    client.get(_claim_url(mixed, 1), secure=True)  # cached, with its ClaimReview
    publication = mixed.publications.get()
    payload = publication.payload
    payload["claims"][0]["rating"]["is_verdict"] = False
    Publication.objects.filter(pk=publication.pk).update(payload=payload)

    with pytest.raises(CommandError):
        call_command("check_claimreview", "--all", "--host", "testserver")

    assert "Expected no ClaimReview" in capsys.readouterr().err


# --- The rating editor ----------------------------------------------------------------


def _rating_form(r: Rating, **changes) -> dict:
    data = {name: getattr(r, name) for name in FIELDS} | changes
    form = {
        k: ("on" if v is True else v) for k, v in data.items() if v not in (None, False)
    }
    form["value"] = "" if data["value"] is None else str(data["value"])
    return form


def test_the_scale_editor_shows_the_verdict_checkbox(client, admin_user):
    client.force_login(admin_user)

    edit = client.get(reverse("rating-edit", args=[rating("false").pk])).text
    new = client.get(reverse("rating-create")).text

    assert 'name="is_verdict"' in edit and 'name="is_verdict"' in new
    assert 'id="id_is_verdict" checked' in new


def test_a_verdict_that_needs_no_source_is_a_form_error_not_a_500(client, admin_user):
    client.force_login(admin_user)
    nfc = rating("not-a-factual-claim")

    response = client.post(
        reverse("rating-edit", args=[nfc.pk]), _rating_form(nfc, is_verdict=True)
    )

    assert response.status_code == 400
    assert "must cite a source" in response.content.decode()
    nfc.refresh_from_db()
    assert (nfc.is_verdict, nfc.requires_source) == (False, False)


def test_the_workflow_refuses_it_too(admin_user):
    with pytest.raises(ValidationError) as refused:
        workflow.update_rating(rating("false"), actor=admin_user, requires_source=False)
    with pytest.raises(ValidationError):
        workflow.create_rating(
            actor=admin_user, label="Satire", colour="#777777", requires_source=False
        )

    assert VERDICT_NEEDS_SOURCE in refused.value.messages
    assert rating("false").requires_source


def test_an_admin_can_make_a_rating_a_non_verdict(client, admin_user):
    client.force_login(admin_user)
    unverifiable = rating("unverifiable")

    response = client.post(
        reverse("rating-edit", args=[unverifiable.pk]),
        _rating_form(unverifiable, is_verdict=False, requires_source=False),
    )

    assert response.status_code == 302
    unverifiable.refresh_from_db()
    assert (unverifiable.is_verdict, unverifiable.requires_source) == (False, False)
    listing = client.get(reverse("rating-list")).content.decode()
    assert "Verdict (ClaimReview)" in listing
