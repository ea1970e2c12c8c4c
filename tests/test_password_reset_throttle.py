"""Self-service password-reset requests: throttled per address and for everyone.

Every request that would send an email counts; a refused one sends nothing and gets
a 429 page saying which limit it met.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.FACTCHECK = {
        **settings.FACTCHECK,
        "PASSWORD_RESETS_PER_HOUR": 2,
        "PASSWORD_RESETS_PER_HOUR_GLOBAL": 5,
    }


def _ask(email: str, ip: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return Client(REMOTE_ADDR=ip, **headers).post(
        reverse("password_reset"), {"email": email}
    )


def test_each_address_gets_a_few_requests_an_hour(reviewer):
    sent = [_ask(reviewer.email, "192.0.2.1").status_code for _ in range(2)]
    refused = _ask(reviewer.email, "192.0.2.1")

    assert sent == [302, 302]
    assert refused.status_code == 429
    assert b"from your address" in refused.content
    assert len(mail.outbox) == 2
    # Another address still has its own allowance.
    assert _ask(reviewer.email, "192.0.2.2").status_code == 302
    assert len(mail.outbox) == 3


def test_unknown_addresses_count_too_and_send_nothing(reviewer):
    for _ in range(2):
        assert _ask("nobody@elsewhere.example", "192.0.2.1").status_code == 302
    assert not mail.outbox

    assert _ask(reviewer.email, "192.0.2.1").status_code == 429
    assert not mail.outbox


def test_the_global_limit_holds_across_addresses_and_says_so(reviewer):
    for i in range(5):
        assert _ask(reviewer.email, f"198.51.100.{i + 1}").status_code == 302

    refused = _ask(reviewer.email, "198.51.100.99")

    assert refused.status_code == 429
    assert b"from everywhere together" in refused.content
    assert len(mail.outbox) == 5


def test_one_address_cannot_use_up_everyone_s_allowance(reviewer):
    for _ in range(10):  # far past its own limit
        _ask(reviewer.email, "203.0.113.66")
    assert len(mail.outbox) == 2

    # Its refused requests took nothing from the others.
    for i in range(3):
        assert _ask(reviewer.email, f"198.51.100.{i + 1}").status_code == 302
    assert len(mail.outbox) == 5


def test_without_a_proxy_a_forged_forwarded_for_does_not_help(reviewer, settings):
    settings.FACTCHECK_TRUSTED_PROXIES = 0
    for i in range(2):
        _ask(reviewer.email, "192.0.2.9", forwarded=f"198.51.100.{i}")

    refused = _ask(reviewer.email, "192.0.2.9", forwarded="198.51.100.77")

    assert refused.status_code == 429
    assert len(mail.outbox) == 2


def test_behind_a_proxy_each_client_has_its_own_allowance(reviewer, settings):
    settings.FACTCHECK_TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"
    for _ in range(2):
        _ask(reviewer.email, proxy, forwarded="203.0.113.66")
    assert _ask(reviewer.email, proxy, forwarded="203.0.113.66").status_code == 429

    assert _ask(reviewer.email, proxy, forwarded="198.51.100.7").status_code == 302
    assert len(mail.outbox) == 3


def test_ipv6_clients_count_per_64(reviewer):
    _ask(reviewer.email, "2001:db8:1:2::1")
    _ask(reviewer.email, "2001:db8:1:2::ffff")

    assert _ask(reviewer.email, "2001:db8:1:2:abcd::9").status_code == 429
    assert _ask(reviewer.email, "2001:db8:1:3::1").status_code == 302


def test_showing_the_form_costs_nothing(reviewer):
    browser = Client(REMOTE_ADDR="192.0.2.1")
    for _ in range(5):
        assert browser.get(reverse("password_reset")).status_code == 200

    assert _ask(reviewer.email, "192.0.2.1").status_code == 302
