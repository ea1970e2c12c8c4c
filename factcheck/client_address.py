"""Whose request is this? The one place that decides a client's address.

Login lock-outs (django-axes), the password-reset throttle and readers' error reports
all count per address, so they all ask this module, never ``REMOTE_ADDR`` or a header.

One explicit setting, ``FACTCHECK_TRUSTED_PROXIES`` (an integer, default 0), says how
many reverse proxies we control stand in front of the app:

- 0: the peer of the TCP connection (``REMOTE_ADDR``) is the client. No header is
  read, so nobody can claim another address by sending ``X-Forwarded-For``.
- N > 0: each of our N proxies appends the address it received the request from to
  ``X-Forwarded-For``, so the client is the Nth entry from the right. Entries further
  left were written by the client and are ignored. The app must then be reachable
  only through those proxies (gunicorn bound to 127.0.0.1 or a private network):
  a client reaching it directly could choose the entry we read.

A header with fewer than N entries, or an entry that is not an IP address, means the
request did not come through all our proxies as configured: the peer address is used.

IPv6 clients are counted per /64 (``address_key``), the block one subscriber usually
gets; otherwise one household could take 2^64 fresh addresses.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

IPV6_PREFIX = 64


def trusted_proxies() -> int:
    """How many reverse proxies of ours stand in front of the app (0: none)."""
    return max(0, int(getattr(settings, "FACTCHECK_TRUSTED_PROXIES", 0) or 0))


def _canonical(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The client's IP address, as the proxy setting allows us to know it."""
    peer = request.META.get("REMOTE_ADDR", "") or ""
    proxies = trusted_proxies()
    if proxies:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in header.split(",") if hop.strip()]
        if len(hops) >= proxies:
            forwarded = _canonical(hops[-proxies])
            if forwarded is not None:
                return forwarded
    return _canonical(peer) or peer


def address_key(address: str) -> str:
    """The address to count under: IPv4 as it is, IPv6 as its /64 network address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1
        return str(ip.ipv4_mapped)
    network = ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False)
    return str(network.network_address)


def client_key(request: HttpRequest) -> str:
    """What per-address limits count: ``address_key(client_address(request))``.

    This is ``AXES_CLIENT_IP_CALLABLE``, so lock-outs count the same way.
    """
    return address_key(client_address(request))
