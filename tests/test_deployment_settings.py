"""How browsers reach the desk decides the HTTPS settings; check --deploy warns on
combinations that cannot work.

Settings are computed once at import, so the computing function
(``settings.transport_security``) is tested directly, its result is applied with
``override_settings`` to serve real requests, and the environment is tested in a
subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from factcheck.security_checks import check_proxies_and_https, check_throttle_cache
from factcheck.settings import transport_security

ROOT = Path(__file__).resolve().parent.parent
PROXY_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_plain_http_turns_every_https_setting_off():
    plain = transport_security(https=False, trusted_proxies=0)

    assert plain["SECURE_SSL_REDIRECT"] is False
    assert plain["SECURE_PROXY_SSL_HEADER"] is None  # no client can claim HTTPS
    assert plain["SECURE_HSTS_SECONDS"] == 0
    assert not plain["SESSION_COOKIE_SECURE"] and not plain["CSRF_COOKIE_SECURE"]


def test_behind_a_tls_proxy_every_https_setting_is_on():
    tls = transport_security(https=True, trusted_proxies=1)

    assert tls["SECURE_SSL_REDIRECT"] is True
    assert tls["SECURE_PROXY_SSL_HEADER"] == PROXY_HEADER
    assert tls["SECURE_HSTS_SECONDS"] >= 31536000
    assert tls["SESSION_COOKIE_SECURE"] and tls["CSRF_COOKIE_SECURE"]


def test_https_without_a_proxy_believes_no_header():
    # gunicorn terminating TLS itself: is_secure() is true without any header.
    assert (
        transport_security(https=True, trusted_proxies=0)["SECURE_PROXY_SSL_HEADER"]
        is None
    )


@pytest.mark.django_db
def test_with_debug_off_and_no_proxy_the_login_page_is_served_plainly():
    with override_settings(
        DEBUG=False, **transport_security(https=False, trusted_proxies=0)
    ):
        browser = Client()
        response = browser.get(reverse("login"))
        # A client's forged header makes no difference either.
        forged = browser.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
    assert b'name="password"' in response.content
    assert "Strict-Transport-Security" not in response
    assert forged.status_code == 200 and "Strict-Transport-Security" not in forged


@pytest.mark.django_db
def test_behind_a_tls_proxy_plain_requests_go_to_https_and_proxied_ones_are_served():
    with override_settings(
        DEBUG=False,
        FACTCHECK_TRUSTED_PROXIES=1,
        **transport_security(https=True, trusted_proxies=1),
    ):
        browser = Client()
        plain = browser.get(reverse("login"))
        proxied = browser.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")

    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/login/"
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"].startswith("max-age=31536000")


# --- From the environment ------------------------------------------------------------

SHOW = (
    "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'factcheck.settings';"
    "from django.conf import settings as s;"
    "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER,"
    " s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.FACTCHECK_TRUSTED_PROXIES,"
    " s.CACHES['throttle']['BACKEND'].rsplit('.', 1)[1]]))"
)


def _production(**extra: str) -> list:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "desk.example",
        **extra,
    }
    for name in (
        "FACTCHECK_TESTING",
        "FACTCHECK_TRUSTED_PROXIES",
        "FACTCHECK_HTTPS",
        "REDIS_URL",
        "SECURE_SSL_REDIRECT",
    ):
        if name not in extra:
            env.pop(name, None)
    out = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_production_without_a_proxy_serves_plain_http():
    assert _production() == [False, None, False, 0, 0, "DatabaseCache"]


def test_production_behind_one_proxy_is_https():
    redirect, header, secure, hsts, proxies, cache = _production(
        FACTCHECK_TRUSTED_PROXIES="1"
    )

    assert (redirect, header, secure, proxies) == (True, list(PROXY_HEADER), True, 1)
    assert hsts >= 31536000 and cache == "DatabaseCache"


def test_a_proxy_on_a_private_network_may_stay_plain_http():
    settings = _production(FACTCHECK_TRUSTED_PROXIES="1", FACTCHECK_HTTPS="0")

    assert settings == [False, None, False, 0, 1, "DatabaseCache"]


def test_redis_is_the_throttle_cache_when_there_is_one():
    assert _production(REDIS_URL="redis://127.0.0.1:6379/0")[-1] == "RedisCache"


# --- check --deploy ------------------------------------------------------------------


def _ids(**overrides) -> set[str]:
    with override_settings(**overrides):
        return {m.id for m in check_proxies_and_https() + check_throttle_cache()}


SHARED = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "factcheck_throttle",
    },
}


def _deployment(https: bool, proxies: int, **more) -> dict:
    return {
        "DEBUG": False,
        "CACHES": SHARED,
        "FACTCHECK_HTTPS": https,
        "FACTCHECK_TRUSTED_PROXIES": proxies,
        **transport_security(https=https, trusted_proxies=proxies),
        **more,
    }


@pytest.mark.parametrize(
    ("https", "proxies"), [(True, 1), (True, 2), (False, 0)], ids=str
)
def test_consistent_deployments_raise_no_warning(https, proxies):
    assert _ids(**_deployment(https, proxies)) == set()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (_deployment(True, 1, DEBUG=True), "factcheck.W101"),
        (_deployment(True, 0), "factcheck.W102"),
        (_deployment(True, 1, SECURE_PROXY_SSL_HEADER=None), "factcheck.W103"),
        (_deployment(False, 0, SECURE_PROXY_SSL_HEADER=PROXY_HEADER), "factcheck.W104"),
        (_deployment(False, 1), "factcheck.W105"),
        (
            _deployment(
                True,
                1,
                CACHES={
                    **SHARED,
                    "throttle": {
                        "BACKEND": "django.core.cache.backends.locmem.LocMemCache"
                    },
                },
            ),
            "factcheck.W106",
        ),
    ],
    ids=[
        "debug",
        "https-no-proxy",
        "proxy-no-header",
        "header-no-proxy",
        "proxy-plain-http",
        "throttle-not-shared",
    ],
)
def test_inconsistent_combinations_warn(overrides, expected):
    assert _ids(**overrides) == {expected}


def test_the_checks_run_only_with_deploy():
    from django.core.checks import registry

    deploy_only = registry.registry.get_checks(include_deployment_checks=False)
    assert check_proxies_and_https not in deploy_only
    assert check_proxies_and_https in registry.registry.get_checks(
        include_deployment_checks=True
    )
