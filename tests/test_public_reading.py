"""How a reader meets the verdict: right after the claim, large, coloured, with the
rating's definition; the claim page's heading is the claim; one date format and
one type scale and font family across the public pages; the index shows each
fact-check's verdicts."""

from __future__ import annotations

import calendar
import re
from pathlib import Path

import pytest
from django.conf import settings

from factcheck import workflow
from factcheck.models import Publication

from .factories import make_decided_article

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r">\s*\d{4}-\d{2}-\d{2}")  # an ISO date shown as text
MONTHS = "|".join(calendar.month_name[1:])
PUBLIC_DATE = re.compile(
    rf"<time datetime=\"[^\"]+\">\d{{1,2}} ({MONTHS}) \d{{4}}</time>"
)


@pytest.fixture
def published(reviewer, editor):
    article = make_decided_article(
        reviewer=reviewer,
        editor=editor,
        ratings=["false", "true", "unverifiable"],
        title="Exports and wagons",
        outlet="Daily Planet",
        original_published_on="2026-01-15",
    )
    workflow.publish_article(article, actor=editor)
    return article


def test_the_snapshot_carries_the_rating_definition(published):
    payload = Publication.objects.get(article=published).payload

    ratings = {c["rating"]["slug"]: c["rating"] for c in payload["claims"]}
    assert ratings["false"]["description"] == "The claim is inaccurate."


def test_summary_shows_each_verdict_right_after_its_claim(published, client):
    html = client.get(f"/fact-checks/{published.slug}/").content.decode()

    items = re.findall(
        r'<li id="claim-\d+" class="claim">(.*?)</li>\s*(?=<li id|</ol)', html, re.S
    )
    assert len(items) == 3
    for item, label in zip(items, ["False", "True", "Unverifiable"], strict=True):
        claim_end = item.index("</blockquote>")
        verdict = item.index('<div class="verdict">')
        assert item[claim_end:verdict].strip() == "</blockquote>"
        assert f'data-rating="{label.lower()}">{label}</span>' in item
        assert item.index('class="verdict-definition"') < item.index("rationale")
    assert "The claim is inaccurate." in html
    assert "can neither confirm nor refute" in html


def test_claim_page_heading_is_the_claim_and_the_verdict_follows(published, client):
    claim = published.claims.get(public_number=2)

    html = client.get(f"/fact-checks/{published.slug}/claims/2/").content.decode()

    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    assert h1 == claim.text
    assert "Claim 2 from" in html
    after = html[html.index("</h1>") :]
    assert after.index('<div class="verdict') < after.index('class="meta"')
    assert html.count("data-claimreview-rating") == 1
    assert "data-claimreview-rating>True<" in html
    assert "The claim is accurate." in html
    assert "badge rating verdict-badge" in html


def test_older_snapshots_without_definitions_still_render(published, client):
    publication = Publication.objects.get(article=published)
    payload = publication.payload
    for claim in payload["claims"]:
        claim["rating"].pop("description")
    Publication.objects.filter(pk=publication.pk).update(payload=payload)

    summary = client.get(f"/fact-checks/{published.slug}/")
    claim = client.get(f"/fact-checks/{published.slug}/claims/1/")

    assert summary.status_code == claim.status_code == 200
    for html in (summary.content.decode(), claim.content.decode()):
        assert "verdict-definition" not in html
        assert "The claim is inaccurate." not in html


def test_one_date_format_across_the_public_pages(published, editor, client):
    pages = [
        "/fact-checks/",
        f"/fact-checks/{published.slug}/",
        f"/fact-checks/{published.slug}/claims/1/",
    ]
    for url in pages:
        html = client.get(url).content.decode()

        times = re.findall(r"<time[^>]*>.*?</time>", html)
        assert times, url
        assert all(PUBLIC_DATE.fullmatch(t) for t in times), (url, times)
        assert not ISO_DATE.search(html), url
    summary = client.get(pages[1]).content.decode()
    assert '<time datetime="2026-01-15">15 January 2026</time>' in summary


def test_index_shows_each_fact_checks_verdicts(published, client):
    html = client.get("/fact-checks/").content.decode()

    assert "3 claims checked:" in html
    assert '<ul class="verdict-counts" aria-labelledby="verdicts-1">' in html
    for label in ("True", "False", "Unverifiable"):
        slug = label.lower()
        assert (
            f'<span class="badge rating" data-rating="{slug}">1 {label}</span>' in html
        )


def test_public_pages_use_the_generated_rating_colours(published, client):
    html = client.get(f"/fact-checks/{published.slug}/").content.decode()
    css = client.get("/ratings.css").content.decode()

    assert '<link rel="stylesheet" href="/ratings.css">' in html
    assert '.badge.rating[data-rating="false"]' in css


def test_public_css_has_one_font_family_and_one_type_scale():
    css = (
        Path(settings.BASE_DIR) / "factcheck/static/factcheck/public.css"
    ).read_text()

    families = re.findall(r"font-family\s*:\s*([^;}]+)", css)
    assert families == ["var(--font)"]
    shorthand = re.compile(r"(?<![-\w])font\s*:(?!\s*inherit)")  # names families
    assert not shorthand.search(css)
    sizes = re.findall(r"font-size\s*:\s*([^;}]+)", css)
    assert sizes and all(re.fullmatch(r"var\(--step--?\d\)", s.strip()) for s in sizes)
