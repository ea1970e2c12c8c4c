"""Outbound HTTP that cannot be turned against the desk's own network (SSRF).

Webhook deliveries and source captures both fetch URLs that users typed. Every
request here resolves the host name once, checks every address it resolves to, and
connects to the checked address (the name goes in the Host header and TLS SNI), so a
second DNS answer cannot swap in a private address (DNS rebinding). Loopback and
private addresses are refused unless the caller allows them (``allow_private``) or
names the host (``allowed_hosts``, for tests); link-local, cloud metadata,
multicast and reserved addresses are always refused. ``get()`` follows redirects
itself, checking each hop like the first, and caps time, size and content type.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

# Cloud metadata services outside the link-local range (always refused).
METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("fd00:ec2::254", "100.100.100.200")
)
REDIRECTS = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024


class UnsafeDestination(ValueError):
    """The URL leads somewhere the desk may not send requests."""


class NetworkError(Exception):
    """The server could not be reached, did not answer in time, or broke a limit."""


def refusal(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address, *, allow_private: bool = False
) -> str | None:
    """Why no request may go to ``ip``, or None."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip in METADATA or ip.is_link_local:
        return "a link-local or cloud metadata address"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "a multicast, unspecified or reserved address"
    if ip.is_global:
        return None
    if allow_private and (ip.is_private or ip.is_loopback):
        return None
    return "a private or loopback address"


def check_url(
    url: str, *, allow_private: bool = False, what: str = "Requests"
) -> tuple[str, str, int]:
    """(scheme, host, port) of an acceptable URL; DNS is not consulted."""
    try:
        parts = urlsplit(url or "")
        parts.hostname  # noqa: B018 - parses the netloc (a broken IPv6 literal raises)
    except ValueError as exc:
        raise UnsafeDestination("This is not a valid web address.") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeDestination("Give an http:// or https:// address.")
    if parts.username or parts.password:
        raise UnsafeDestination("Leave user names and passwords out of the address.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeDestination(
            "The port is not a number between 0 and 65535."
        ) from exc
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        literal = None
    if literal is not None and (why := refusal(literal, allow_private=allow_private)):
        raise UnsafeDestination(f"{what} may not be sent to {why}.")
    return parts.scheme, parts.hostname, port


def resolve(
    url: str,
    *,
    allow_private: bool = False,
    allowed_hosts: Collection[str] = (),
    what: str = "Requests",
) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to), every resolved address checked.

    A host in ``allowed_hosts`` may be private or loopback (never link-local or
    metadata)."""
    scheme, host, port = check_url(url, allow_private=True, what=what)  # the shape
    allow_private = allow_private or host.lower() in {h.lower() for h in allowed_hosts}
    check_url(url, allow_private=allow_private, what=what)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise NetworkError(f"Could not resolve {host}: {exc}") from exc
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if why := refusal(ip, allow_private=allow_private):
            raise UnsafeDestination(f"{host} resolves to {why} ({address}).")
    if not addresses:
        raise NetworkError(f"{host} has no address.")
    return scheme, host, port, addresses[0]


class PinnedHTTP(http.client.HTTPConnection):
    """Connects to a checked address, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the name (SNI), not the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def connect(
    url: str, timeout: float, **checks
) -> tuple[http.client.HTTPConnection, str]:
    """A pinned connection to ``url``'s checked address, and the path to request."""
    scheme, host, port, address = resolve(url, **checks)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = PinnedHTTPS if scheme == "https" else PinnedHTTP
    return connection_class(host, port, address, timeout), path


@dataclass(frozen=True)
class Response:
    url: str  # the final URL, after redirects
    status: int
    content_type: str  # the media type, lower case, without parameters
    charset: str | None
    body: bytes
    redirects: tuple[str, ...] = ()


def _media_type(header: str | None) -> tuple[str, str | None]:
    kind, _, params = (header or "").partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip("\"' ")
    return kind.strip().lower(), charset


def get(
    url: str,
    *,
    max_bytes: int,
    timeout: float,
    content_types: Collection[str],
    max_redirects: int = 5,
    headers: dict[str, str] | None = None,
    allow_private: bool = False,
    allowed_hosts: Collection[str] = (),
) -> Response:
    """GET ``url`` within limits: each redirect hop checked like the first, at most
    ``max_bytes`` of body, ``timeout`` seconds for the whole exchange, and a body
    only of an allowed content type (an error status is returned without a body).
    """
    deadline = time.monotonic() + timeout
    hops: list[str] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise NetworkError(f"No answer within {timeout:g} seconds.")
        connection, path = connect(
            url,
            remaining,
            allow_private=allow_private,
            allowed_hosts=allowed_hosts,
            what="Requests",
        )
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            location = response.getheader("Location")
            if response.status in REDIRECTS and location:
                if len(hops) >= max_redirects:
                    raise NetworkError(f"More than {max_redirects} redirects.")
                hops.append(url)
                try:
                    url = urljoin(url, location.strip())
                except ValueError as exc:
                    raise UnsafeDestination("This is not a valid web address.") from exc
                continue
            kind, charset = _media_type(response.getheader("Content-Type"))
            if response.status >= 400:
                return Response(url, response.status, kind, charset, b"", tuple(hops))
            if kind not in content_types:
                raise NetworkError(f"Content type {kind or 'none'} is not captured.")
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise NetworkError(f"The body is larger than {max_bytes} bytes.")
            body = _read(response, max_bytes, deadline, timeout)
            return Response(url, response.status, kind, charset, body, tuple(hops))
        except UnsafeDestination:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            # ValueError: a header http.client cannot send (a non-ASCII host name).
            raise NetworkError(f"{type(exc).__name__}: {exc}"[:300]) from exc
        finally:
            connection.close()


def _read(response, max_bytes: int, deadline: float, timeout: float) -> bytes:
    """The body, refused past ``max_bytes`` or the deadline (a slow drip)."""
    chunks, size = [], 0
    while chunk := response.read(min(CHUNK, max_bytes + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise NetworkError(f"The body is larger than {max_bytes} bytes.")
        if time.monotonic() > deadline:
            raise NetworkError(f"No full answer within {timeout:g} seconds.")
    return b"".join(chunks)
