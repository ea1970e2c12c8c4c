"""A restated claim shows the desk's earlier verdict, and its sources can be reused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from factcheck.models import Article, ClaimState
from factcheck.roles import Role
from tests.factories import make_article, make_claim, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EARLIER = "The government raised the minimum wage to 15 dollars an hour in 2024."
TEXT = (
    "Pay at the bottom of the ladder\n"
    "In 2024 the minimum hourly wage was lifted by the government to $15.\n"
)


def test_a_second_article_restating_a_checked_claim_shows_the_verdict(
    page, login, live_server
):
    earlier = make_article(lines=[EARLIER], title="Wage policy")
    make_claim(state=ClaimState.APPROVED, article=earlier)
    make_user(role=Role.REVIEWER, username="rae")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login("rae")

    page.goto(f"{live_server.url}/articles/new/")
    page.get_by_label("Paste the article text").fill(TEXT)
    page.get_by_role("button", name="Ingest and extract claims").click()
    page.wait_for_url(f"{live_server.url}/articles/*/")

    claim = Article.objects.get(title="Pay at the bottom of the ladder").claims.get()
    row = page.locator(f"#claim-{claim.pk}")
    expect(row.locator(".badge.checked-before")).to_be_visible()
    row.get_by_role("link", name="open").click()

    panel = page.locator("#claim-checked-before")
    expect(panel).to_contain_text("Checked before: False")
    expect(panel.get_by_role("link", name="Wage policy")).to_be_visible()
    panel.get_by_text("Rationale and sources").click()
    expect(panel).to_contain_text("The official figure is 2 percent.")

    page.get_by_role("button", name="Take this claim").click()
    page.get_by_role("button", name="Same claim: reuse sources").click()
    expect(page.locator("#claim-sources")).to_contain_text("Export statistics 2025")
    expect(panel).to_contain_text("Marked as the same claim by rae")
    assert not errors
