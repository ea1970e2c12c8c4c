"""The acceptance path of the reviewer: filter the queue, take the next claim, add two
sources and a note, draft a verdict and submit it, all through the real UI (htmx)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from factcheck.models import ClaimState, VerdictState
from factcheck.roles import Role
from tests.factories import make_article, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviewer_takes_works_and_submits_a_claim(page, login, live_server):
    reviewer = make_user(role=Role.REVIEWER, username="rae")
    article = make_article(
        lines=[
            "Officials said unemployment fell to 4 percent in 2024.",
            "The ministry reported 3,400 new rail wagons in 2023, up 12 percent.",
        ],
        title="Jobs and rails",
    )
    login("rae")

    # Filter the queue: htmx swaps the table and pushes the filters into the URL.
    page.goto(f"{live_server.url}/queue/")
    page.get_by_label("Status").select_option("open")
    page.wait_for_url(re.compile(r"/queue/\?.*status=open"))
    expect(page.locator("#queue-table")).to_contain_text("2 claims")

    page.get_by_role("button", name="Take next").click()
    page.wait_for_url(re.compile(r"/claims/\d+/$"))
    claim = article.claims.get(assignee=reviewer)
    expect(page.locator("#claim-status")).to_contain_text("In progress")

    sources = page.locator("#claim-sources")
    for n, url in enumerate(["https://stats.example/jobs", "https://rail.example/"]):
        sources.get_by_label("URL").fill(url)
        sources.get_by_label("Title").fill(f"Source {n + 1}")
        sources.get_by_role("button", name="Add source").click()
        expect(page.locator("#claim-sources")).to_contain_text(f"Source {n + 1}")
    expect(page.locator("#claim-sources h2")).to_contain_text("(2)")

    notes = page.locator("#claim-notes")
    notes.get_by_label("Note").fill("Ask the **statistics office** for the series.")
    notes.get_by_role("button", name="Add note").click()
    expect(page.locator("#claim-notes strong")).to_have_text("statistics office")

    verdict = page.locator("#claim-verdict")
    verdict.get_by_label("Rating").select_option(label="False")
    verdict.get_by_label("Rationale").fill("The official figure is *5.1 percent*.")
    verdict.get_by_role("button", name="Preview").click()
    expect(page.locator("#verdict-preview em")).to_have_text("5.1 percent")
    verdict.get_by_role("button", name="Save draft").click()
    expect(page.locator("#claim-verdict")).to_contain_text("Draft saved.")

    page.locator("#claim-verdict").get_by_role(
        "button", name="Submit for approval"
    ).click()
    expect(page.locator("#claim-status")).to_contain_text("Submitted for approval.")
    expect(page.locator("#claim-verdict")).not_to_contain_text("Save draft")

    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED
    assert claim.sources.filter(removed_at__isnull=True).count() == 2
    assert claim.notes.count() == 1
    current = claim.verdicts.get(is_current=True)
    assert current.state == VerdictState.SUBMITTED and current.rating.label == "False"


def test_queue_keyboard_shortcuts(page, login, live_server):
    reviewer = make_user(role=Role.REVIEWER, username="kim")
    article = make_article(lines=["Exports rose 12 percent in 2025, officials said."])
    login("kim")
    page.goto(f"{live_server.url}/queue/")

    page.keyboard.press("?")
    expect(page.locator("#queue-keys")).to_be_visible()
    page.keyboard.press("j")
    expect(page.locator("tr.queue-row").first).to_have_class(re.compile("selected"))
    page.keyboard.press("t")

    page.wait_for_url(re.compile(r"/claims/\d+/$"))
    assert article.claims.get().assignee == reviewer


def test_editor_dismisses_and_restores_from_the_claim_page(page, login, live_server):
    make_user(role=Role.EDITOR, username="eve")
    article = make_article(lines=["Exports rose 12 percent in 2025, officials said."])
    claim = article.claims.get()
    login("eve")
    page.goto(f"{live_server.url}{claim.get_absolute_url()}")

    status = page.locator("#claim-status")
    status.get_by_text("Dismiss this claim").click()
    status.get_by_label("Why is it not worth checking?").fill("Opinion, not a fact")
    status.get_by_role("button", name="Dismiss claim").click()

    page.wait_for_url(f"{live_server.url}{claim.get_absolute_url()}")
    expect(page.locator("#flash")).to_contain_text("Claim dismissed.")
    expect(status).to_contain_text("Opinion, not a fact")
    status.get_by_role("button", name="Restore to the queue").click()
    expect(page.locator("#claim-status")).to_contain_text("Open")
    expect(page.locator("#claim-status")).to_contain_text("Dismiss this claim")
    claim.refresh_from_db()
    assert claim.state == ClaimState.OPEN and claim.dismissed_reason == ""
