"""The API docs page (Swagger UI) works under the desk's CSP, from our own files."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_without_csp_violations(page, live_server):
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" or "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto(f"{live_server.url}/api/docs")

    page.get_by_text("Factcheck desk API").first.wait_for()
    page.locator(".opblock-summary-path", has_text="/api/articles").first.wait_for()
    page.get_by_role("button", name="Authorize").wait_for()
    assert not problems, problems
