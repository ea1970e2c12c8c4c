"""The queue's article box: type part of a title, pick the suggestion, see the queue
filtered (htmx fills the datalist; no inline script, so no CSP report)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from factcheck.roles import Role
from tests.factories import make_article, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_a_title_suggests_it_and_picking_it_filters(
    page, login, live_server, csp_errors
):
    make_user(role=Role.REVIEWER, username="rae")
    rails = make_article(
        title="Jobs and rails",
        lines=[
            "Officials said unemployment fell to 4 percent in 2024.",
            "The ministry reported 3,400 new rail wagons in 2023, up 12 percent.",
        ],
    )
    make_article(
        title="Treaty anniversary",
        lines=["The treaty was signed in Moscow in 2001 by both presidents."],
    )
    login("rae")
    page.goto(f"{live_server.url}/queue/")
    expect(page.locator("#queue-table")).to_contain_text("3 claims")

    box = page.locator("#queue-table").get_by_role("combobox", name="Article")
    box.press_sequentially("RAIL", delay=40)
    suggestion = page.locator("#id_article-options option")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_have_attribute("value", f"Jobs and rails (#{rails.pk})")

    # Choosing a datalist suggestion puts its value in the box; Enter applies it.
    box.fill(suggestion.get_attribute("value"))
    box.press("Enter")

    picked = f"Jobs and rails (#{rails.pk})"
    page.wait_for_url(
        lambda url: parse_qs(urlsplit(url).query).get("article") == [picked]
    )
    table = page.locator("#queue-table")
    expect(table).to_contain_text("2 claims")
    expect(table).not_to_contain_text("Moscow")
    expect(page.get_by_role("button", name="Take next in this article")).to_be_visible()
    expect(box).to_have_value(f"Jobs and rails (#{rails.pk})")
    assert csp_errors == []
