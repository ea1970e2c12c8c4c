"""Admin invites a reviewer, who sets a password and logs in; deactivating ends it."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from factcheck.models import User
from factcheck.roles import Role
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase-42"


def _guarded_page(browser, live_server):
    """A second, separate browser session (the invitee's), offline like ``page``."""
    context = browser.new_context()
    invitee = context.new_page()
    invitee.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(live_server.url)
            else route.abort()
        ),
    )
    invitee.set_default_timeout(10_000)
    return context, invitee


def test_invite_set_password_log_in_then_deactivate(page, login, live_server, browser):
    make_user(role=Role.ADMIN, username="ada")
    mail.outbox = []
    login("ada")

    # The admin invites Nia as a reviewer.
    page.goto(f"{live_server.url}/team/")
    invite = page.locator("section", has=page.get_by_role("heading", name="Invite"))
    invite.get_by_label("Username").fill("nia")
    invite.get_by_label("Name", exact=True).fill("Nia New")
    invite.get_by_label("Email").fill("nia@desk.example")
    invite.get_by_label("Role").select_option("reviewer")
    invite.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to nia@desk.example").wait_for()
    [message] = mail.outbox
    link = re.search(r"https?://\S+", message.body).group(0)
    assert link.startswith(live_server.url + "/invite/")

    # Nia sets her password through the link and logs in as a reviewer.
    context, invitee = _guarded_page(browser, live_server)
    invitee.goto(link)
    invitee.get_by_label("New password", exact=True).fill(PASSWORD)
    invitee.get_by_label("New password confirmation").fill(PASSWORD)
    invitee.get_by_role("button", name="Set password").click()
    invitee.wait_for_url(f"{live_server.url}/login/")
    invitee.get_by_label("Username").fill("nia")
    invitee.get_by_label("Password").fill(PASSWORD)
    invitee.get_by_role("button", name="Log in").click()
    invitee.wait_for_url(f"{live_server.url}/")
    assert invitee.locator(".role-tag", has_text="Reviewer").is_visible()
    assert invitee.get_by_role("link", name="Queue", exact=True).is_visible()

    # The admin deactivates her (an htmx row swap) ...
    nia = User.objects.get(username="nia")
    page.goto(f"{live_server.url}/team/")
    row = page.locator(f"#user-{nia.pk}")
    # ... after confirming (a disclosure, so it works without JavaScript too) ...
    row.get_by_text("Deactivate…").click()
    row.get_by_role("button", name="Deactivate nia").click()
    row.get_by_text("Deactivated", exact=True).wait_for()
    assert not User.objects.get(pk=nia.pk).is_active

    # ... and her next page load sends her to the login page.
    invitee.reload()
    invitee.wait_for_url(re.compile(r"/login/"))
    assert invitee.get_by_role("heading", name="Log in to the desk").is_visible()
    context.close()
