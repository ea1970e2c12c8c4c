"""The role matrix of DESIGN §1, generated from the URL conf.

Every URL pattern × {anonymous, reviewer, editor, admin} × {GET, POST} is requested
against real objects (an article with claims, a source, a published article, a
reader's report, a rating, a team member), and the answer is checked against
``RULES``: who may GET and who may POST each URL name.

- allowed: anything but 401/403 or a redirect to the login page (2xx, 3xx, 400, 404,
  405, 409 are fine: the request got past the permission checks);
- forbidden: 403 or 404 (a role without access learns nothing), 405 (the method is
  not served at all, so nothing is revealed or changed), or, for anonymous visitors,
  a redirect to the login page.

A URL name missing from ``RULES`` fails the suite, so a new view cannot ship
without a rule. Names listed here whose routes do not exist yet are not generated.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from factcheck import webhooks, workflow
from factcheck.models import ClaimState, WebhookEvent
from factcheck.roles import Role

from .factories import make_article, make_claim, make_service_account, make_user, rating

pytestmark = pytest.mark.django_db

ANON, REVIEWER, EDITOR, ADMIN = "anonymous", "reviewer", "editor", "admin"
PERSONAS = [ANON, REVIEWER, EDITOR, ADMIN]

EVERYONE = frozenset(PERSONAS)
STAFF = frozenset({REVIEWER, EDITOR, ADMIN})  # internal pages; admin reads only
DESK = frozenset({REVIEWER, EDITOR})  # ingest, edit claims, take, sources, verdicts
EDITORS = frozenset({EDITOR})  # dismiss, assign, due times, bulk, decide, publish
AUDITORS = frozenset({EDITOR, ADMIN})  # the whole audit log
ADMINS = frozenset({ADMIN})  # the team, the verdict scale


def same(who: frozenset) -> tuple[frozenset, frozenset]:
    return (who, who)


# URL name -> (who may GET, who may POST), from DESIGN §1.
RULES: dict[str, tuple[frozenset, frozenset]] = {
    # Foundation
    "dashboard": same(STAFF),
    "healthz": same(EVERYONE),
    "search": same(STAFF),
    # Suggestions for the filter boxes: articles for the desk, people for auditors
    "lookup-articles": same(STAFF),
    "lookup-people": same(AUDITORS),
    "login": same(EVERYONE),
    "logout": same(STAFF),  # anonymous visitors are sent to log in
    "password_change": same(STAFF),
    "password_change_done": same(STAFF),
    # Two-factor sign-in: one's own settings and the code page (everyone signed in)
    "two-factor-verify": same(STAFF),
    "two-factor": same(STAFF),
    "two-factor-setup": same(STAFF),
    "two-factor-disable": same(STAFF),
    "two-factor-recovery-codes": same(STAFF),
    # Articles and claim editing (#3)
    "article-list": same(STAFF),
    "article-new": same(DESK),
    "article-detail": same(STAFF),
    "article-revise": same(DESK),
    "article-revisions": same(STAFF),
    "article-revision": same(STAFF),
    "claim-confirm-text": same(EDITORS),
    "claim-add": same(DESK),
    "claim-edit": same(DESK),
    "claim-split": same(DESK),
    "claim-merge": same(DESK),
    "claim-dismiss": same(EDITORS),
    "claim-restore": same(EDITORS),
    # Queue and claim workspace (#4)
    "queue": same(STAFF),
    "queue-take-next": same(DESK),
    "queue-bulk": same(EDITORS),
    "claim-detail": same(STAFF),
    "claim-take": same(DESK),
    "claim-release": same(DESK),
    "claim-assign": same(EDITORS),
    "claim-due": same(EDITORS),
    "claim-claimant": same(DESK),
    "article-due": same(EDITORS),
    "source-add": same(DESK),
    "source-remove": same(DESK),
    "source-snapshot": same(STAFF),
    "match-answer": same(DESK),
    "note-add": same(DESK),
    "verdict-save": same(DESK),
    "verdict-submit": same(DESK),
    "verdict-preview": same(DESK),
    "claim-presence": same(STAFF),
    # Approvals and audit (#5)
    "approval-list": same(EDITORS),
    "claim-approve": same(EDITORS),
    "claim-return": same(EDITORS),
    "claim-reopen": same(EDITORS),
    "audit-log": same(AUDITORS),
    "audit-export": same(AUDITORS),
    # Publishing, error reports, public pages (#6)
    "article-publish": same(EDITORS),
    "article-unpublish": same(EDITORS),
    # Previews read only: GET for those who may publish, POST for nobody (405).
    "article-preview": (EDITORS, frozenset()),
    "article-preview-claim": (EDITORS, frozenset()),
    "report-list": same(EDITORS),
    "report-handle": same(EDITORS),
    "public-index": same(EVERYONE),
    "public-summary": same(EVERYONE),
    "public-claim": same(EVERYONE),
    "public-claimant": same(EVERYONE),
    "public-claim-report": same(EVERYONE),
    "public-claimreview-feed": same(EVERYONE),
    "public-atom-feed": same(EVERYONE),
    "public-export-csv": same(EVERYONE),
    "public-export-json": same(EVERYONE),
    "public-about": same(EVERYONE),
    # Team and verdict scale (#7)
    "team": same(ADMINS),
    "team-create": same(ADMINS),
    "team-invite": same(ADMINS),
    "service-account-create": same(ADMINS),
    "team-role": same(ADMINS),
    "team-deactivate": same(ADMINS),
    "team-reactivate": same(ADMINS),
    "team-reset-password": same(ADMINS),
    "rating-list": same(ADMINS),
    "rating-create": same(ADMINS),
    "rating-edit": same(ADMINS),
    "rating-styles": same(EVERYONE),
    "organisation-edit": same(ADMINS),
    "public-page-edit": same(ADMINS),
    "two-factor-policy": same(ADMINS),
    "invitation-accept": same(EVERYONE),
    "password_reset": same(EVERYONE),
    "password_reset_done": same(EVERYONE),
    "password_reset_confirm": same(EVERYONE),
    "password_reset_complete": same(EVERYONE),
    # API tokens (admins) and the API, where a session is never enough: only a
    # bearer token authenticates (tests/test_api.py), so every persona gets 401.
    "token-list": same(ADMINS),
    "token-create": same(ADMINS),
    "token-revoke": same(ADMINS),
    "webhook-list": same(ADMINS),
    "webhook-create": same(ADMINS),
    "webhook-edit": same(ADMINS),
    "webhook-disable": same(ADMINS),
    "webhook-redeliver": same(ADMINS),
    "api-root": same(EVERYONE),
    "openapi-json": same(EVERYONE),
    "openapi-view": same(EVERYONE),
    "api-article-list": same(frozenset()),
    "api-article-create": same(frozenset()),
    "api-article-detail": same(frozenset()),
    "api-article-update": same(frozenset()),
    "api-claim-detail": same(frozenset()),
    "api-published": same(frozenset()),
    "api-claim-list": same(frozenset()),
    "api-claim-take": same(frozenset()),
    "api-claim-release": same(frozenset()),
    "api-source-add": same(frozenset()),
    "api-note-add": same(frozenset()),
    "api-verdict-save": same(frozenset()),
    "api-verdict-submit": same(frozenset()),
    "api-claim-approve": same(frozenset()),
    "api-claim-return": same(frozenset()),
    "api-article-publish": same(frozenset()),
}

# Where being sent to the login page is the point, not a refusal.
SENDS_TO_LOGIN = {("logout", "post")}

# Which object an ``<int:pk>`` stands for, by route prefix (longest first).
PK_BY_PREFIX = [
    ("team/ratings/", "rating"),
    ("team/tokens/", "token"),
    ("team/webhooks/deliveries/", "delivery"),
    ("team/webhooks/", "webhook"),
    ("api/articles/", "article"),
    ("api/claims/", "claim"),
    ("team/", "member"),
    ("articles/", "article"),
    ("claims/", "claim"),
    ("sources/", "source"),
    ("matches/", "match"),
    ("reports/", "report"),
]


def _walk(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("django-admin"):
                continue
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry.name, prefix + str(entry.pattern)


ROUTES = list(_walk(get_resolver()))


def test_every_url_name_has_a_rule():
    missing = sorted({name for name, _ in ROUTES} - set(RULES))
    assert not missing, f"Add these URL names to RULES (DESIGN §1): {missing}"


@pytest.fixture
def world(reviewer, editor, admin_user):
    """Real objects for every kind of id a route takes."""
    ingester = make_user(role=Role.REVIEWER, username="ingester")
    article = make_article(actor=ingester)
    first, second = list(article.claims.order_by("start"))[:2]
    # A claim the reviewer persona works on, with a source they may remove.
    mine = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    source = workflow.add_source(
        mine, actor=reviewer, url="https://example.org/evidence", title="Evidence"
    )
    published = make_article(
        actor=ingester, lines=["The treaty was signed in Moscow in 2001."]
    )
    named = workflow.set_claimant(
        published.claims.get(), actor=ingester, name="Treaty Office"
    )
    make_claim(state=ClaimState.APPROVED, article=published)
    workflow.publish_article(published, actor=make_user(role=Role.EDITOR))
    report = workflow.report_error(
        published, claim_number=1, text="The year is wrong.", address="203.0.113.9"
    )
    # A claim in the reviewer's work that restates the published one.
    restated = make_article(
        actor=ingester, lines=["In 2001 both presidents signed the treaty in Moscow."]
    )
    suggested = workflow.take_claim(restated.claims.get(), actor=reviewer)
    member = make_user(role=Role.REVIEWER, username="member")
    token, _secret = workflow.create_api_token(
        actor=admin_user, user=make_service_account(), name="C"
    )
    webhook, _secret = workflow.create_webhook(
        actor=admin_user, url="https://cms.example/hook", events=["article.published"]
    )
    with transaction.atomic():
        webhooks.announce(WebhookEvent.ARTICLE_PUBLISHED, lambda: {"article": {}})
    return {
        "webhook": webhook,
        "delivery": webhook.deliveries.get(),
        "token": token,
        "claimant": named.claimant,
        "article": article,
        "claim": first,
        "other_claim": second,
        "source": source,
        "match": suggested.matches.get(),
        "published": published,
        "report": report,
        "rating": rating("false"),
        "member": member,
        "personas": {REVIEWER: reviewer, EDITOR: editor, ADMIN: admin_user},
    }


def _url(name: str, route: str, world: dict) -> str:
    kwargs = {}
    for key in re.findall(r"<(?:\w+:)?(\w+)>", route):
        if key == "pk":
            kind = next((k for p, k in PK_BY_PREFIX if route.startswith(p)), None)
            assert kind, f"Teach PK_BY_PREFIX which object {route!r} takes"
            kwargs["pk"] = world[kind].pk
        elif key == "slug" and route.startswith("fact-checks/claimants/"):
            kwargs["slug"] = world["claimant"].slug
        elif key == "slug":
            kwargs["slug"] = world["published"].slug
        elif key == "n":
            kwargs["n"] = 1
        elif key == "kind":
            kwargs["kind"] = "methodology"
        elif key == "uidb64":
            kwargs["uidb64"] = urlsafe_base64_encode(force_bytes(world["member"].pk))
        elif key == "token":
            kwargs["token"] = default_token_generator.make_token(world["member"])
        else:
            raise AssertionError(f"Teach _url to fill <{key}> of {route!r}")
    # The API's names live in its own namespace (its mount is a URL resolver).
    return reverse(f"api:{name}" if route.startswith("api/") else name, kwargs=kwargs)


def _payload(world: dict) -> dict:
    """One generous form: enough for each view to reach its permission checks."""
    claim = world["claim"]
    return {
        "version": claim.version,
        "reason": "Not checkable.",
        "comment": "Needs a primary source.",
        "body": "A note.",
        "text": claim.text,
        "title": "A title",
        "url": "https://example.org/more",
        "rating": world["rating"].pk,
        "rationale": "Because.",
        "assignee": world["personas"][REVIEWER].pk,
        "due_at": "2030-01-01T10:00",
        "other": world["other_claim"].pk,
        "claims": [claim.pk],
        "operation": "release",
        "role": "editor",
        "state": "resolved",
        "response": "Thanks.",
        "correction_note": "A correction.",
        "email": "reader@example.org",
    }


def _client(persona: str, world: dict) -> Client:
    client = Client()
    if persona != ANON:
        client.force_login(world["personas"][persona])
    return client


def _to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("login")
    )


def _verdict(name: str, method: str, persona: str, response) -> str | None:
    """None when the answer fits the rule, else a description of the problem."""
    allowed = persona in RULES[name][0 if method == "get" else 1]
    status = response.status_code
    if allowed:
        sent_to_login = _to_login(response) and (name, method) not in SENDS_TO_LOGIN
        if status in (401, 403) or status >= 500 or sent_to_login:
            return f"allowed but got {status}"
        return None
    # 401: the API refuses a request without a bearer token (a session is not one).
    if status in (401, 403, 404, 405) or (persona == ANON and _to_login(response)):
        return None
    return f"forbidden but got {status}"


# Requests by the same route share one set-up (it is the slow part); the order keeps
# them independent enough: reads first, then writes, the editor's last (an editor's
# allowed write may change state, which only turns later answers into 409s).
ORDER = [("get", p) for p in PERSONAS] + [
    ("post", p) for p in (ANON, REVIEWER, ADMIN, EDITOR)
]


@pytest.mark.parametrize(("name", "route"), ROUTES, ids=[n for n, _ in ROUTES])
def test_role_matrix(world, name, route):
    assert name in RULES, f"{name} has no rule in RULES"
    url = _url(name, route, world)
    problems = []

    for method, persona in ORDER:
        client = _client(persona, world)
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, _payload(world))
        problem = _verdict(name, method, persona, response)
        if problem:
            problems.append(f"{persona} {method.upper()} {url}: {problem}")

    assert not problems, "\n".join(problems)
