"""Malformed input never becomes a 500: every route, fed junk by each role.

Generated from the URL conf (like the role matrix, whose real objects it reuses), so
a new form is covered the day it ships. Junk means wrong types, forged and overflowing
ids, impossible dates, huge strings, control characters and hostile markup.
"""

from __future__ import annotations

import pytest

from .test_role_matrix import ROUTES, _client, _url, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

HUGE = "x" * 200_000
FIELDS = [
    "version",
    "reason",
    "comment",
    "body",
    "text",
    "title",
    "url",
    "rating",
    "rationale",
    "assignee",
    "due_at",
    "other",
    "claims",
    "operation",
    "role",
    "state",
    "response",
    "correction_note",
    "email",
    "start",
    "end",
    "at",
    "publisher",
    "excerpt",
    "name",
    "user",
    "username",
    "password",
    "next",
]
JUNK = {
    "wrong types": dict.fromkeys(FIELDS, "abc"),
    "overflowing ids": dict.fromkeys(FIELDS, "99999999999999999999999999"),
    "negative numbers": dict.fromkeys(FIELDS, "-1"),
    "huge strings": dict.fromkeys(FIELDS, HUGE),
    "control characters": dict.fromkeys(FIELDS, "\x00\x01\x7f\u202e"),
    "hostile markup": dict.fromkeys(
        FIELDS, '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    ),
}
ROUTES_WITHOUT_API = [(n, r) for n, r in ROUTES if not r.startswith("api/")]


@pytest.mark.parametrize(
    ("name", "route"), ROUTES_WITHOUT_API, ids=[n for n, _ in ROUTES_WITHOUT_API]
)
def test_junk_posts_get_a_clear_answer_not_a_server_error(world, name, route):  # noqa: F811
    url = _url(name, route, world)
    failures = []

    for persona in ("reviewer", "editor", "admin"):
        client = _client(persona, world)
        client.raise_request_exception = False
        for label, data in JUNK.items():
            response = client.post(url, data)
            if response.status_code >= 500:
                failures.append(f"{persona}, {label}: {response.status_code}")

    assert failures == []


GET_JUNK = {
    "wrong types": dict.fromkeys(
        FIELDS + ["page", "q", "status", "kind", "sort"], "abc"
    ),
    "overflowing": dict.fromkeys(
        FIELDS + ["page", "article", "actor", "from", "to"], "99999999999999999999999"
    ),
    "negative": dict.fromkeys(FIELDS + ["page", "article", "actor"], "-1"),
    "long": dict.fromkeys(["q", "page", "from", "action", "assignee"], "y" * 5000),
    # PostgreSQL refuses NUL in text: the edge answers 400 before any query runs.
    "NUL characters": dict.fromkeys(
        FIELDS + ["page", "q", "status", "kind", "sort", "article", "actor", "from"],
        "a\x00b",
    ),
}


@pytest.mark.parametrize(
    ("name", "route"), ROUTES_WITHOUT_API, ids=[n for n, _ in ROUTES_WITHOUT_API]
)
def test_junk_query_strings_never_break_a_page(world, name, route):  # noqa: F811
    url = _url(name, route, world)
    failures = []

    for persona in ("anonymous", "reviewer", "editor", "admin"):
        client = _client(persona, world)
        client.raise_request_exception = False
        for label, params in GET_JUNK.items():
            response = client.get(url, params)
            if response.status_code >= 500:
                failures.append(f"{persona}, {label}: {response.status_code}")

    assert failures == []
