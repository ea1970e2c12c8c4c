"""``manage.py check --deploy`` warnings for proxy, HTTPS, throttle and email settings.

Each combination below is one that settings.py allows but that breaks a
deployment: logins redirected to an https port nothing serves, a redirect loop, a
forwarded header any client can forge, or throttles that each process counts alone.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from . import mail

DOCS = "See docs/architecture.md, 'Security settings'."


def _warning(number: int, msg: str, hint: str) -> checks.Warning:
    return checks.Warning(msg, hint=f"{hint} {DOCS}", id=f"factcheck.W1{number:02d}")


@checks.register(checks.Tags.security, deploy=True)
def check_proxies_and_https(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    proxies = getattr(settings, "FACTCHECK_TRUSTED_PROXIES", 0)
    https = getattr(settings, "FACTCHECK_HTTPS", False)
    header = settings.SECURE_PROXY_SSL_HEADER
    found = []
    if settings.DEBUG and (https or proxies):
        found.append(
            _warning(
                1,
                "DEBUG is on in a deployment declared to be behind a proxy or HTTPS.",
                "Set DEBUG=0: debug pages show settings and request details.",
            )
        )
    if https and not proxies and not header:
        found.append(
            _warning(
                2,
                "FACTCHECK_HTTPS is on but no trusted proxy is declared.",
                "Set FACTCHECK_TRUSTED_PROXIES to the number of proxies in front of "
                "the app; without one, only a server that terminates TLS itself "
                "sees HTTPS, and every plain request is redirected to https.",
            )
        )
    if proxies and https and not header:
        found.append(
            _warning(
                3,
                "A trusted proxy is declared with HTTPS, but SECURE_PROXY_SSL_HEADER "
                "is not set.",
                "The app cannot tell that the browser used HTTPS: every request is "
                "redirected again (a loop). Set SECURE_PROXY_SSL_HEADER.",
            )
        )
    if header and not proxies:
        found.append(
            _warning(
                4,
                "SECURE_PROXY_SSL_HEADER is set but no trusted proxy is declared.",
                "Any client can then claim HTTPS with a header; set "
                "FACTCHECK_TRUSTED_PROXIES or unset SECURE_PROXY_SSL_HEADER.",
            )
        )
    if proxies and not https:
        found.append(
            _warning(
                5,
                "A trusted proxy is declared, but FACTCHECK_HTTPS is off: the desk "
                "is served over plain HTTP.",
                "Plain HTTP is for a private network only; set FACTCHECK_HTTPS=1 "
                "when the proxy terminates TLS.",
            )
        )
    return found


@checks.register(checks.Tags.caches, deploy=True)
def check_throttle_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    backend = settings.CACHES.get("throttle", {}).get("BACKEND", "")
    if backend.endswith(("LocMemCache", "DummyCache")) or not backend:
        return [
            _warning(
                6,
                "The 'throttle' cache is not shared between app processes.",
                "Password-reset and error-report limits would count per process; "
                "use Redis (REDIS_URL) or the database cache.",
            )
        ]
    return []


@checks.register(deploy=True)
def check_email_delivery(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if mail.delivers():
        return []
    return [
        _warning(
            7,
            f"EMAIL_BACKEND ({settings.EMAIL_BACKEND}) delivers no email.",
            "Invitations and password resets then show their one-time link to the "
            "admin to pass on; set EMAIL_BACKEND and EMAIL_HOST for real email.",
        )
    ]
