"""Login throttling (django-axes): failures lock one account from one address.

Failures count per (account, client address) together, so made-up usernames never
lock a real account and one address's failures never lock the account elsewhere.
The client address follows FACTCHECK_TRUSTED_PROXIES (factcheck/client_address.py).
"""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

RIGHT = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def _login(username: str, password: str, ip: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return Client(REMOTE_ADDR=ip, **headers).post(
        reverse("login"), {"username": username, "password": password}
    )


def _locked(response) -> bool:
    return response.status_code == 429 and b"Too many failed log-ins" in (
        response.content
    )


def test_an_account_is_locked_from_the_address_that_failed(reviewer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login("rae", "wrong", "10.0.0.1")
        assert response.status_code == 200  # the form again, with an error
    # The failure that reaches the limit is answered with the lock-out page.
    assert _locked(_login("rae", "wrong", "10.0.0.1"))

    # Even the right password is refused now, from that address.
    response = _login("rae", RIGHT, "10.0.0.1")

    assert _locked(response)
    assert "registration/locked_out.html" in [t.name for t in response.templates]


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(
    reviewer, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login("rae", "wrong", "203.0.113.66")
    assert _locked(_login("rae", RIGHT, "203.0.113.66"))

    assert _login("rae", RIGHT, "198.51.100.7").status_code == 302


def test_made_up_usernames_never_lock_a_real_account(other_reviewer, settings):
    for i in range(settings.AXES_FAILURE_LIMIT * 3):
        _login(f"nobody{i}", "wrong", "192.0.2.7")

    # Not the account, and not the address either.
    assert _login("sam", RIGHT, "192.0.2.7").status_code == 302
    assert _login("sam", RIGHT, "192.0.2.8").status_code == 302


def test_below_the_limit_a_right_password_works_and_resets(reviewer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login("rae", "wrong", "10.0.0.1")

    assert _login("rae", RIGHT, "10.0.0.1").status_code == 302
    assert not AccessAttempt.objects.filter(username="rae", failures_since_start__gt=0)


def test_reset_lifts_the_lock(reviewer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login("rae", "wrong", "10.0.0.1")
    assert _locked(_login("rae", RIGHT, "10.0.0.1"))

    reset(username="rae")

    assert _login("rae", RIGHT, "10.0.0.1").status_code == 302


def test_settings_lock_per_account_and_address_together(settings):
    # One combined parameter: neither the username alone nor the address alone locks.
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_CLIENT_IP_CALLABLE == "factcheck.client_address.client_key"
    assert settings.AXES_LOCKOUT_TEMPLATE == "registration/locked_out.html"
    assert settings.AXES_COOLOFF_TIME


# --- Behind a proxy: the address comes from FACTCHECK_TRUSTED_PROXIES ---------------


def test_without_a_proxy_a_forged_forwarded_for_changes_nothing(reviewer, settings):
    settings.FACTCHECK_TRUSTED_PROXIES = 0
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login("rae", "wrong", "192.0.2.50", forwarded=f"198.51.100.{i + 1}")

    # Every failure counted for the real peer: it stays locked whatever it claims,
    assert _locked(_login("rae", RIGHT, "192.0.2.50", forwarded="198.51.100.200"))
    # and the addresses it named are not locked.
    assert _login("rae", RIGHT, "198.51.100.1").status_code == 302
    assert AccessAttempt.objects.get().ip_address == "192.0.2.50"


def test_behind_one_proxy_clients_sharing_it_do_not_lock_each_other(
    admin_user, settings
):
    settings.FACTCHECK_TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"  # every request arrives from the proxy's address
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # The attacker's own X-Forwarded-For entry is ignored; the proxy appends
        # the real peer, which is what counts.
        _login("ada", "wrong", proxy, forwarded="198.51.100.7, 203.0.113.66")

    assert _login("ada", RIGHT, proxy, forwarded="198.51.100.7").status_code == 302
    assert _locked(_login("ada", RIGHT, proxy, forwarded="203.0.113.66"))
    assert AccessAttempt.objects.get().ip_address == "203.0.113.66"


# --- A locked-out person can still set a new password --------------------------------


def test_a_locked_out_person_can_reset_their_password(reviewer, settings, mailoutbox):
    address = "192.0.2.33"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login("rae", "wrong", address)
    locked = _login("rae", RIGHT, address)
    assert _locked(locked)
    assert reverse("password_reset").encode() in locked.content  # the page links it

    browser = Client(REMOTE_ADDR=address)
    sent = browser.post(reverse("password_reset"), {"email": reviewer.email})

    assert sent.status_code == 302 and sent["Location"] == reverse(
        "password_reset_done"
    )
    [message] = mail.outbox
    link = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", message.body)[1]
    form = browser.get(link, follow=True)
    new = "a-brand-new-and-long-passphrase-7"
    done = browser.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    # The new password works at once, from the address that was locked out.
    assert _login("rae", new, address).status_code == 302
