"""Every internal URL needs a login; only public views opt out, explicitly.

The URL conf is walked, so a new view is covered the day it is added.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Views that anonymous visitors may reach, by URL name.
PUBLIC = {
    "login",
    "logout",
    "healthz",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation-accept",
    "public-index",
    "public-summary",
    "public-claim",
    "public-claim-report",
    "public-claimreview-feed",
    "public-atom-feed",
    "public-export-csv",
    "public-export-json",
    "public-about",
    "public-claimant",
    "rating-styles",
    # The API: a bearer token is the authority (401 without one), never a session;
    # its OpenAPI document and docs describe it and hold no data.
    "api-root",
    "openapi-json",
    "openapi-view",
    "api-article-list",
    "api-article-create",
    "api-article-detail",
    "api-article-update",
    "api-claim-detail",
    "api-published",
    "api-claim-list",
    "api-claim-take",
    "api-claim-release",
    "api-source-add",
    "api-note-add",
    "api-verdict-save",
    "api-verdict-submit",
    "api-claim-approve",
    "api-claim-return",
    "api-article-publish",
}


def _walk(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("django-admin"):
                continue
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry.name, prefix + str(entry.pattern)


def _concrete(route: str) -> str:
    route = re.sub(r"<int:\w+>", "1", route)
    route = re.sub(r"<(?:str|slug):\w+>", "x", route)
    route = re.sub(r"<\w+>", "x", route)
    route = route.replace("^", "").replace("$", "")
    return "/" + route


ROUTES = [(name, _concrete(route)) for name, route in _walk(get_resolver())]


def test_every_route_is_named():
    assert ROUTES
    assert all(name for name, _ in ROUTES), [r for n, r in ROUTES if not n]


@pytest.mark.parametrize(("name", "path"), [r for r in ROUTES if r[0] not in PUBLIC])
@pytest.mark.parametrize("method", ["get", "post"])
def test_internal_route_sends_anonymous_visitor_to_login(client, name, path, method):
    response = getattr(client, method)(path)

    assert response.status_code == 302, (name, path, response.status_code)
    assert response["Location"].startswith("/login/")


# A password alone is half a sign-in for someone with two-factor sign-in on: such a
# session reaches the code page, logout and the public views, nothing else.
OWES_SECOND_FACTOR_MAY_REACH = {"two-factor-verify"}


@pytest.mark.parametrize(
    ("name", "path"),
    [r for r in ROUTES if r[0] not in PUBLIC | OWES_SECOND_FACTOR_MAY_REACH],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_session_owing_its_second_factor_reaches_only_the_code_page(
    client, name, path, method
):
    import time

    from django_otp.oath import TOTP

    from factcheck import workflow
    from factcheck.roles import Role

    from .factories import make_user

    user = make_user(roles=[Role.EDITOR, Role.ADMIN], username="half")
    key = "3132333435363738393031323334353637383930"
    totp = TOTP(bytes.fromhex(key))
    totp.time = time.time()
    workflow.enable_two_factor(user, actor=user, key=key, code=f"{totp.token():06d}")
    client.force_login(user)

    response = getattr(client, method)(path)

    assert response.status_code == 302, (name, path, response.status_code)
    assert response["Location"].startswith("/login/two-factor/"), name
