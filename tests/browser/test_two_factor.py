"""Two-factor sign-in in a real browser: set it up from the account page, then sign
in with the password and a code computed from the stored secret (no JavaScript needed
on our side: plain forms, an inline SVG QR code under the CSP)."""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from factcheck.roles import Role
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(key_hex: str, steps: int = 0) -> str:
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = time.time() + 30 * steps
    return f"{totp.token():06d}"


def test_set_up_then_sign_in_with_password_and_code(page, login, live_server):
    make_user(role=Role.EDITOR, username="tess")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login("tess")

    page.get_by_role("link", name="Two-factor").click()
    page.get_by_role("link", name="Turn on two-factor sign-in").click()
    assert page.locator("#two-factor-qr svg").is_visible()
    secret = page.locator("#two-factor-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7 ]+", secret)
    # What the person's app would do with the secret it scanned or typed.
    plain = secret.replace(" ", "")
    key = b32decode(plain + "=" * (-len(plain) % 8)).hex()
    page.get_by_label("Code").fill(_code(key, -1))
    page.get_by_role("button", name="Turn on").click()
    assert page.locator("#recovery-codes li").count() == 10
    assert TOTPDevice.objects.get(user__username="tess").key == key

    page.get_by_role("button", name="Log out").click()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("tess")
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/login/two-factor/.*"))
    assert page.get_by_role("heading", name="Enter your code").is_visible()

    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("That code is not right").is_visible()

    now = _code(key)
    page.get_by_label("Code").fill(f"{now[:3]} {now[3:]}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors
