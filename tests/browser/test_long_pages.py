"""Long detail pages in the browser: htmx moves through them in place."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from factcheck.roles import Role
from tests.factories import make_user
from tests.test_detail_pages_at_scale import big_article, claims_of, long_claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_claim_pages_swap_in_place_and_an_edit_stays_on_its_page(
    page, login, live_server, csp_errors
):
    rae = make_user(role=Role.REVIEWER, username="rae")
    article = big_article(rae, claims=120)
    claim = claims_of(article)[110]
    login("rae")
    page.goto(f"{live_server.url}{article.get_absolute_url()}")

    page.locator(".claim-pages").first.get_by_role("link", name="page 3").click()

    expect(page).to_have_url(f"{live_server.url}/articles/{article.pk}/?claims=3")
    expect(page.locator(".claim-row")).to_have_count(20)
    row = page.locator(f"#claim-{claim.pk}")
    row.locator("summary").click()
    row.get_by_label("Claim text").fill(claim.text.split(",")[0])
    row.get_by_role("button", name="Save span").click()
    expect(page.locator(f"#claim-{claim.pk} .claim-text")).to_have_text(
        claim.text.split(",")[0]
    )
    expect(page).to_have_url(f"{live_server.url}/articles/{article.pk}/?claims=3")
    assert csp_errors == []


def test_older_events_load_in_place(page, login, live_server, csp_errors):
    rae = make_user(role=Role.REVIEWER, username="rae")
    claim = long_claim(rae, events=100, notes=30, sources=0)
    login("rae")
    url = f"{live_server.url}{claim.get_absolute_url()}"
    page.goto(url)
    events = page.locator("#timeline li.event")
    expect(events).to_have_count(20)

    page.get_by_role("link", name="Show older events").click()

    expect(events).to_have_count(70)
    expect(events.nth(20)).to_be_focused()
    page.get_by_role("link", name="Show older events").click()
    expect(events).to_have_count(101)
    expect(page.get_by_role("link", name="Show older events")).to_have_count(0)
    page.get_by_role("link", name="Show all 30 notes").click()
    expect(page.locator("#claim-notes li[id^=note-]")).to_have_count(30)
    assert page.url == url
    assert csp_errors == []
