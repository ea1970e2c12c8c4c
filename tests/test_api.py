"""The CMS API: token auth, pushing articles, reading claims and published verdicts."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from factcheck import audit, people, workflow
from factcheck.audit import AuditAction
from factcheck.models import ApiToken, Article, AuditEvent, Claim, ClaimState
from factcheck.roles import Role

from .factories import (
    make_article,
    make_claim,
    make_decided_article,
    make_service_account,
    make_user,
)

pytestmark = pytest.mark.django_db

TEXT = (
    "Exports rose sharply\n\n"
    "The ministry said exports rose 12 percent in 2025 to $4.2 billion. "
    "Officials reported that 3,400 new rail wagons entered service last year.\n\n"
    "The treaty was signed in Moscow in 2001 by both presidents."
)


def _token(user, admin, name="CMS") -> str:
    return workflow.create_api_token(actor=admin, user=user, name=name)[1]


@pytest.fixture
def cms(db):
    """The CMS's service account, with the reviewer role: it may ingest and read."""
    return make_service_account(role=Role.REVIEWER, username="cms")


@pytest.fixture
def secret(cms, admin_user) -> str:
    """A token acting as the CMS's service account."""
    return _token(cms, admin_user)


def _auth(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def _get(client, url, secret):
    return client.get(url, headers=_auth(secret))


def _push(client, secret, **body):
    return client.post(
        "/api/articles",
        data=json.dumps(body),
        content_type="application/json",
        headers=_auth(secret),
    )


# --- Authentication -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/articles", "/api/published", "/api/articles/1", "/api/claims/1"]
)
def test_no_token_is_401(client, url):
    response = client.get(url)

    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthorized",
        "detail": "Unauthorized",
        "fields": {},
    }
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer fcd_not-a-real-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 5000,
        "fcd_without_scheme",
    ],
)
def test_wrong_token_is_401(client, secret, header):
    response = client.get("/api/articles", headers={"Authorization": header})

    assert response.status_code == 401


def test_revoked_token_is_401(client, secret, admin_user):
    token = ApiToken.objects.get()
    assert _get(client, "/api/articles", secret).status_code == 200

    workflow.revoke_api_token(token, actor=admin_user)

    assert _get(client, "/api/articles", secret).status_code == 401


def test_deactivated_users_token_is_401(client, admin_user):
    service = make_service_account(role=Role.REVIEWER, username="cms-bot")
    secret = _token(service, admin_user)

    people.deactivate_user(service, actor=admin_user)

    assert _get(client, "/api/articles", secret).status_code == 401


def test_a_session_does_not_authenticate_the_api(client, editor):
    client.force_login(editor)

    assert client.get("/api/articles").status_code == 401
    assert client.post("/api/articles", {"text": TEXT}).status_code == 401
    assert not Article.objects.exists()


def test_token_requests_need_no_csrf_cookie(secret):
    client = Client(enforce_csrf_checks=True)

    response = _push(client, secret, text=TEXT)

    assert response.status_code == 201
    assert "csrftoken" not in response.cookies


def test_token_without_permission_is_403(client, admin_user):
    roleless = make_service_account(username="roleless")
    people.set_roles(roleless, actor=admin_user, roles=[])
    secret = _token(roleless, admin_user)

    assert _get(client, "/api/articles", secret).status_code == 403
    assert _push(client, secret, text=TEXT).status_code == 403
    # The public snapshots need only a valid token.
    assert _get(client, "/api/published", secret).status_code == 200
    assert not Article.objects.exists()


def test_admin_role_alone_reads_but_cannot_push(client, admin_user):
    secret = _token(admin_user, admin_user)

    assert _get(client, "/api/articles", secret).status_code == 200
    response = _push(client, secret, text=TEXT)

    assert response.status_code == 403
    assert "detail" in response.json()
    assert not Article.objects.exists()


def test_last_used_is_stamped_at_most_once_a_minute(client, secret):
    token = ApiToken.objects.get()
    assert token.last_used_at is None

    _get(client, "/api/articles", secret)
    token.refresh_from_db()
    first = token.last_used_at
    _get(client, "/api/articles", secret)
    token.refresh_from_db()

    assert first is not None
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - timedelta(minutes=2)
    )
    _get(client, "/api/articles", secret)
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=1)


# --- Pushing an article -------------------------------------------------------------


def test_push_creates_the_article_with_claims(client, secret, cms):
    before = AuditEvent.objects.count()

    response = _push(
        client,
        secret,
        text=TEXT,
        title="Exports",
        outlet="Daily Example",
        author="A. Writer",
        original_url="https://news.example/exports",
        original_published_on="2026-01-15",
        language="en",
    )

    assert response.status_code == 201, response.content
    data = response.json()
    article = Article.objects.get()
    assert data["id"] == article.pk
    assert article.ingested_by == cms
    assert (data["title"], data["outlet"], data["status"]) == (
        "Exports",
        "Daily Example",
        "in_review",
    )
    assert data["original_published_on"] == "2026-01-15"
    assert data["claims"], "the checkable sentences become claims"
    assert data["claims_total"] == len(data["claims"]) == article.claims.count()
    for claim in data["claims"]:
        assert data["body"][claim["start"] : claim["end"]] == claim["text"]
        assert TEXT[claim["start"] : claim["end"]] == claim["text"]  # plain input
        assert claim["status"] == "open" and claim["assignee"] is None
        assert 0 <= claim["score"] <= 1 and claim["reasons"]
    assert "Exports rose sharply" not in [c["text"] for c in data["claims"]]
    # One write, one audit event, by the token's user.
    event = AuditEvent.objects.get(pk__gt=0, action=AuditAction.ARTICLE_CREATED)
    assert AuditEvent.objects.count() == before + 1
    assert event.actor == cms


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        # What the schema states is a 422 with the field named...
        ({"text": ""}, 422, "validation_error"),
        ({"text": "   \n\n  "}, 422, "validation_error"),
        ({"title": "No text"}, 422, "validation_error"),
        ({"text": 42}, 422, "validation_error"),
        ({"text": TEXT, "title": "x" * 301}, 422, "validation_error"),
        (
            {"text": TEXT, "original_url": "javascript:alert(1)"},
            422,
            "validation_error",
        ),
        (
            {"text": TEXT, "original_published_on": "15/01/2026"},
            422,
            "validation_error",
        ),
        ({"text": TEXT, "body": "unknown field"}, 422, "validation_error"),
        # ...what no column can hold is refused at the edge (the desk's own rules
        # beyond the schema are a 400 "invalid": test_oversize_text_is_refused).
        ({"text": "Exports rose \x00 in 2025."}, 400, "unstorable_input"),
        ({"text": "Exports rose \ud800 in 2025."}, 400, "unstorable_input"),
    ],
)
def test_bad_input_is_4xx_json_and_stores_nothing(client, secret, body, status, code):
    events = AuditEvent.objects.count()

    response = _push(client, secret, **body)

    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()
    assert error["code"] == code and isinstance(error["detail"], str)
    assert error["detail"] and isinstance(error["fields"], dict)
    assert not Article.objects.exists() and not Claim.objects.exists()
    assert AuditEvent.objects.count() == events


def test_oversize_text_is_refused(client, secret, settings):
    settings.FACTCHECK = {**settings.FACTCHECK, "MAX_ARTICLE_BYTES": 2_000}

    response = _push(client, secret, text="The ministry said so in 2025. " * 200)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "limit" in response.json()["detail"]
    assert not Article.objects.exists()


def test_oversize_request_body_is_413(client, secret, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000

    response = _push(client, secret, text="The ministry said so in 2025. " * 100)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Article.objects.exists()


def test_malformed_json_is_4xx(client, secret):
    response = client.post(
        "/api/articles",
        data="{not json",
        content_type="application/json",
        headers=_auth(secret),
    )

    assert 400 <= response.status_code < 500
    assert not Article.objects.exists()


# --- Who wrote it: the token and its creator ---------------------------------------


def _pushed_event(client, secret) -> AuditEvent:
    assert _push(client, secret, text=TEXT, title="Exports").status_code == 201
    return AuditEvent.objects.get(action=AuditAction.ARTICLE_CREATED)


def test_an_api_write_names_the_token_and_its_creator(client, secret, cms, admin_user):
    token = ApiToken.objects.get()

    event = _pushed_event(client, secret)

    assert event.actor == cms
    assert event.data["via_token"] == {
        "id": token.pk,
        "name": "CMS",
        "created_by": admin_user.pk,
        "created_by_label": "ada",
        "service_account": True,
    }
    assert audit.describe(event) == (
        f"cms (service account) ingested the article via token “CMS” (#{token.pk}), "
        "created by ada"
    )


def test_the_token_is_part_of_the_hashed_content(client, secret):
    event = _pushed_event(client, secret)
    assert event.hash == audit.compute_hash(event)
    forged = {**event.data, "via_token": {**event.data["via_token"], "id": 999}}
    cast = "::jsonb" if connection.vendor == "postgresql" else ""

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET data = %s{cast} WHERE id = %s",
            [json.dumps(forged), event.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")

    with pytest.raises(CommandError, match=f"Event #{event.pk} .*altered"):
        call_command("verify_audit", stdout=StringIO())


def test_the_audit_log_and_the_timeline_show_the_token(client, secret, editor):
    token = ApiToken.objects.get()
    _pushed_event(client, secret)
    client.force_login(editor)
    article = Article.objects.get()

    log = client.get(reverse("audit-log")).content.decode()
    page = client.get(reverse("article-detail", args=[article.pk])).content.decode()

    said = f"via token “CMS” (#{token.pk}), created by ada"
    assert said in log
    assert said in page


def test_the_token_does_not_outlive_its_request(client, secret, reviewer):
    _pushed_event(client, secret)
    claim = Article.objects.get().claims.order_by("start").first()

    workflow.take_claim(claim, actor=reviewer)

    event = AuditEvent.objects.get(action=AuditAction.CLAIM_TAKEN)
    assert "via_token" not in event.data
    assert audit.api_token_var.get() is None


def test_a_session_write_names_no_token(client, reviewer):
    client.force_login(reviewer)

    client.post(
        reverse("article-new"), {"text": TEXT, "title": "By hand", "language": "en"}
    )

    event = AuditEvent.objects.get(action=AuditAction.ARTICLE_CREATED)
    assert event.actor == reviewer and "via_token" not in event.data


# --- Reading ------------------------------------------------------------------------


def test_article_detail_and_claim_detail(client, secret, reviewer):
    article = make_article(actor=reviewer)
    claim = workflow.take_claim(
        article.claims.order_by("start").first(), actor=reviewer
    )

    data = _get(client, f"/api/articles/{article.pk}", secret).json()
    one = _get(client, f"/api/claims/{claim.pk}", secret).json()

    assert data["body"] == article.body
    assert [c["id"] for c in data["claims"]] == list(
        article.claims.order_by("position").values_list("pk", flat=True)
    )
    assert one["article"] == article.pk
    assert (one["status"], one["assignee"]) == ("in_progress", reviewer.username)
    assert article.body[one["start"] : one["end"]] == one["text"] == claim.text
    assert set(one) >= {"id", "text", "start", "end", "kind", "score", "reasons"}


def test_unknown_ids_are_404_json(client, secret):
    for url in ("/api/articles/999999", "/api/claims/999999"):
        response = _get(client, url, secret)
        assert response.status_code == 404
        assert response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/articles/abc",
        "/api/claims/-1",
        "/api/articles/9223372036854775808",  # one past the largest 64-bit id
        "/api/claims/99999999999999999999999999",
        "/api/no-such-thing",
    ],
)
def test_odd_ids_and_unknown_paths_are_json_404s(client, secret, url):
    response = _get(client, url, secret)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_id_zero_is_a_422_naming_the_id(client, secret):
    response = _get(client, "/api/articles/0", secret)

    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"pk"}


def test_an_unserved_method_is_a_json_405(client, secret):
    response = client.delete("/api/articles", headers=_auth(secret))

    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert response.json()["code"] == "method_not_allowed"


def test_article_list_is_newest_first_and_paginated(client, secret, reviewer):
    first = make_article(actor=reviewer, title="First")
    second = make_article(actor=reviewer, title="Second")

    data = _get(client, "/api/articles", secret).json()

    assert data["count"] == 2 and data["page"] == 1
    assert [a["id"] for a in data["items"]] == [second.pk, first.pk]
    assert data["items"][0]["claims_total"] == second.claims.count()
    assert _get(client, "/api/articles?page=2", secret).json()["items"] == []
    assert _get(client, "/api/articles?page=0", secret).status_code == 422
    assert _get(client, "/api/articles?page=10000000", secret).status_code == 422


def _queries(client, url, secret) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert _get(client, url, secret).status_code == 200
    return len(ctx.captured_queries)


def test_lists_use_a_constant_number_of_queries(client, secret, reviewer, editor):
    make_article(actor=reviewer)
    make_decided_article(reviewer=reviewer, editor=editor)
    workflow.publish_article(Article.objects.order_by("-pk").first(), actor=editor)
    _get(client, "/api/articles", secret)  # stamps last_used_at once
    small = {
        u: _queries(client, u, secret) for u in ("/api/articles", "/api/published")
    }

    for _ in range(4):
        make_article(actor=reviewer)
        decided = make_decided_article(reviewer=reviewer, editor=editor)
        workflow.publish_article(decided, actor=editor)
    large = {
        u: _queries(client, u, secret) for u in ("/api/articles", "/api/published")
    }

    assert large == small
    assert max(large.values()) <= 8


# --- Published ------------------------------------------------------------------------


def test_published_shows_only_public_data(client, secret):
    reviewer = make_user(role=Role.REVIEWER, username="internal-reviewer")
    editor = make_user(role=Role.EDITOR, username="internal-editor")
    article = make_article(
        actor=reviewer,
        lines=[
            "The ministry said exports rose 12 percent in 2025.",
            "Officials reported 3,400 new rail wagons in 2024.",
        ],
        title="Public one",
    )
    approved, other = list(article.claims.order_by("start"))
    make_claim(
        state=ClaimState.APPROVED, article=article, reviewer=reviewer, editor=editor
    )
    workflow.dismiss_claim(other, actor=editor, reason="Opinion.")
    workflow.publish_article(article, actor=editor)
    # Internal work after publishing: a reopened claim and a note never show.
    workflow.reopen_claim(approved, actor=editor, reason="Check the year again")
    workflow.add_note(approved, actor=editor, body="SECRET internal note")
    unpublished = make_article(actor=reviewer, title="Still in review")

    response = _get(client, "/api/published", secret)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["slug"] == article.slug and item["version"] == 1
    assert item["url"].endswith(f"/fact-checks/{article.slug}/")
    assert [c["text"] for c in item["claims"]] == [approved.text]
    claim = item["claims"][0]
    assert claim["rating"]["slug"] == "false"
    assert claim["sources"] and claim["rationale"]
    assert claim["url"].endswith(f"/fact-checks/{article.slug}/claims/1/")
    text = response.content.decode()
    for hidden in (
        other.text,
        unpublished.title,
        "SECRET",
        "score",
        "assignee",
        "ref",
        reviewer.username,
        editor.username,
        '"id"',
    ):
        assert hidden not in text, hidden


def test_unpublished_article_leaves_the_published_list(client, secret, editor):
    article = make_decided_article(editor=editor)
    workflow.publish_article(article, actor=editor)
    assert _get(client, "/api/published", secret).json()["count"] == 1

    workflow.unpublish_article(article, actor=editor, reason="Legal hold")

    assert _get(client, "/api/published", secret).json()["count"] == 0


# --- The OpenAPI document -----------------------------------------------------------


def test_openapi_document_lists_the_endpoints(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "Factcheck desk API"
    paths = doc["paths"]
    assert set(paths["/api/articles"]) == {"get", "post"}
    for route in ("/api/articles/{pk}", "/api/claims/{pk}", "/api/published"):
        assert "get" in paths[route], route
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_docs_page_loads_only_our_own_scripts(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
