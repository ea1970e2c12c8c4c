"""Acceptance: an editor previews an article's public page (banner, noindex, the
claims it would show), publishes, and the published page puts each verdict right
after its claim, large and coloured. Both pages are captured as screenshots, and
axe-core finds no WCAG 2.1 AA violations on either."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from factcheck.claimreview import lint_page
from factcheck.roles import Role
from tests.factories import DEFAULT_LINES, make_decided_article, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
}
PNG = b"\x89PNG\r\n\x1a\n"


def _assert_accessible(page) -> None:
    results = Axe().run(page, options=WCAG_AA)
    assert results.response["passes"], "axe did not run"
    violations = results.response["violations"]
    assert violations == [], results.generate_report()


def _capture(page, path) -> None:
    page.screenshot(path=str(path), full_page=True)
    data = path.read_bytes()
    assert data.startswith(PNG) and len(data) > 1_000


def _verdict_follows_claim(page, claim_selector: str) -> bool:
    """Is the element right after each claim the verdict?"""
    return page.eval_on_selector_all(
        claim_selector,
        "els => els.length > 0 && els.every(el => "
        "el.nextElementSibling && el.nextElementSibling.classList.contains('verdict'))",
    )


def test_editor_previews_publishes_and_the_verdict_reads_first(
    page, login, live_server, tmp_path, csp_errors
):
    reviewer = make_user(role=Role.REVIEWER, username="rae")
    make_user(role=Role.EDITOR, username="ed")
    editor = make_user(role=Role.EDITOR, username="eve")
    article = make_decided_article(
        reviewer=reviewer,
        editor=editor,
        ratings=["false", "true", "unverifiable"],
        title="Exports and wagons",
        outlet="Daily Planet",
        original_url="https://planet.example/story",
    )

    # The editor previews before publishing.
    login("ed")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    panel = page.locator("#article-publishing")
    expect(panel).to_contain_text("Not published yet.")
    panel.get_by_role("link", name="Preview the public page").click()
    preview_url = f"{live_server.url}/articles/{article.pk}/preview/"
    page.wait_for_url(preview_url)

    expect(page.locator(".preview-banner")).to_contain_text("Preview — not public")
    expect(page.locator('meta[name="robots"]')).to_have_attribute("content", "noindex")
    headers = page.request.get(preview_url).headers
    assert headers["x-robots-tag"] == "noindex"
    assert "no-store" in headers["cache-control"]
    expect(page.get_by_role("heading", level=1)).to_have_text("Exports and wagons")
    expect(page.locator("li.claim blockquote")).to_have_text(DEFAULT_LINES)
    expect(page.locator("li.claim .verdict-badge")).to_have_text(
        ["False", "True", "Unverifiable"]
    )
    expect(page.locator('script[type="application/ld+json"]')).to_have_count(0)
    _assert_accessible(page)
    _capture(page, tmp_path / "preview.png")

    page.get_by_role(
        "link", name="Claim 1 on its own page, and report an error"
    ).click()
    page.wait_for_url(f"{live_server.url}/articles/{article.pk}/preview/claims/1/")
    expect(page.locator(".preview-banner")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(DEFAULT_LINES[0])
    expect(page.locator('script[type="application/ld+json"]')).to_have_count(0)

    # Then publishes; the panel says what is live.
    page.get_by_role("link", name="Back to the article").click()
    panel.get_by_role("button", name="Publish the fact-check").click()
    expect(panel).to_contain_text("Published version 1")
    expect(panel).to_contain_text("Live: version 1")
    expect(panel.get_by_text("Publish a correction (version 2)")).to_be_visible()
    expect(panel.get_by_label("Public correction note")).to_be_hidden()
    panel.get_by_role("link", name="View the public page").click()
    summary_url = f"{live_server.url}/fact-checks/{article.slug}/"
    page.wait_for_url(summary_url)

    # The published page: no banner, indexable, each verdict right after its claim.
    expect(page.locator(".preview-banner")).to_have_count(0)
    expect(page.locator('meta[name="robots"]')).to_have_count(0)
    assert _verdict_follows_claim(page, "li.claim > blockquote")
    badge = page.locator("li.claim .verdict-badge").first
    expect(badge).to_have_text("False")
    # Coloured by the generated ratings.css (False is #9b2226 in the default scale).
    expect(badge).to_have_css("background-color", "rgb(155, 34, 38)")
    body_size = page.eval_on_selector(
        "body", "el => parseFloat(getComputedStyle(el).fontSize)"
    )
    badge_size = badge.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert badge_size > body_size
    expect(page.locator("li.claim .verdict-definition").first).to_have_text(
        "The claim is inaccurate."
    )
    _assert_accessible(page)
    _capture(page, tmp_path / "published.png")

    # A claim page: the claim is the heading, the verdict comes next.
    page.get_by_role(
        "link", name="Claim 2 on its own page, and report an error"
    ).click()
    claim_url = f"{live_server.url}/fact-checks/{article.slug}/claims/2/"
    page.wait_for_url(claim_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(DEFAULT_LINES[1])
    assert _verdict_follows_claim(page, "h1.claim-title")
    expect(page.locator("[data-claimreview-rating]")).to_have_text("True")
    assert lint_page(page.content(), page_url=claim_url) == []
    _assert_accessible(page)

    # The index shows each fact-check's verdicts.
    page.goto(f"{live_server.url}/fact-checks/")
    expect(page.locator(".verdict-counts li")).to_have_text(
        ["1 True", "1 False", "1 Unverifiable"]
    )
    _assert_accessible(page)
    assert csp_errors == []
