"""Claimants in the public record: the snapshot, ClaimReview's itemReviewed.author,
the claim and summary pages, and one public page per claimant.

The transcript and articles here were written for these tests.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from factcheck import workflow
from factcheck.claimreview import claimreview_for, lint_claimreview

from .factories import decide_claim, make_article, make_decided_article

pytestmark = pytest.mark.django_db

TRANSCRIPT = """Valley Radio debate on water

MODERATOR: Welcome. Tonight we talk about the reservoir.
MAYOR INGRID SOLHEIM: The reservoir holds 40 million cubic metres. We fixed 300 leaks.
Tomas Berg: Water bills rose 18 percent under this council.
"""


def _markup(html: str) -> dict:
    opening = '<script type="application/ld+json">'
    start = html.index(opening) + len(opening)
    return json.loads(html[start : html.index("</script>", start)])


def _publish_transcript(reviewer, editor):
    """Ingest the transcript, approve the claims about the reservoir and the bills,
    dismiss the rest, publish."""
    article = workflow.create_article(
        actor=reviewer,
        raw=TRANSCRIPT,
        metadata={
            "title": "Water debate",
            "outlet": "Valley Radio",
            "original_url": "https://radio.example/debate",
        },
        threshold=0.0,
    )
    for claim in article.claims.order_by("start"):
        if "40 million" in claim.text or "18 percent" in claim.text:
            decide_claim(claim, reviewer=reviewer, editor=editor)
        else:
            workflow.dismiss_claim(claim, actor=editor, reason="Not checkable.")
    workflow.publish_article(article, actor=editor)
    article.refresh_from_db()
    return article


def _number(article, words: str) -> int:
    return article.claims.get(text__contains=words).public_number


def test_a_transcript_speaker_is_the_claimreview_item_author(reviewer, editor, client):
    article = _publish_transcript(reviewer, editor)
    n = _number(article, "40 million")

    html = client.get(reverse("public-claim", args=[article.slug, n])).text

    item = _markup(html)["itemReviewed"]
    assert item["author"] == {
        "@type": "Person",
        "name": "Ingrid Solheim",
        "jobTitle": "Mayor",
    }
    assert item["appearance"] == {
        "@type": "CreativeWork",
        "url": "https://radio.example/debate",
    }
    assert "Claimed by" in html and "Ingrid Solheim</a>, Mayor" in html


def test_the_snapshot_records_the_claimant(reviewer, editor):
    article = _publish_transcript(reviewer, editor)

    entries = article.publications.get().payload["claims"]

    assert [e["claimant"] for e in entries] == [
        {
            "name": "Ingrid Solheim",
            "kind": "person",
            "role": "Mayor",
            "same_as": "",
            "slug": "ingrid-solheim",
        },
        {
            "name": "Tomas Berg",
            "kind": "person",
            "role": "",
            "same_as": "",
            "slug": "tomas-berg",
        },
    ]


def test_an_organisation_claimant_with_description_and_same_as(
    reviewer, editor, client
):
    article = make_article(
        actor=reviewer, lines=["The water board said 12 wells ran dry in 2025."]
    )
    claim = workflow.set_claimant(
        article.claims.get(),
        actor=reviewer,
        name="Valley Water Board",
        kind="organisation",
        role="Regional water utility",
        same_as="https://www.wikidata.org/wiki/Q7",
    )
    decide_claim(claim, reviewer=reviewer, editor=editor)
    workflow.publish_article(article, actor=editor)

    html = client.get(reverse("public-claim", args=[article.slug, 1])).text

    assert _markup(html)["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Valley Water Board",
        "description": "Regional water utility",
        "sameAs": "https://www.wikidata.org/wiki/Q7",
    }


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        (
            {"author": "Ruth Amsel", "outlet": "Valley Post"},
            {"@type": "Person", "name": "Ruth Amsel"},
        ),
        ({"outlet": "Valley Post"}, {"@type": "Organization", "name": "Valley Post"}),
    ],
)
def test_without_a_claimant_the_article_itself_asserts_the_claim(
    reviewer, editor, client, metadata, expected
):
    article = make_decided_article(
        reviewer=reviewer,
        editor=editor,
        lines=["Water bills rose 18 percent in two years."],
        **metadata,
    )
    workflow.publish_article(article, actor=editor)

    html = client.get(reverse("public-claim", args=[article.slug, 1])).text

    assert _markup(html)["itemReviewed"]["author"] == expected
    assert "Claimed by" not in html


def test_a_snapshot_from_before_claimants_still_renders():
    publication = SimpleNamespace(
        payload={
            "article": {"outlet": "Valley Post", "author": ""},
            "published_at": "2026-01-02T10:00:00+00:00",
            "version": 1,
        }
    )
    entry = {
        "n": 1,
        "text": "Water bills rose.",
        "rating": {"label": "False", "slug": "false", "value": 1},
        "sources": [{"url": "https://x.example/"}],
    }

    review = claimreview_for(publication, entry, page_url="https://d.example/c/1/")

    assert review["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Valley Post",
    }


def test_the_linter_refuses_the_reviewer_as_its_own_claimant():
    page = "https://desk.example/fact-checks/a/claims/1/"
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": page,
        "claimReviewed": "We checked 30 claims.",
        "reviewRating": {"@type": "Rating", "alternateName": "True"},
        "author": {"@type": "Organization", "name": "Valley Checks"},
        "datePublished": "2026-02-01",
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Organization", "name": " valley  CHECKS "},
        },
    }

    problems = lint_claimreview(review, page_url=page)

    assert any("claimant cannot be the fact-checker" in p for p in problems)
    review["itemReviewed"]["author"]["name"] = "Valley Water Board"
    assert lint_claimreview(review, page_url=page) == []


def test_check_claimreview_fails_when_the_desk_is_the_claimant(
    reviewer, editor, capsys
):
    # The desk's own name (the settings' placeholder publisher) quoted as a source.
    article = make_decided_article(
        reviewer=reviewer,
        editor=editor,
        lines=["Factcheck Desk said it checked 30 claims in May."],
    )
    workflow.publish_article(article, actor=editor)

    with pytest.raises(CommandError):
        call_command("check_claimreview", article.slug)

    assert "claimant cannot be the fact-checker" in capsys.readouterr().err


def test_check_claimreview_passes_on_published_claimant_pages(reviewer, editor, capsys):
    _publish_transcript(reviewer, editor)

    call_command("check_claimreview", "--all")

    assert "ClaimReview OK on 2 page(s)" in capsys.readouterr().out


def test_the_summary_page_says_who_made_each_claim(reviewer, editor, client):
    article = _publish_transcript(reviewer, editor)

    html = client.get(reverse("public-summary", args=[article.slug])).text

    assert html.count("Claimed by") == 2
    assert reverse("public-claimant", args=["tomas-berg"]) in html


# --- The claimant's page -------------------------------------------------------


def test_the_claimant_page_lists_rated_claims_with_links(reviewer, editor, client):
    article = _publish_transcript(reviewer, editor)
    n = _number(article, "18 percent")

    response = client.get(reverse("public-claimant", args=["tomas-berg"]))

    html = response.text
    assert response.status_code == 200
    assert "<h1>Tomas Berg</h1>" in html
    assert "Water bills rose 18 percent under this council." in html
    assert 'data-rating="false"' in html
    assert reverse("public-claim", args=[article.slug, n]) in html
    assert "40 million" not in html  # the mayor's claim is on her own page


@pytest.mark.parametrize("slug", ["nobody-at-all", "moderator"])
def test_unknown_claimants_are_404(reviewer, editor, client, slug):
    _publish_transcript(reviewer, editor)

    assert client.get(reverse("public-claimant", args=[slug])).status_code == 404


def test_a_claimant_with_nothing_published_is_404(reviewer, editor, client):
    make_article(actor=reviewer, lines=["Edda Holm said 40 ferries run daily."])
    published = _publish_transcript(reviewer, editor)
    workflow.unpublish_article(published, actor=editor, reason="Legal check.")

    for slug in ("edda-holm", "tomas-berg"):
        assert client.get(reverse("public-claimant", args=[slug])).status_code == 404


def test_the_page_reads_the_snapshot_not_later_edits(
    reviewer, editor, other_editor, client
):
    article = _publish_transcript(reviewer, editor)
    claim = article.claims.get(text__contains="18 percent")
    claim = workflow.reopen_claim(claim, actor=other_editor, reason="Who said it?")
    workflow.set_claimant(claim, actor=editor, name="Tomas Berg", role="Councillor")
    url = reverse("public-claimant", args=["tomas-berg"])

    before = client.get(url).text
    decide_claim(claim, reviewer=reviewer, editor=editor)
    workflow.publish_article(article, actor=editor, correction_note="Role added.")
    after = client.get(url).text

    assert "Councillor" not in before
    assert "Councillor" in after
    summary = client.get(reverse("public-summary", args=[article.slug])).text
    assert "now attributed to Tomas Berg, Councillor (was Tomas Berg)" in summary


def _claims_by(speaker: str, count: int, reviewer, editor) -> None:
    for i in range(count):
        article = make_article(
            actor=reviewer, lines=[f"{speaker} said {i + 2} ferries sank in 2024."]
        )
        decide_claim(article.claims.get(), reviewer=reviewer, editor=editor)
        workflow.publish_article(article, actor=editor)


def test_the_claimant_page_costs_the_same_queries_for_many_claims(
    reviewer, editor, client, django_assert_num_queries
):
    _claims_by("Edda Holm", 1, reviewer, editor)
    _claims_by("Bo Lind", 6, reviewer, editor)
    client.get(reverse("public-index"))  # the publisher's details are now cached
    with django_assert_num_queries(3) as one:  # page, its snapshots, numbers
        client.get(reverse("public-claimant", args=["edda-holm"]))

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("public-claimant", args=["bo-lind"]))

    assert response.text.count('class="claim"') == 6
