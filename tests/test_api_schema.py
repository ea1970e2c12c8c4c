"""The API keeps to its own OpenAPI document (schemathesis, in-process).

Schemathesis reads ``/api/openapi.json`` from the app itself and, for every
operation, sends generated requests (valid ones and ones that break the schema)
with a service account's token. Each answer must be: no server error, a status the
document declares for that operation, the declared content type, and a body that
fits the declared schema (the error shape included). The run is derandomized and
bounded, so CI sees the same cases every time.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from factcheck import people, workflow
from factcheck.api import api
from factcheck.models import ClaimState
from factcheck.roles import Role

from .factories import (
    make_article,
    make_claim,
    make_decided_article,
    make_service_account,
)

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Per operation; sixteen operations, and the module runs in about half a minute.
MAX_EXAMPLES = 50


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django's request signals would close the database connection (and with it
    the test transaction) after every request; its own test client avoids that
    the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def secret(admin_user) -> str:
    """A token of a service account with the reviewer role: it may read and push."""
    cms = make_service_account(role=Role.REVIEWER, username="cms")
    return workflow.create_api_token(actor=admin_user, user=cms, name="CMS")[1]


def _document() -> dict:
    """The OpenAPI document as JSON has it (status codes as strings)."""
    return json.loads(json.dumps(api.get_openapi_schema()))


def _load_schema():
    """The document the app serves, called in-process through the WSGI handler.
    Built at import (pytest collects one test per operation from it), so it is
    read from the API object rather than over HTTP; a test below checks the two
    are the same document."""
    loaded = schemathesis.openapi.from_dict(_document())
    loaded.app = WSGIHandler()
    return loaded


schema = _load_schema()


@pytest.fixture
def api_schema():
    return schema


def test_the_served_document_is_the_one_tested(client):
    assert client.get("/api/openapi.json").json() == _document()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_to_the_document(case, secret):
    case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)


def test_real_objects_keep_to_the_document(api_schema, secret, reviewer, editor):
    """Generated ids rarely exist: the 200s of the detail operations, with real
    claims and a published article, against the same checks."""
    article = make_article(actor=reviewer, original_published_on="2026-01-15")
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    published = make_decided_article(reviewer=reviewer, editor=editor)
    workflow.publish_article(published, actor=editor)
    auth = {"Authorization": f"Bearer {secret}"}
    calls = [
        ("/api/articles/{pk}", {"pk": article.pk}),
        ("/api/articles/{pk}", {"pk": published.pk}),
        ("/api/claims/{pk}", {"pk": claim.pk}),
        ("/api/articles", {}),
        ("/api/published", {}),
    ]

    for path, params in calls:
        case = api_schema[path]["GET"].Case(path_parameters=params)
        response = case.call_and_validate(headers=auth, checks=CHECKS)
        assert response.status_code == 200, (path, response.text)


def test_the_review_loop_keeps_to_the_document(api_schema, admin_user, editor):
    """The 200s and 201s of the review loop's writes (generated ids rarely reach
    them), with a reviewer's and an editor's token, against the same checks."""
    article = make_article()
    claim = article.claims.order_by("start").first()
    tokens = {}
    for role in (Role.REVIEWER, Role.EDITOR):
        bot = make_service_account(role=role, username=f"{role}-bot")
        token = workflow.create_api_token(actor=admin_user, user=bot, name="A")
        tokens[role] = token[1]
    pk = {"pk": claim.pk}
    steps = [
        (Role.REVIEWER, "/api/claims", "GET", {}, None),
        (Role.REVIEWER, "/api/claims/{pk}/take", "POST", pk, {}),
        (Role.REVIEWER, "/api/claims/{pk}/sources", "POST", pk,
         {"url": "https://stats.example/a", "title": "Stats", "accessed_on": None}),
        (Role.REVIEWER, "/api/claims/{pk}/notes", "POST", pk, {"body": "Hm."}),
        (Role.REVIEWER, "/api/claims/{pk}/verdict", "PUT", pk,
         {"rating": "false", "rationale": "No.", "version": None}),
        (Role.REVIEWER, "/api/claims/{pk}/verdict/submit", "POST", pk,
         {"version": None}),
        (Role.EDITOR, "/api/claims/{pk}/return", "POST", pk, {"comment": "Why?"}),
        (Role.REVIEWER, "/api/claims/{pk}/verdict/submit", "POST", pk,
         {"version": None}),
        (Role.EDITOR, "/api/claims/{pk}/approve", "POST", pk, {}),
    ]  # fmt: skip

    for role, path, method, params, body in steps:
        if body and "version" in body:
            claim.refresh_from_db()
            body = {**body, "version": claim.version}
        kwargs = {"path_parameters": params} if params else {}
        if body is not None:
            kwargs["body"] = body
        case = api_schema[path][method].Case(**kwargs)
        auth = {"Authorization": f"Bearer {tokens[role]}"}
        response = case.call_and_validate(headers=auth, checks=CHECKS)
        assert response.status_code in (200, 201), (path, response.text)
    for other in article.claims.exclude(pk=claim.pk):
        workflow.dismiss_claim(other, actor=editor, reason="Not checkable.")
    case = api_schema["/api/articles/{pk}/publish"]["POST"].Case(
        path_parameters={"pk": article.pk}, body={}
    )
    auth = {"Authorization": f"Bearer {tokens[Role.EDITOR]}"}
    response = case.call_and_validate(headers=auth, checks=CHECKS)
    assert response.status_code == 200, response.text


def test_a_token_without_a_role_gets_documented_refusals(api_schema, admin_user):
    roleless = make_service_account(username="roleless")
    people.set_roles(roleless, actor=admin_user, roles=[])
    secret = workflow.create_api_token(actor=admin_user, user=roleless, name="X")[1]
    auth = {"Authorization": f"Bearer {secret}"}

    for path, method, status in [
        ("/api/articles", "GET", 403),
        ("/api/articles", "POST", 403),
        ("/api/claims/{pk}", "GET", 403),
    ]:
        operation = api_schema[path][method]
        kwargs = {"path_parameters": {"pk": 1}} if "{pk}" in path else {}
        if method == "POST":
            kwargs["body"] = {"text": "Exports rose 12 percent in 2025."}
        response = operation.Case(**kwargs).call_and_validate(
            headers=auth, checks=CHECKS
        )
        assert response.status_code == status
        assert response.json()["code"] == "forbidden"
