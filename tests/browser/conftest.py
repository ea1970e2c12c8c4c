"""Browser tests: Playwright driving Debian's Chromium against ``live_server``.

Skipped where Chromium is missing, unless FACTCHECK_REQUIRE_BROWSER=1 (CI), where a
missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("FACTCHECK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in the test thread; the ORM must be
# allowed to run there (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return
    if os.environ.get("FACTCHECK_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"Chromium is required but missing at {CHROMIUM}")
    skip = pytest.mark.skip(reason="Chromium is not installed")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture
def page(page, live_server):
    """A page that may load nothing from outside the live server."""

    def guard(route):
        if route.request.url.startswith(
            live_server.url
        ) or route.request.url.startswith("data:"):
            return route.continue_()
        return route.abort()

    page.route("**/*", guard)
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def login(page, live_server):
    """Log a user in through the real form."""

    def _login(username: str, password: str = "correct-horse-battery-staple"):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _login


@pytest.fixture
def csp_errors(page):
    """Every Content Security Policy violation the page reports to its console."""
    found: list[str] = []
    page.on(
        "console",
        lambda msg: (
            found.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    return found
