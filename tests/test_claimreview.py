"""ClaimReview markup: every published claim page, parsed back from its HTML, is valid.

The linter's rules: exactly one ClaimReview per page, required properties,
alternateName always, numeric fields only (and all together, in range) for numeric
ratings, url equal to the page on the same domain, markup rating == visible rating.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from factcheck import workflow
from factcheck.claimreview import CLAIM_REVIEWED_MAX, lint_page, short_claim

from .factories import decide_claim, make_decided_article

pytestmark = pytest.mark.django_db

LONG_CLAIM = (
    "The minister told parliament that the new programme created exactly 48,000 "
    "jobs in the northern provinces during its first year, that unemployment fell "
    "by a third, that exports doubled, that every new job paid above the national "
    "median wage, and that independent auditors had verified each of these figures "
    "before the budget debate began in earnest last spring."
)
# Verdicts only: a "Not a factual claim" page carries no ClaimReview at all
# (tests/test_claimreview_eligibility.py).
RATINGS = ["false", "true", "unverifiable", "misleading"]


@pytest.fixture
def published(reviewer, editor):
    article = make_decided_article(
        reviewer=reviewer,
        editor=editor,
        ratings=RATINGS,
        lines=[
            "Exports rose 12 percent in 2025.",
            "3,400 wagons entered service.",
            "The treaty was signed in 2001.",
            LONG_CLAIM,
        ],
        outlet="Daily Planet",
        original_url="https://planet.example/story",
        original_published_on="2026-01-15",
    )
    workflow.publish_article(article, actor=editor)
    return article


def _markup(html: str) -> dict:
    start = html.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_every_published_claim_page_lints_clean(published, client):
    for n in range(1, len(RATINGS) + 1):
        url = f"/fact-checks/{published.slug}/claims/{n}/"
        response = client.get(url)

        html = response.content.decode()
        assert response.status_code == 200
        assert lint_page(html, page_url=f"http://testserver{url}") == []


def test_numeric_and_non_numeric_ratings(published, client):
    false = _markup(client.get(f"/fact-checks/{published.slug}/claims/1/").text)
    unverifiable = _markup(client.get(f"/fact-checks/{published.slug}/claims/3/").text)

    assert false["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "False",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert unverifiable["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Unverifiable",
    }


def test_markup_carries_the_claim_and_its_appearance(published, client):
    data = _markup(client.get(f"/fact-checks/{published.slug}/claims/4/").text)

    assert data["@type"] == "ClaimReview"
    assert len(data["claimReviewed"]) <= CLAIM_REVIEWED_MAX
    assert data["claimReviewed"].endswith("…")
    assert data["url"] == f"http://testserver/fact-checks/{published.slug}/claims/4/"
    assert data["author"] == {
        "@type": "Organization",
        "name": "Factcheck Desk",
        "url": "https://factcheck.example",
    }
    assert data["itemReviewed"] == {
        "@type": "Claim",
        # The claimant its own sentence names ("The minister told parliament ..."),
        # not the outlet that reported it.
        "author": {"@type": "Person", "name": "The minister"},
        "datePublished": "2026-01-15",
        "appearance": {"@type": "CreativeWork", "url": "https://planet.example/story"},
    }


def test_after_a_correction_markup_and_visible_rating_agree(
    published, editor, other_editor, client
):
    claim = published.claims.order_by("start").first()
    claim = workflow.reopen_claim(claim, actor=other_editor, reason="New data.")
    decide_claim(
        claim, reviewer=claim.assignee, editor=editor, rating_slug="mostly-true"
    )
    workflow.publish_article(published, actor=editor, correction_note="New data.")

    url = f"/fact-checks/{published.slug}/claims/1/"
    html = client.get(url).text

    assert (
        lint_page(
            html, page_url=f"http://testserver{url}", visible_rating="Mostly true"
        )
        == []
    )
    assert _markup(html)["reviewRating"]["ratingValue"] == 4


def test_the_command_lints_every_published_page(published, capsys):
    call_command("check_claimreview", "--all")

    assert "ClaimReview OK on 4 page(s)" in capsys.readouterr().out


def test_the_command_fails_on_an_unpublished_slug(published, editor):
    workflow.unpublish_article(published, actor=editor, reason="Legal.")

    with pytest.raises(CommandError):
        call_command("check_claimreview", published.slug)


def test_short_claim_cuts_at_a_word():
    assert short_claim("a " * 400).endswith("…")
    assert len(short_claim("word " * 200)) <= CLAIM_REVIEWED_MAX
    assert short_claim("Short claim.") == "Short claim."


# --- The linter itself, on hand-made pages ----------------------------------------

PAGE = "https://desk.example/fact-checks/a/claims/1/"
GOOD = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": PAGE,
    "claimReviewed": "Exports rose.",
    "reviewRating": {
        "@type": "Rating",
        "alternateName": "False",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
    },
    "author": {"@type": "Organization", "name": "Desk"},
    "datePublished": "2026-02-01",
    "itemReviewed": {"@type": "Claim"},
}


def _page(*objects, visible="False") -> str:
    blocks = "".join(
        f'<script type="application/ld+json">{json.dumps(o)}</script>' for o in objects
    )
    badge = f"<strong data-claimreview-rating> {visible} </strong>" if visible else ""
    return f"<html><body>{badge}{blocks}</body></html>"


def _with(**changes) -> dict:
    return {**GOOD, **changes}


def _rating(**changes) -> dict:
    return {**GOOD["reviewRating"], **changes}


def test_lint_accepts_a_good_page():
    assert lint_page(_page(GOOD), page_url=PAGE) == []


@pytest.mark.parametrize(
    "page, expected",
    [
        (_page(), "exactly one ClaimReview, found 0"),
        (_page(GOOD, GOOD), "exactly one ClaimReview, found 2"),
        (_page(_with(url="https://other.example/x")), "not on the page's domain"),
        (_page(_with(url=PAGE + "?x")), "is not this page"),
        (_page(_with(claimReviewed="")), "claimReviewed is required"),
        (_page(_with(claimReviewed="x" * 301)), "longer than 300"),
        (_page(_with(reviewRating=_rating(alternateName=""))), "alternateName"),
        (_page(_with(reviewRating=_rating(ratingValue=7))), "outside"),
        (
            _page(
                _with(
                    reviewRating={
                        "@type": "Rating",
                        "alternateName": "False",
                        "ratingValue": 1,
                    }
                )
            ),
            "all or none",
        ),
        (_page(_with(datePublished="yesterday")), "datePublished"),
        (_page(_with(author={})), "author"),
        (_page(_with(itemReviewed={"@type": "Thing"})), "@type Claim"),
        (_page(GOOD, visible="True"), "differs from the markup"),
        (_page(GOOD, visible=None), "one visible rating"),
        (
            '<script type="application/ld+json">{not json</script>',
            "not valid JSON",
        ),
    ],
)
def test_lint_finds_problems(page, expected):
    problems = lint_page(page, page_url=PAGE)

    assert any(expected in p for p in problems), problems


def test_lint_compares_with_the_given_verdict():
    problems = lint_page(_page(GOOD), page_url=PAGE, visible_rating="True")

    assert any("is not the verdict" in p for p in problems)


def test_lint_finds_claimreview_inside_a_graph():
    graph = {"@context": "https://schema.org", "@graph": [GOOD, GOOD]}

    assert "found 2" in lint_page(_page(graph), page_url=PAGE)[0]
