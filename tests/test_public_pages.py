"""The public pages, feeds and exports, as an anonymous visitor sees them."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.conf import settings

from factcheck import workflow

from .factories import decide_claim, make_article, make_decided_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(reviewer, editor):
    article = make_decided_article(
        reviewer=reviewer,
        editor=editor,
        ratings=["false", "false", "true"],
        title="Exports and wagons",
        outlet="Daily Planet",
        original_url="https://planet.example/story",
    )
    workflow.publish_article(article, actor=editor)
    return article


def test_summary_page_shows_the_published_results(published, client):
    response = client.get(f"/fact-checks/{published.slug}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Exports and wagons" in html and "Daily Planet" in html
    assert 'href="https://planet.example/story"' in html
    assert "3 claims checked: 1 True, 2 False." in html
    assert "2 of 3 (67%)" in html and "chart-bar w-65" in html
    assert html.count('class="claim"') == 3
    assert "Rationale for claim 2" in html
    assert "Export statistics 2025" in html
    assert settings.FACTCHECK["CORRECTIONS_POLICY"] in html
    assert "Version 1" in html
    assert (
        f'<link rel="canonical" href="http://testserver/fact-checks/{published.slug}/">'
        in html
    )
    assert '<meta property="og:title" content="Fact-check: Exports and wagons">' in html
    assert "public.css" in html


def test_public_pages_have_no_inline_script_or_style(published, client):
    for url in [
        "/fact-checks/",
        f"/fact-checks/{published.slug}/",
        f"/fact-checks/{published.slug}/claims/1/",
    ]:
        html = client.get(url).content.decode()

        assert "style=" not in html
        assert not re.search(r"\son[a-z]+=", html)
        scripts = re.findall(r"<script[^>]*>", html)
        assert all('type="application/ld+json"' in s for s in scripts), scripts


def test_print_stylesheet_exists():
    css = (
        Path(settings.BASE_DIR) / "factcheck/static/factcheck/public.css"
    ).read_text()

    assert "@media print" in css
    assert ".w-65 { width: 65%; }" in css


def test_claim_page_shows_one_claim_and_the_report_form(published, client):
    response = client.get(f"/fact-checks/{published.slug}/claims/3/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "data-claimreview-rating>True<" in html
    assert html.count('type="application/ld+json"') == 1
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'class="hp"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/fact-checks/nope/",
        "/fact-checks/nope/claims/1/",
        "/fact-checks/nope/export.csv",
    ],
)
def test_unknown_pages_are_404(path, client):
    assert client.get(path).status_code == 404


def test_unknown_claim_number_is_404(published, client):
    assert client.get(f"/fact-checks/{published.slug}/claims/9/").status_code == 404
    assert client.get(f"/fact-checks/{published.slug}/claims/0/").status_code == 404


def test_an_article_in_review_has_no_public_page(reviewer, client):
    article = make_article(actor=reviewer)

    assert client.get(f"/fact-checks/{article.slug}/").status_code == 404


def test_summary_is_cached_per_version(
    published, editor, other_editor, client, django_assert_max_num_queries
):
    url = f"/fact-checks/{published.slug}/"
    client.get(url)

    with django_assert_max_num_queries(1):
        assert client.get(url).status_code == 200

    claim = published.claims.order_by("start").first()
    claim = workflow.reopen_claim(claim, actor=other_editor, reason="New data.")
    decide_claim(claim, reviewer=claim.assignee, editor=editor, rating_slug="true")
    workflow.publish_article(
        published, actor=editor, correction_note="The ministry corrected its figures."
    )
    html = client.get(url).content.decode()
    assert "3 claims checked: 2 True, 1 False." in html
    assert "The ministry corrected its figures." in html
    assert "rating changed from <strong>False</strong> to <strong>True</strong>" in html
    assert "Version 1" in html and "Version 2" in html


def test_index_lists_newest_first_searches_and_skips_unpublished(
    reviewer, editor, client
):
    older = make_decided_article(reviewer=reviewer, editor=editor, title="Older one")
    workflow.publish_article(older, actor=editor)
    newer = make_decided_article(
        reviewer=reviewer,
        editor=editor,
        title="Newer one",
        lines=["Zebras outnumber horses in Lisbon since 2019."],
    )
    workflow.publish_article(newer, actor=editor)
    gone = make_decided_article(reviewer=reviewer, editor=editor, title="Gone one")
    workflow.publish_article(gone, actor=editor)
    workflow.unpublish_article(gone, actor=editor, reason="Legal.")

    html = client.get("/fact-checks/").content.decode()
    found = client.get("/fact-checks/?q=zebras").content.decode()

    assert html.index("Newer one") < html.index("Older one")
    assert "Gone one" not in html
    assert "Newer one" in found and "Older one" not in found


@pytest.mark.parametrize("articles", [1, 25])
def test_index_query_count_is_constant(
    articles, reviewer, editor, client, django_assert_max_num_queries
):
    for _ in range(articles):
        article = make_decided_article(
            reviewer=reviewer, editor=editor, lines=["Exports rose 12 percent."]
        )
        workflow.publish_article(article, actor=editor)

    # The page, its latest snapshots, plus the publisher's name (cached after the
    # first request).
    with django_assert_max_num_queries(3):
        response = client.get("/fact-checks/?page=1")

    assert response.status_code == 200


def test_index_paginates(reviewer, editor, client):
    for _ in range(21):
        article = make_decided_article(
            reviewer=reviewer, editor=editor, lines=["Exports rose 12 percent."]
        )
        workflow.publish_article(article, actor=editor)

    first = client.get("/fact-checks/")
    second = client.get("/fact-checks/" + first.context["page"].next).content.decode()

    assert "Fact-checks 1–20" in first.text and 'rel="next">Older' in first.text
    assert second.count("<h2>") == 1 and 'rel="prev">Newer' in second


def test_claimreview_feed_lists_published_claims(published, client):
    data = client.get("/fact-checks/claimreview.json").json()

    items = data["dataFeedElement"][0]["item"]
    assert data["@type"] == "DataFeed"
    assert [i["reviewRating"]["alternateName"] for i in items] == [
        "False",
        "False",
        "True",
    ]


def test_atom_feed(published, client):
    response = client.get("/fact-checks/feed.atom")

    root = ElementTree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert response["Content-Type"].startswith("application/atom+xml")
    assert [
        e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)
    ] == ["Exports and wagons"]


def test_csv_and_json_exports(published, client):
    csv_response = client.get(f"/fact-checks/{published.slug}/export.csv")
    json_response = client.get(f"/fact-checks/{published.slug}/export.json")

    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode())))
    data = json.loads(json_response.content)
    assert [r["rating"] for r in rows] == ["False", "False", "True"]
    assert rows[0]["url"].endswith(f"/fact-checks/{published.slug}/claims/1/")
    assert data["version"] == 1 and len(data["claims"]) == 3
    assert "ref" not in data["claims"][0]
    assert "search_text" not in data


def test_csv_export_neutralises_formulas(reviewer, editor, client):
    article = make_decided_article(
        reviewer=reviewer, editor=editor, lines=["=HYPERLINK(evil) is a claim."]
    )
    workflow.publish_article(article, actor=editor)

    body = client.get(f"/fact-checks/{article.slug}/export.csv").content.decode()

    assert "'=HYPERLINK" in body
