"""Input no database column can hold is refused at the edge, on every route.

NUL characters, lone surrogates and whole numbers beyond the signed 64-bit range, in
query strings, form fields and JSON bodies, get a 400 before any view runs (the
API's JSON error shape under /api/); an id beyond that range in the path is a 404.
The every-route tests take the route list from the URL conf (like the role matrix),
so a new route is covered the day it ships.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.urls import resolve, reverse

from factcheck import unstorable
from factcheck.models import AuditEvent, Claim, ClaimState, Note
from tests.factories import make_claim

from .test_role_matrix import ROUTES, _client, _url, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_a_nul_in_the_public_search_is_a_clear_400(client):
    response = client.get(reverse("public-index"), {"q": "\x00"})

    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_in_a_desk_query_string_is_a_clear_400(client, reviewer):
    client.force_login(reviewer)

    response = client.get(reverse("search"), {"q": "tax\x00es"})

    assert response.status_code == 400


def test_a_nul_in_a_form_key_writes_nothing(client, reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    client.force_login(reviewer)
    before = AuditEvent.objects.count()

    response = client.post(
        reverse("note-add", args=[claim.pk]), {"body": "Call them", "x\x00": "1"}
    )

    assert response.status_code == 400
    assert not Note.objects.exists() and AuditEvent.objects.count() == before


def test_ordinary_input_passes(client):
    assert client.get(reverse("public-index"), {"q": "exports"}).status_code == 200


def test_postgresql_connections_are_health_checked():
    """Settings for DATABASE_URL (production): persistent connections, checked
    before reuse, so a killed backend costs only the requests in flight."""
    root = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://desk@db.example:5432/desk",
        "DJANGO_SETTINGS_MODULE": "factcheck.settings",
        "DEBUG": "1",
    }
    code = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True
    )

    assert out.stdout.split() == ["60", "True"], out.stderr


# --- The checks themselves ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        (str(2**63 - 1), False),
        (str(2**63), True),
        (str(-(2**63)), False),
        (str(-(2**63) - 1), True),
        ("000" + str(2**63 - 1), False),
        ("9" * 5000, True),  # beyond int()'s digit limit: refused, not a crash
        ("12345678901234567890 apples", False),  # not a number: text
    ],
)
def test_whole_numbers_beyond_64_bits_are_found(value, refused):
    assert bool(unstorable.in_params([("version", [value])])) is refused


def test_a_long_digit_password_is_not_a_number():
    assert unstorable.in_params([("new_password1", ["9" * 30])]) is None


@pytest.mark.parametrize(
    "body",
    [
        {"text": "a\x00b"},
        {"text": "\ud800"},
        {"a\x00": 1},
        {"claims": [1, 2**63]},
        {"nested": {"deeper": [{"id": -(2**63) - 1}]}},
    ],
)
def test_json_bodies_are_searched_throughout(body):
    assert unstorable.in_json(json.dumps(body).encode())


def test_json_that_does_not_parse_is_left_to_the_view():
    assert unstorable.in_json(b"{not json") is None
    assert unstorable.in_json(json.dumps({"id": 2**63 - 1}).encode()) is None


# --- Every route ------------------------------------------------------------------


FIELDS = ["pk", "version", "text", "title", "body", "claims", "other", "q", "page"]
QUERIES = {
    "NUL": {"q": "tax\x00es"},
    "NUL in a key": {"a\x00": "1"},
    "oversize id": {"page": str(2**63), "article": "9" * 30},
}
FORMS = {
    "NUL": dict.fromkeys(FIELDS, "a\x00b"),
    "oversize ids": dict.fromkeys(FIELDS, str(2**63)),
    "negative oversize": {"version": str(-(2**63) - 1)},
}
JSON_BODIES = {
    "NUL": {"text": "Exports rose\x00 in 2025."},
    "lone surrogate": {"text": "Exports rose \ud800 in 2025.", "title": "x"},
    "oversize ids": {"version": 2**63, "claims": [10**30], "pk": -(2**63) - 1},
}
PERSONAS = ("anonymous", "editor")


def _snapshot() -> dict:
    """Row counts of every model of the desk, and each claim's editable state."""
    counts = {
        m.__name__: m.objects.count()
        for m in apps.get_app_config("factcheck").get_models()
    }
    claims = list(
        Claim.objects.order_by("pk").values_list("pk", "state", "version", "text")
    )
    return {"counts": counts, "claims": claims}


def _refused(response, url: str, status: int, code: str) -> str | None:
    if response.status_code != status:
        return f"{response.status_code} (wanted {status})"
    if url.startswith("/api/"):
        if not response["Content-Type"].startswith("application/json"):
            return f"{response['Content-Type']} (wanted the JSON error shape)"
        if response.json().get("code") != code:
            return f"code {response.json().get('code')!r} (wanted {code!r})"
    return None


def _every_route(world, send, status: int, code: str) -> list[str]:  # noqa: F811
    failures = []
    for persona in PERSONAS:
        client = _client(persona, world)
        client.raise_request_exception = False
        for name, route in ROUTES:
            url = _url(name, route, world)
            for label, response in send(client, url):
                problem = _refused(response, url, status, code)
                if problem:
                    failures.append(f"{persona} {label} {url}: {problem}")
    return failures


def test_unstorable_query_strings_are_400_on_every_route(world):  # noqa: F811
    before = _snapshot()

    def send(client, url):
        for label, params in QUERIES.items():
            yield f"GET {label}", client.get(url, params)
            yield f"POST {label}", client.post(f"{url}?{urlencode(params)}")

    failures = _every_route(world, send, 400, "unstorable_input")

    assert failures == []
    assert _snapshot() == before


def test_unstorable_form_fields_are_400_on_every_route(world):  # noqa: F811
    before = _snapshot()

    def send(client, url):
        for label, data in FORMS.items():
            yield f"POST form {label}", client.post(url, data)

    failures = _every_route(world, send, 400, "unstorable_input")

    assert failures == []
    assert _snapshot() == before


def test_unstorable_json_bodies_are_400_on_every_route(world):  # noqa: F811
    before = _snapshot()

    def send(client, url):
        for label, body in JSON_BODIES.items():
            data = json.dumps(body)  # ASCII: "\ud800" travels as its escape
            yield (
                f"POST JSON {label}",
                client.post(url, data, content_type="application/json"),
            )

    failures = _every_route(world, send, 400, "unstorable_input")

    assert failures == []
    assert _snapshot() == before


INT_ROUTES = [(n, r) for n, r in ROUTES if "<int:" in r]


def test_ids_beyond_64_bits_in_the_path_are_404_on_every_route(world):  # noqa: F811
    before = _snapshot()
    failures = []

    for persona in PERSONAS:
        client = _client(persona, world)
        client.raise_request_exception = False
        for name, route in INT_ROUTES:
            match = resolve(_url(name, route, world))
            for big in (2**63, 10**30):
                kwargs = {
                    k: big if isinstance(v, int) else v for k, v in match.kwargs.items()
                }
                url = reverse(match.view_name, kwargs=kwargs)
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    problem = _refused(response, url, 404, "not_found")
                    if problem:
                        failures.append(f"{persona} {method.upper()} {url}: {problem}")

    assert INT_ROUTES and failures == []
    assert _snapshot() == before
