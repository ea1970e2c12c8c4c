"""Stored hostile text never runs in a real browser: no dialog, no ``window.__pwned``.

A console message about the Content-Security-Policy would mean markup got through
and only the policy stopped it, so those fail the test too.
"""

from __future__ import annotations

import pytest

from factcheck.roles import Role
from tests.factories import make_user
from tests.hostile import make_hostile_desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hostile_text_stays_text(page, login, live_server):
    editor = make_user(role=Role.EDITOR, username="eddie")
    desk = make_hostile_desk(editor=editor)
    dialogs, csp = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda msg: (
            csp.append(msg.text) if "Content Security Policy" in msg.text else 0
        ),
    )
    login("eddie")
    slug = desk.published.slug
    paths = [
        f"/articles/{desk.published.pk}/",
        f"/claims/{desk.approved.pk}/",
        f"/claims/{desk.submitted.pk}/",
        "/approvals/",
        "/queue/",
        "/audit/",
        f"/fact-checks/{slug}/",
        f"/fact-checks/{slug}/claims/1/",
    ]

    for path in paths:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        # Focus and hover everything a payload could have hooked.
        for mark in page.locator("main mark, main a, main button").all()[:40]:
            mark.focus()
        assert page.evaluate("window.__pwned === undefined"), path

    assert dialogs == []
    assert csp == [], csp
    # The hostile text is there, as text.
    page.goto(f"{live_server.url}/claims/{desk.submitted.pk}/")
    assert "<script>window.__pwned" in page.locator("main").inner_text()
