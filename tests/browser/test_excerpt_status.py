"""The reviewer adds two sources through the workspace; each page is captured from a
local server and the sources list says whether the excerpt is on the page, with a
link to the plain-text snapshot."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from factcheck.models import ClaimState
from factcheck.roles import Role
from tests.factories import make_claim, make_user
from tests.test_capture import ARTICLE, HTML, Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_workspace_shows_whether_each_excerpt_is_on_the_page(
    page, login, live_server, settings
):
    settings.FACTCHECK = {
        **settings.FACTCHECK,
        "CAPTURE_SOURCES": True,
        "CAPTURE_ALLOWED_HOSTS": ["127.0.0.1"],
    }
    reviewer = make_user(role=Role.REVIEWER, username="rae")
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    login("rae")
    page.goto(f"{live_server.url}{claim.get_absolute_url()}")
    sources = page.locator("#claim-sources")

    with Site({"/trade": (200, HTML, ARTICLE), "/other": (200, HTML, ARTICLE)}) as site:
        for path, title, excerpt in [
            ("/trade", "Trade report", "exports fell by 2 percent in 2025"),
            ("/other", "Minister's speech", "exports rose by 40 percent in 2025"),
        ]:
            sources.get_by_label("URL").fill(f"{site.base}{path}")
            sources.get_by_label("Title").fill(title)
            sources.get_by_label("Excerpt").fill(excerpt)
            sources.get_by_role("button", name="Add source").click()
            expect(sources).to_contain_text(title)

    found = sources.locator("li", has_text="Trade report")
    expect(found.locator(".capture")).to_contain_text("excerpt found on the page")
    missing = sources.locator("li", has_text="Minister's speech")
    expect(missing.locator(".capture")).to_contain_text("excerpt not found on the page")

    link = found.get_by_role("link", name="view the text snapshot")
    page.goto(f"{live_server.url}{link.get_attribute('href')}")
    expect(page.locator("body")).to_contain_text("exports fell by 2 percent in 2025")
    expect(page.locator("body")).to_contain_text("SHA-256 of the body:")
