"""Security headers, session expiry, CSRF on htmx posts, a clean ``check --deploy``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from .factories import make_user

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def _directives(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("name", ["login", "dashboard", "team"])
def test_pages_carry_csp_without_unsafe_inline_scripts(client, admin_user, name):
    client.force_login(admin_user)

    response = client.get(reverse(name))

    assert response.status_code == 200
    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    html = response.content.decode()
    # No inline script or style for the policy to block: the pages must not need any.
    assert "<script>" not in html and " style=" not in html and "onclick" not in html
    assert '"allowEval": false' in html  # htmx configured for script-src 'self'


def test_sessions_expire(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    # An idle timeout, not an absolute one: tests/test_sliding_sessions.py.
    assert "factcheck.sessions.SlidingSessionMiddleware" in settings.MIDDLEWARE


def test_password_validators_are_on():
    names = {
        v["NAME"].rsplit(".", 1)[-1] for v in django_settings.AUTH_PASSWORD_VALIDATORS
    }
    assert {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    } <= names


def test_htmx_posts_need_the_csrf_token(admin_user):
    target = make_user(role="reviewer", username="target")
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    url = reverse("team-role", args=[target.pk])

    refused = client.post(url, {"role": "editor"}, headers={"HX-Request": "true"})
    page = client.get(reverse("team"))
    token = page.cookies["csrftoken"].value
    assert '"X-CSRFToken": "' in page.content.decode()  # hx-headers on <body>
    accepted = client.post(
        url, {"role": "editor"}, headers={"HX-Request": "true", "X-CSRFToken": token}
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200
    target.refresh_from_db()
    assert target.groups.get().name == "Editor"


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    # The production shape the README describes: behind one TLS proxy, with a
    # migrated database and a real publisher (check --deploy refuses a placeholder,
    # and warns when it cannot read the publisher: tests/test_publisher.py).
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "check-deploy-0123456789-not-a-real-key-but-long-enough",
        "ALLOWED_HOSTS": "desk.example",
        "FACTCHECK_TRUSTED_PROXIES": "1",
        "FACTCHECK_DB_PATH": str(tmp_path / "deploy.sqlite3"),
        "FACTCHECK_ORG_NAME": "Harbour Fact Check",
        "FACTCHECK_ORG_URL": "https://harbourfacts.org",
        # A real mail backend (the console default warns: factcheck.W107).
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    }
    env.pop("FACTCHECK_HTTPS", None)
    # Test-only switches (the browser tests' conftest sets the async one) are not
    # part of a production environment.
    # Its own throwaway SQLite database, even when the suite runs on PostgreSQL.
    for name in ("FACTCHECK_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"):
        env.pop(name, None)
    migrate = [sys.executable, "manage.py", "migrate", "-v0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True, timeout=300)

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_are_strict():
    # Behind a TLS proxy; without one see tests/test_deployment_settings.py.
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "desk.example",
        "FACTCHECK_TRUSTED_PROXIES": "1",
    }
    env.pop("FACTCHECK_HTTPS", None)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='factcheck.settings';"
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_SSL_REDIRECT, s.X_FRAME_OPTIONS)"
    )

    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )

    hsts, session_secure, csrf_secure, ssl_redirect, frame = out.stdout.split()
    assert int(hsts) >= 31536000
    assert (session_secure, csrf_secure, ssl_redirect, frame) == (
        "True",
        "True",
        "True",
        "DENY",
    )
