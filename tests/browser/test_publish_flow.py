"""Acceptance: an editor publishes an article whose claims are all decided; an
anonymous visitor reads the summary and a claim page; axe-core finds no WCAG 2.1 AA
violations; the claim page carries its ClaimReview JSON-LD and CSP blocks nothing."""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from factcheck.claimreview import lint_page
from factcheck.roles import Role
from tests.factories import make_decided_article, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
}


def _assert_accessible(page) -> None:
    results = Axe().run(page, options=WCAG_AA)
    assert results.response["passes"], "axe did not run"
    violations = results.response["violations"]
    assert violations == [], results.generate_report()


def test_editor_publishes_and_a_visitor_reads(page, login, live_server, csp_errors):
    reviewer = make_user(role=Role.REVIEWER, username="rae")
    editor = make_user(role=Role.EDITOR, username="ed")
    article = make_decided_article(
        reviewer=reviewer,
        editor=editor,
        ratings=["false", "true", "unverifiable"],
        title="Exports and wagons",
        outlet="Daily Planet",
        original_url="https://planet.example/story",
    )

    login("ed")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    panel = page.locator("#article-publishing")
    panel.get_by_role("button", name="Publish the fact-check").click()
    expect(panel).to_contain_text("Published version 1")

    page.context.clear_cookies()  # from here on: an anonymous visitor
    page.goto(f"{live_server.url}/fact-checks/")
    page.get_by_role("link", name="Exports and wagons").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exports and wagons")
    expect(page.locator(".verdict-summary")).to_contain_text(
        "3 claims checked: 1 True, 1 False, 1 Unverifiable."
    )
    _assert_accessible(page)

    page.get_by_role(
        "link", name="Claim 1 on its own page, and report an error"
    ).click()
    url = f"{live_server.url}/fact-checks/{article.slug}/claims/1/"
    page.wait_for_url(url)
    expect(page.locator("[data-claimreview-rating]")).to_have_text("False")
    blocks = page.locator('script[type="application/ld+json"]')
    expect(blocks).to_have_count(1)
    data = json.loads(blocks.text_content())
    assert data["@type"] == "ClaimReview" and data["url"] == url
    assert lint_page(page.content(), page_url=url) == []
    expect(page.get_by_label("Leave this field empty")).to_be_hidden()
    _assert_accessible(page)

    page.get_by_label("What is wrong?").fill("The export figure was revised.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    assert csp_errors == []
