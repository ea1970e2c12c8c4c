"""A reviewer pastes an article, sees its claims in place, edits one in the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from factcheck.models import Article
from factcheck.roles import Role
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Rail exports hit a record\n"
    "The ministry said exports rose 12 percent in 2025 to $4.2 billion. "
    "Officials reported that 3,400 new rail wagons entered service in 2024.\n"
)


def test_ingest_then_edit_a_claim_span(page, login, live_server):
    make_user(role=Role.REVIEWER, username="rae")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login("rae")

    page.goto(f"{live_server.url}/articles/new/")
    page.get_by_label("Paste the article text").fill(TEXT)
    page.get_by_label("Outlet").fill("Wire")
    page.get_by_role("button", name="Ingest and extract claims").click()

    page.wait_for_url(f"{live_server.url}/articles/*/")
    assert page.get_by_role("heading", name="Rail exports hit a record").is_visible()
    marks = page.locator("#article-body mark.claim")
    assert marks.count() == 2
    # The reasons show on keyboard focus, not only on hover.
    marks.first.focus()
    assert page.locator("#article-body mark.claim .tip-body").first.is_visible()

    article = Article.objects.get()
    first = article.claims.order_by("position").first()
    row = page.locator(f"#claim-{first.pk}")
    row.locator("summary").click()
    row.get_by_label("Claim text").fill("exports rose 12 percent in 2025")
    row.get_by_role("button", name="Save span").click()

    # htmx swaps the workspace in place: the list and the highlight both change.
    expect(page.locator(f"#claim-{first.pk} .claim-text")).to_have_text(
        "exports rose 12 percent in 2025"
    )
    assert page.locator(f"#mark-{first.pk} [data-o]").all_inner_texts() == [
        "exports rose 12 percent in 2025"
    ]
    first.refresh_from_db()
    assert first.text == "exports rose 12 percent in 2025"
    assert article.body[first.start : first.end] == first.text
    assert not errors


def test_add_a_claim_from_a_text_selection(page, login, live_server):
    user = make_user(role=Role.REVIEWER, username="rae")
    from factcheck import workflow

    article = workflow.create_article(
        actor=user,
        raw="Opening line\nIt may rain. The bridge opened in 1932.\n",
        metadata={"title": "Bridge"},
        lines=True,
        threshold=1.0,
    )
    login("rae")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    start = article.body.index("The bridge")

    # Select "The bridge opened in 1932." in the rendered text.
    page.evaluate(
        """([start, end]) => {
            const spans = [...document.querySelectorAll('#article-body [data-o]')];
            const at = (o) => { for (const s of spans) {
              const b = +s.dataset.o;
              if (o >= b && o <= b + s.textContent.length) {
                return [s.firstChild, o - b];
              } } };
            const r = document.createRange();
            r.setStart(...at(start)); r.setEnd(...at(end));
            const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
            document.dispatchEvent(new MouseEvent('mouseup'));
        }""",
        [start, start + len("The bridge opened in 1932.")],
    )
    assert page.locator("#add-text").input_value() == "The bridge opened in 1932."
    page.get_by_role("button", name="Add claim").click()

    expect(page.locator("#article-body mark.claim")).to_have_count(1)
    added = article.claims.get(added_by_hand=True)
    assert added.text == "The bridge opened in 1932."
    assert (added.start, added.end) == (start, start + len(added.text))
