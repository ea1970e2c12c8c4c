"""The review loop through the API (factcheck/api_work.py): the UI's rules, by token."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factcheck import api, workflow
from factcheck.audit import AuditAction
from factcheck.models import ApiToken, AuditEvent, Claim, ClaimState, Note, Source
from factcheck.roles import Role

from .factories import make_article, make_claim, make_service_account

pytestmark = pytest.mark.django_db

SENTENCE = "The treaty was signed in Moscow in 2001 by both presidents."
SOURCE = {
    "url": "https://archive.example/treaty",
    "title": "Treaty text",
    "publisher": "Archive",
    "excerpt": "Signed at Moscow, 2001.",
}


def _token(admin, role: Role, username: str) -> str:
    user = make_service_account(role=role, username=username)
    return workflow.create_api_token(actor=admin, user=user, name=username)[1]


@pytest.fixture
def cms(admin_user) -> str:
    """The reviewer service account's token (pushes articles and reviews)."""
    return _token(admin_user, Role.REVIEWER, "cms")


@pytest.fixture
def desk(admin_user) -> str:
    """An editor service account's token."""
    return _token(admin_user, Role.EDITOR, "desk")


@pytest.fixture
def desk2(admin_user) -> str:
    """A second editor service account's token, for the four-eyes rule."""
    return _token(admin_user, Role.EDITOR, "desk2")


def _call(client, method: str, url: str, secret: str | None, body=None):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    kwargs = {"headers": headers}
    if method != "get":  # no body: an empty JSON request, as HTTP clients send
        data = "" if body is None else json.dumps(body)
        kwargs.update(data=data, content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def _submitted_by(client, secret: str, claim: Claim) -> dict:
    """Take, source and submit ``claim`` through the API as ``secret``'s user."""
    out = _ok(_call(client, "post", f"/api/claims/{claim.pk}/take", secret, {}))
    _ok(_call(client, "post", f"/api/claims/{claim.pk}/sources", secret, SOURCE), 201)
    body = {"rating": "false", "rationale": "It was 2002.", "version": out["version"]}
    claim.refresh_from_db()
    body["version"] = claim.version
    return _ok(
        _call(client, "post", f"/api/claims/{claim.pk}/verdict/submit", secret, body)
    )


# --- The whole loop -----------------------------------------------------------------


def test_the_whole_loop_through_the_api(client, cms, desk):
    pushed = _ok(
        _call(client, "post", "/api/articles", cms, {"text": SENTENCE, "title": "T"}),
        201,
    )
    (claim,) = pushed["claims"]
    pk = claim["id"]

    queue = _ok(_call(client, "get", "/api/claims?assignee=nobody", cms))
    assert [c["id"] for c in queue["items"]] == [pk]

    taken = _ok(_call(client, "post", f"/api/claims/{pk}/take", cms, {"version": 1}))
    assert taken["status"] == "in_progress" and taken["assignee"] == "cms"
    source = _ok(_call(client, "post", f"/api/claims/{pk}/sources", cms, SOURCE), 201)
    assert source["url"] == SOURCE["url"]
    note = _call(client, "post", f"/api/claims/{pk}/notes", cms, {"body": "Check it."})
    _ok(note, 201)

    version = source["claim"]["version"]
    saved = _ok(
        _call(
            client,
            "put",
            f"/api/claims/{pk}/verdict",
            cms,
            {
                "rating": "false",
                "rationale": "It was signed in 2002.",
                "version": version,
            },
        )
    )
    assert saved["verdict"]["state"] == "draft"
    assert saved["verdict"]["rating"] == "false"
    submitted = _ok(
        _call(
            client,
            "post",
            f"/api/claims/{pk}/verdict/submit",
            cms,
            {"version": saved["version"]},
        )
    )
    assert submitted["status"] == "submitted"
    assert submitted["verdict"]["submitted_by"] == "cms"

    approved = _ok(
        _call(
            client,
            "post",
            f"/api/claims/{pk}/approve",
            desk,
            {"version": submitted["version"]},
        )
    )
    assert approved["status"] == "approved"
    published = _ok(
        _call(
            client,
            "post",
            f"/api/articles/{pushed['id']}/publish",
            desk,
            {"expected_version": 0},
        )
    )
    assert published["version"] == 1

    listing = _ok(_call(client, "get", "/api/published", cms))
    (item,) = listing["items"]
    assert item["claims"][0]["rating"]["slug"] == "false"
    assert item["claims"][0]["rationale"] == "It was signed in 2002."
    assert item["claims"][0]["sources"][0]["url"] == SOURCE["url"]


def test_every_api_write_is_audited_with_its_token(client, cms, desk):
    claim = make_claim()
    _submitted_by(client, cms, claim)
    _ok(_call(client, "post", f"/api/claims/{claim.pk}/approve", desk))

    events = AuditEvent.objects.filter(claim=claim).order_by("pk")
    tokens = {t.pk: t.name for t in ApiToken.objects.all()}
    assert [e.action for e in events] == [
        AuditAction.CLAIM_TAKEN,
        AuditAction.SOURCE_ADDED,
        AuditAction.VERDICT_SUBMITTED,
        AuditAction.VERDICT_APPROVED,
    ]
    assert [tokens[e.data["via_token"]["id"]] for e in events] == [
        "cms",
        "cms",
        "cms",
        "desk",
    ]


def test_return_and_release(client, cms, desk):
    claim = make_claim()
    _submitted_by(client, cms, claim)

    returned = _ok(
        _call(
            client,
            "post",
            f"/api/claims/{claim.pk}/return",
            desk,
            {"comment": "Cite the treaty archive's page."},
        )
    )
    assert returned["status"] == "returned"
    released = _ok(_call(client, "post", f"/api/claims/{claim.pk}/release", cms))
    assert released["status"] == "open" and released["assignee"] is None


# --- Refusals -----------------------------------------------------------------------


def test_a_form_post_is_400_not_500(client, cms):
    claim = make_claim()
    response = client.post(
        f"/api/claims/{claim.pk}/take",
        {"version": "1"},
        headers={"Authorization": f"Bearer {cms}"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_no_token_is_401_and_writes_nothing(client):
    claim = make_claim()
    response = _call(client, "post", f"/api/claims/{claim.pk}/take", None, {})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    claim.refresh_from_db()
    assert claim.state == ClaimState.OPEN


def test_a_reviewer_may_not_approve(client, cms):
    claim = make_claim(state=ClaimState.SUBMITTED)
    response = _call(client, "post", f"/api/claims/{claim.pk}/approve", cms)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED


def test_four_eyes_an_editor_may_not_approve_their_own_verdict(client, desk, desk2):
    claim = make_claim()
    submitted = _submitted_by(client, desk, claim)

    own = _call(client, "post", f"/api/claims/{claim.pk}/approve", desk)
    assert own.status_code == 403
    assert own.json()["code"] == "forbidden"
    other = _call(
        client,
        "post",
        f"/api/claims/{claim.pk}/approve",
        desk2,
        {"version": submitted["version"]},
    )
    assert _ok(other)["status"] == "approved"


@pytest.mark.parametrize(
    "method,path",
    [
        ("post", "/api/claims/{pk}/take"),
        ("post", "/api/claims/{pk}/release"),
        ("post", "/api/claims/{pk}/approve"),
        ("post", "/api/articles/{pk}/publish"),
    ],
)
def test_a_forged_id_is_404(client, desk, method, path):
    response = _call(client, method, path.format(pk=987654), desk, {})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_stale_version_is_409_and_changes_nothing(client, cms):
    claim = make_claim()
    taken = _ok(_call(client, "post", f"/api/claims/{claim.pk}/take", cms))

    response = _call(
        client,
        "put",
        f"/api/claims/{claim.pk}/verdict",
        cms,
        {"rating": "false", "rationale": "Old text.", "version": taken["version"] - 1},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    claim.refresh_from_db()
    assert claim.version == taken["version"]
    assert not claim.verdicts.exists()


def test_taking_a_taken_claim_is_409(client, cms):
    claim = make_claim(state=ClaimState.IN_PROGRESS)
    response = _call(client, "post", f"/api/claims/{claim.pk}/take", cms)
    assert response.status_code in (403, 409)
    assert response.json()["code"] in ("conflict", "forbidden")


@pytest.mark.parametrize(
    "body,field",
    [
        ({"url": "ftp://x.example/a", "title": "T"}, "url"),
        ({"url": "https://x.example/a"}, "title"),
        ({**SOURCE, "extra": 1}, "extra"),
    ],
)
def test_a_bad_body_is_422_with_the_field(client, cms, body, field):
    claim = make_claim()
    _ok(_call(client, "post", f"/api/claims/{claim.pk}/take", cms))

    response = _call(client, "post", f"/api/claims/{claim.pk}/sources", cms, body)

    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["fields"]
    assert not Source.objects.exists()


def test_an_unknown_rating_is_422(client, cms):
    claim = make_claim()
    taken = _ok(_call(client, "post", f"/api/claims/{claim.pk}/take", cms))
    response = _call(
        client,
        "put",
        f"/api/claims/{claim.pk}/verdict",
        cms,
        {"rating": "nonsense", "version": taken["version"]},
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"rating": ["No active rating has this slug."]}


def test_a_desk_rule_is_400_invalid(client, cms):
    claim = make_claim()
    taken = _ok(_call(client, "post", f"/api/claims/{claim.pk}/take", cms))
    response = _call(
        client,
        "post",
        f"/api/claims/{claim.pk}/verdict/submit",
        cms,
        {"version": taken["version"]},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    claim.refresh_from_db()
    assert claim.state == ClaimState.IN_PROGRESS


def test_a_too_big_body_is_413(client, cms, settings):
    claim = make_claim()
    _ok(_call(client, "post", f"/api/claims/{claim.pk}/take", cms))
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000

    response = _call(
        client, "post", f"/api/claims/{claim.pk}/notes", cms, {"body": "x" * 5_000}
    )

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not Note.objects.exists()


# --- Rate limit -----------------------------------------------------------------------


def test_over_the_rate_limit_is_429_with_retry_after(client, cms, desk, settings):
    settings.FACTCHECK = {**settings.FACTCHECK, "API_REQUESTS_PER_MINUTE": 3}
    claim = make_claim()

    statuses = [
        _call(client, "get", f"/api/claims/{claim.pk}", cms).status_code
        for _ in range(3)
    ]
    refused = _call(client, "post", f"/api/claims/{claim.pk}/take", cms)

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_requests"
    assert 1 <= int(refused["Retry-After"]) <= 60
    claim.refresh_from_db()
    assert claim.state == ClaimState.OPEN  # refused before the write
    # Another token has its own allowance.
    assert _call(client, "get", f"/api/claims/{claim.pk}", desk).status_code == 200


# --- Lists ---------------------------------------------------------------------------


def test_the_claim_list_pages_by_cursor_in_priority_order(client, cms, monkeypatch):
    monkeypatch.setattr(api, "PAGE_SIZE", 2)
    article = make_article(
        lines=[
            "Exports rose 12 percent in 2025 to $4.2 billion.",
            "Officials said 3,400 new rail wagons entered service in 2024.",
            SENTENCE,
        ]
    )
    expected = list(
        article.claims.order_by("-score", "created_at", "pk").values_list(
            "pk", flat=True
        )
    )
    seen, cursor = [], ""
    for _ in range(5):
        page = _ok(
            _call(
                client, "get", f"/api/claims?article={article.pk}&cursor={cursor}", cms
            )
        )
        seen += [c["id"] for c in page["items"]]
        if not page["next"]:
            break
        cursor = page["next"]

    assert seen == expected


def test_the_claim_list_filters(client, cms):
    mine = make_claim()
    _ok(_call(client, "post", f"/api/claims/{mine.pk}/take", cms))
    other = make_claim(state=ClaimState.SUBMITTED)

    def ids(query: str) -> list[int]:
        return [
            c["id"]
            for c in _ok(_call(client, "get", f"/api/claims?{query}", cms))["items"]
        ]

    assert ids("assignee=me") == [mine.pk]
    assert mine.pk not in ids("assignee=nobody")
    assert ids("status=submitted") == [other.pk]
    assert other.pk not in ids("")  # needs work by default: not submitted claims
    assert ids(f"article={other.article_id}&status=submitted") == [other.pk]
    assert ids("overdue=true") == []


def test_a_damaged_cursor_is_400(client, cms):
    response = _call(client, "get", "/api/claims?cursor=garbage", cms)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_a_lone_surrogate_is_refused_at_the_edge(client, cms):
    claim = make_claim()
    _ok(_call(client, "post", f"/api/claims/{claim.pk}/take", cms))
    body = {**SOURCE, "title": "\ud800"}

    response = _call(client, "post", f"/api/claims/{claim.pk}/sources", cms, body)

    assert response.status_code == 400
    assert response.json()["code"] == "unstorable_input"
    assert not Source.objects.exists()


def test_the_claim_list_costs_the_same_however_many_claims(client, cms):
    make_article()
    _ok(_call(client, "get", "/api/claims", cms))  # the token's usage stamp
    with CaptureQueriesContext(connection) as few:
        _ok(_call(client, "get", "/api/claims", cms))
    for _ in range(4):
        make_article()
    with CaptureQueriesContext(connection) as many:
        _ok(_call(client, "get", "/api/claims", cms))
    assert len(many) == len(few)
    assert not any("COUNT(" in q["sql"].upper() for q in many.captured_queries)


def test_article_list_keeps_page_and_adds_a_cursor(client, cms, monkeypatch):
    monkeypatch.setattr(api, "PAGE_SIZE", 2)
    for _ in range(3):
        make_article()
    first = _ok(_call(client, "get", "/api/articles", cms))
    by_cursor = _ok(_call(client, "get", f"/api/articles?cursor={first['next']}", cms))
    by_page = _ok(_call(client, "get", "/api/articles?page=2", cms))

    assert first["count"] == 3 and len(first["items"]) == 2
    assert [a["id"] for a in by_cursor["items"]] == [a["id"] for a in by_page["items"]]
    assert by_cursor["next"] is None
