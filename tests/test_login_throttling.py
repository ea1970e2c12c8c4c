"""Login throttling (django-axes): repeated failures lock an account and an address."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

RIGHT = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def _login(username: str, password: str, ip: str):
    return Client(REMOTE_ADDR=ip).post(
        reverse("login"), {"username": username, "password": password}
    )


def _locked(response) -> bool:
    return response.status_code == 429 and b"Too many failed log-ins" in (
        response.content
    )


def test_an_account_is_locked_after_the_limit_from_any_address(reviewer, settings):
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login("rae", "wrong", f"10.0.0.{i + 1}")
        assert response.status_code == 200  # the form again, with an error
    # The failure that reaches the limit is answered with the lock-out page.
    assert _locked(_login("rae", "wrong", "10.0.0.50"))

    # Even the right password, from yet another address, is refused now.
    response = _login("rae", RIGHT, "10.0.0.99")

    assert _locked(response)
    assert "registration/locked_out.html" in [t.name for t in response.templates]


def test_an_address_is_locked_after_the_limit_for_any_account(
    reviewer, other_reviewer, settings
):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(f"nobody{i}", "wrong", "192.0.2.7")

    assert _locked(_login("sam", RIGHT, "192.0.2.7"))
    # Another address is not affected, and neither is the account.
    assert _login("sam", RIGHT, "192.0.2.8").status_code == 302


def test_below_the_limit_a_right_password_works_and_resets(reviewer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login("rae", "wrong", "10.0.0.1")

    assert _login("rae", RIGHT, "10.0.0.1").status_code == 302
    assert not AccessAttempt.objects.filter(username="rae", failures_since_start__gt=0)


def test_reset_lifts_the_lock(reviewer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login("rae", "wrong", "10.0.0.1")
    assert _locked(_login("rae", RIGHT, "10.0.0.2"))

    reset(username="rae")
    reset(ip="10.0.0.1")

    assert _login("rae", RIGHT, "10.0.0.1").status_code == 302


def test_settings_lock_per_account_and_per_address_separately(settings):
    # Two separate parameters (not one combined): either one alone locks.
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.AXES_LOCKOUT_TEMPLATE == "registration/locked_out.html"
    assert settings.AXES_COOLOFF_TIME
