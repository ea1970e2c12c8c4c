"""The client's address: REMOTE_ADDR unless trusted proxies are declared."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from factcheck.client_address import address_key, client_address, client_key


def _request(peer: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_with_no_proxy_the_header_is_never_read(settings):
    settings.FACTCHECK_TRUSTED_PROXIES = 0

    assert client_address(_request("192.0.2.5", "198.51.100.1")) == "192.0.2.5"
    assert client_address(_request("192.0.2.5", "garbage, 1.2.3.4")) == "192.0.2.5"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        # One proxy: it appended the client, the rightmost entry.
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own entry ignored
        (1, " 198.51.100.7 ", "198.51.100.7"),
        # Two proxies: the outer one appended the client, the inner one the outer.
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.3", "198.51.100.7"),
        # Fewer entries than proxies: not through our proxies as configured.
        (2, "198.51.100.7", "10.0.0.2"),
        (1, "", "10.0.0.2"),
        (1, None, "10.0.0.2"),
        # Not an address: the peer, never the text.
        (1, "6.6.6.6, not-an-ip", "10.0.0.2"),
        (1, "2001:DB8::0:1", "2001:db8::1"),  # canonical form
    ],
)
def test_with_n_proxies_the_nth_entry_from_the_right(
    settings, proxies, forwarded, expected
):
    settings.FACTCHECK_TRUSTED_PROXIES = proxies

    assert client_address(_request("10.0.0.2", forwarded)) == expected


def test_addresses_are_counted_per_ipv4_address_and_per_ipv6_64():
    assert address_key("192.0.2.1") == "192.0.2.1"
    assert address_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::"
    assert address_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_key("") == ""


def test_client_key_is_the_counted_form(settings):
    settings.FACTCHECK_TRUSTED_PROXIES = 1

    assert client_key(_request("10.0.0.2", "2001:db8:9:9::1")) == "2001:db8:9:9::"
