"""Every write leaves exactly one audit event: each exported workflow/people function,
and each URL whose view accepts POST.

Both tables are checked against what the code exports and routes, so a new write
function or POST view that is missing here fails the suite until someone proves it
audits (or lists it, with the reason, as not a domain write).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import Max
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from factcheck import organisation, people, two_factor, webhooks, workflow
from factcheck.audit import AuditAction
from factcheck.claimreview_import import parse
from factcheck.models import (
    AuditEvent,
    ClaimState,
    ErrorReportState,
    Rating,
    User,
    WebhookEvent,
)
from factcheck.roles import Role
from factcheck.workflow.organisation import version_of
from factcheck.workflow.scale import FIELDS as RATING_FIELDS

from .factories import (
    DEFAULT_LINES,
    make_article,
    make_claim,
    make_service_account,
    make_user,
    rating,
)

pytestmark = pytest.mark.django_db

# Exported names that only read (or are exceptions, tables and value types).
READERS = {
    "ACTIONS", "BULK_OPERATIONS", "BulkResult", "Conflict", "InvalidTransition",
    "Refusal", "available_actions", "can", "check", "current_verdict", "ensure",
    "role_set_key",
}  # fmt: skip


def _exported_writes() -> set[str]:
    names = set()
    for module in (workflow, people):
        for name, obj in vars(module).items():
            if name.startswith("_") or name in READERS or not callable(obj):
                continue
            if getattr(obj, "__module__", "").startswith(module.__name__):
                names.add(f"{module.__name__.rsplit('.', 1)[-1]}.{name}")
    return names


@pytest.fixture
def p(reviewer, other_reviewer, editor, other_editor, admin_user):
    return SimpleNamespace(
        reviewer=reviewer,
        other_reviewer=other_reviewer,
        editor=editor,
        other_editor=other_editor,
        admin=admin_user,
    )


TOTP_KEY = "3132333435363738393031323334353637383930"


def _totp(steps: int = 0) -> str:
    """The code an authenticator app holding ``TOTP_KEY`` shows ``steps`` from now."""
    totp = TOTP(bytes.fromhex(TOTP_KEY))
    totp.time = time.time() + 30 * steps
    return f"{totp.token():06d}"


def _two_factor_on(user: User) -> list[str]:
    """Turn on two-factor sign-in for ``user``; returns the recovery codes."""
    return workflow.enable_two_factor(user, actor=user, key=TOTP_KEY, code=_totp(-1))[1]


def _verified_session(user: User, *, setup_key: str = "") -> Callable[[Client], str]:
    """Mark the test client's session as past its second factor (or as setting one
    up with ``setup_key``), as the code page would."""

    def prime(client: Client) -> str:
        session = client.session
        if setup_key:
            session[two_factor.SETUP_KEY] = setup_key
        else:
            device = TOTPDevice.objects.get(user=user)
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return ""

    return prime


def _ready(p):
    """An article ready to publish: its first claim approved, the others dismissed."""
    article = make_article(actor=p.reviewer)
    make_claim(
        state=ClaimState.APPROVED, article=article, reviewer=p.reviewer, editor=p.editor
    )
    for claim in article.claims.filter(state=ClaimState.OPEN):
        workflow.dismiss_claim(claim, actor=p.editor, reason="Opinion.")
    return article


def _published(p):
    """A published article: its first claim approved, the others dismissed."""
    article = _ready(p)
    workflow.publish_article(article, actor=p.editor)
    return article


def _report(p):
    article = _published(p)
    return workflow.report_error(
        article, claim_number=None, text="The year is wrong.", address="203.0.113.9"
    )


def _invited(p):
    return people.invite_user(
        actor=p.admin,
        username="newbie",
        email="newbie@desk.example",
        roles=[Role.REVIEWER],
        request_base_url="http://testserver",
    )


def _sourced(p):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=p.reviewer)
    workflow.add_source(claim, actor=p.reviewer, url="https://x.example/", title="X")
    return claim


def _suggested(p):
    """A claim in work with a "checked before?" suggestion: an approved restatement."""
    earlier = make_article(
        actor=p.reviewer,
        lines=["The government raised the minimum wage to 15 dollars an hour in 2024."],
    )
    make_claim(
        state=ClaimState.APPROVED, article=earlier, reviewer=p.reviewer, editor=p.editor
    )
    later = make_article(
        actor=p.reviewer,
        lines=["In 2024 the minimum hourly wage was lifted by the government to $15."],
    )
    claim = workflow.take_claim(later.claims.get(), actor=p.reviewer)
    return claim.matches.get()


def _two_claims(p):
    article = make_article(actor=p.reviewer)
    return list(article.claims.order_by("start")[:2])


def _delivery(p):
    """A webhook endpoint and one queued delivery to it (the outbox, not sent)."""
    hook, _secret = workflow.create_webhook(
        actor=p.admin, url="https://cms.example/hook", events=["article.published"]
    )
    with transaction.atomic():
        webhooks.announce(WebhookEvent.ARTICLE_PUBLISHED, lambda: {"article": {}})
    return hook.deliveries.get()


def _freed_span(p):
    """An article with one claim dismissed, so its text may be added back by hand."""
    article = make_article(actor=p.reviewer)
    claim = article.claims.order_by("start").first()
    workflow.dismiss_claim(claim, actor=p.editor, reason="Re-select it.")
    return article, claim


def _text_changed(p):
    """An approved claim whose sentence a new version of the article reworded."""
    claim = make_claim(state=ClaimState.APPROVED, reviewer=p.reviewer, editor=p.editor)
    article = claim.article
    workflow.revise_article(
        article,
        actor=p.reviewer,
        raw=article.body.replace("12 percent", "14 percent"),
        version=1,
    )
    claim.refresh_from_db()
    assert claim.text_changed
    return claim


NEW_VERSION_LINE = "\nThe port handled 2 million containers in 2025."


# name -> set-up that returns the call to measure (the call must write once).
WRITES: dict[str, Callable[[SimpleNamespace], Callable[[], object]]] = {
    "workflow.create_article": lambda p: lambda: make_article(actor=p.reviewer),
    "workflow.revise_article": lambda p: (
        lambda a: (
            lambda: workflow.revise_article(
                a, actor=p.reviewer, raw=a.body + NEW_VERSION_LINE, version=1
            )
        )
    )(make_article()),
    "workflow.ingest_article": lambda p: (
        lambda a: (
            lambda: workflow.ingest_article(
                actor=p.reviewer,
                raw=a.body + NEW_VERSION_LINE,
                metadata={"original_url": a.original_url},
            )
        )
    )(make_article(original_url="https://news.example/known-story")),
    "workflow.confirm_claim_text": lambda p: (
        lambda c: lambda: workflow.confirm_claim_text(c, actor=p.editor)
    )(_text_changed(p)),
    "workflow.add_claim": lambda p: (
        lambda a, c: (
            lambda: workflow.add_claim(a, actor=p.reviewer, start=c.start, end=c.end)
        )
    )(*_freed_span(p)),
    "workflow.edit_claim": lambda p: (
        lambda c: (
            lambda: workflow.edit_claim(
                c, actor=p.reviewer, start=c.start, end=c.end - 1
            )
        )
    )(make_claim()),
    "workflow.split_claim": lambda p: (
        lambda c: (
            lambda: workflow.split_claim(
                c, actor=p.reviewer, at=c.text.index(" said") + c.start + 1
            )
        )
    )(make_claim()),
    "workflow.merge_claims": lambda p: (
        lambda a, b: lambda: workflow.merge_claims(a, b, actor=p.editor)
    )(*_two_claims(p)),
    "workflow.take_claim": lambda p: (
        lambda c: lambda: workflow.take_claim(c, actor=p.reviewer)
    )(make_claim()),
    "workflow.take_next_claim": lambda p: (
        lambda a: lambda: workflow.take_next_claim(actor=p.reviewer, article=a)
    )(make_article()),
    "workflow.release_claim": lambda p: (
        lambda c: lambda: workflow.release_claim(c, actor=p.reviewer)
    )(make_claim(state=ClaimState.IN_PROGRESS, reviewer=p.reviewer)),
    "workflow.assign_claim": lambda p: (
        lambda c: (
            lambda: workflow.assign_claim(c, actor=p.editor, assignee=p.other_reviewer)
        )
    )(make_claim()),
    "workflow.dismiss_claim": lambda p: (
        lambda c: lambda: workflow.dismiss_claim(c, actor=p.editor, reason="Opinion")
    )(make_claim()),
    "workflow.restore_claim": lambda p: (
        lambda c: lambda: workflow.restore_claim(c, actor=p.editor)
    )(make_claim(state=ClaimState.DISMISSED, editor=p.editor)),
    "workflow.reopen_claim": lambda p: (
        lambda c: lambda: workflow.reopen_claim(c, actor=p.editor, reason="Typo")
    )(make_claim(state=ClaimState.APPROVED, reviewer=p.reviewer, editor=p.editor)),
    "workflow.set_claimant": lambda p: (
        lambda c: (
            lambda: workflow.set_claimant(
                c, actor=p.reviewer, name="Edda Holm", role="Shipping minister"
            )
        )
    )(make_claim()),
    "workflow.set_claim_due": lambda p: (
        lambda c: (
            lambda: workflow.set_claim_due(
                c, actor=p.editor, due_at=timezone.now() + timedelta(days=1)
            )
        )
    )(make_claim()),
    "workflow.set_article_due": lambda p: (
        lambda a: (
            lambda: workflow.set_article_due(
                a, actor=p.editor, due_at=timezone.now() + timedelta(days=1)
            )
        )
    )(make_article()),
    "workflow.bulk_apply": lambda p: (
        lambda c: (
            lambda: workflow.bulk_apply(
                [c.pk], actor=p.editor, operation="dismiss", reason="Duplicate"
            )
        )
    )(make_claim()),
    "workflow.add_source": lambda p: (
        lambda c: (
            lambda: workflow.add_source(
                c, actor=p.reviewer, url="https://stats.example/a", title="A"
            )
        )
    )(make_claim(state=ClaimState.IN_PROGRESS, reviewer=p.reviewer)),
    "workflow.answer_match": lambda p: (
        lambda m: lambda: workflow.answer_match(m, actor=p.reviewer, same=True)
    )(_suggested(p)),
    "workflow.import_fact_checks": lambda p: (
        lambda items: (
            lambda: workflow.import_fact_checks(
                items, actor=p.editor, source="archive.tsv"
            )
        )
    )(parse("vclaim_id\tvclaim\ttitle\n7\tThe moon is cheese.\tMoon?\n")[0]),
    "workflow.remove_source": lambda p: (
        lambda c: lambda: workflow.remove_source(c.sources.get(), actor=p.reviewer)
    )(_sourced(p)),
    "workflow.add_note": lambda p: (
        lambda c: lambda: workflow.add_note(c, actor=p.reviewer, body="Call them")
    )(make_claim()),
    "workflow.save_verdict_draft": lambda p: (
        lambda c: (
            lambda: workflow.save_verdict_draft(
                c, actor=p.reviewer, rating=rating("false"), rationale="Draft"
            )
        )
    )(make_claim(state=ClaimState.IN_PROGRESS, reviewer=p.reviewer)),
    "workflow.submit_verdict": lambda p: (
        lambda c: lambda: workflow.submit_verdict(c, actor=p.reviewer)
    )(make_claim(state=ClaimState.RETURNED, reviewer=p.reviewer, editor=p.editor)),
    "workflow.approve_verdict": lambda p: (
        lambda c: lambda: workflow.approve_verdict(c, actor=p.editor)
    )(make_claim(state=ClaimState.SUBMITTED, reviewer=p.reviewer)),
    "workflow.return_verdict": lambda p: (
        lambda c: lambda: workflow.return_verdict(c, actor=p.editor, comment="Why?")
    )(make_claim(state=ClaimState.SUBMITTED, reviewer=p.reviewer)),
    "workflow.publish_article": lambda p: (
        lambda a: (
            lambda: workflow.publish_article(
                a, actor=p.editor, correction_note="Fixed the year."
            )
        )
    )(_published(p)),
    "workflow.unpublish_article": lambda p: (
        lambda a: (
            lambda: workflow.unpublish_article(a, actor=p.editor, reason="Legal hold")
        )
    )(_published(p)),
    "workflow.report_error": lambda p: (
        lambda a: (
            lambda: workflow.report_error(
                a, claim_number=None, text="Wrong year", address="198.51.100.7"
            )
        )
    )(_published(p)),
    "workflow.handle_error_report": lambda p: (
        lambda r: (
            lambda: workflow.handle_error_report(
                r, actor=p.editor, state=ErrorReportState.RESOLVED, response="Fixed"
            )
        )
    )(_report(p)),
    "workflow.create_rating": lambda p: (
        lambda: workflow.create_rating(
            actor=p.admin, label="Unproven (test)", colour="#888888"
        )
    ),
    "workflow.update_rating": lambda p: (
        lambda: workflow.update_rating(
            Rating.objects.get(slug="false"),
            actor=p.admin,
            description="Plainly wrong.",
        )
    ),
    "workflow.update_publisher": lambda p: (
        lambda: workflow.update_publisher(
            actor=p.admin, name="Harbour Fact Check", url="https://harbourfacts.org"
        )
    ),
    "workflow.update_public_page": lambda p: (
        lambda: workflow.update_public_page(
            "methodology", actor=p.admin, title="How we check", body="Carefully."
        )
    ),
    "people.create_user": lambda p: (
        lambda: people.create_user(
            actor=p.admin, username="newcomer", roles=[Role.REVIEWER]
        )
    ),
    "people.create_service_account": lambda p: (
        lambda: people.create_service_account(
            actor=p.admin, username="cms-bot", roles=[Role.REVIEWER]
        )
    ),
    "people.invite_user": lambda p: lambda: _invited(p),
    "people.accept_invitation": lambda p: (
        lambda u: (
            lambda: people.accept_invitation(u, password="another-long-passphrase-42")
        )
    )(_invited(p)),
    "people.change_password": lambda p: (
        lambda: people.change_password(
            p.reviewer, actor=p.reviewer, password="another-long-passphrase-42"
        )
    ),
    "people.set_roles": lambda p: (
        lambda: people.set_roles(p.other_reviewer, actor=p.admin, roles=[Role.EDITOR])
    ),
    "people.deactivate_user": lambda p: (
        lambda: people.deactivate_user(p.other_reviewer, actor=p.admin)
    ),
    "people.reactivate_user": lambda p: (
        lambda u: lambda: people.reactivate_user(u, actor=p.admin)
    )(people.deactivate_user(p.other_reviewer, actor=p.admin)),
    "people.send_password_reset": lambda p: (
        lambda: people.send_password_reset(
            p.other_reviewer, actor=p.admin, request_base_url="http://testserver"
        )
    ),
    "workflow.enable_two_factor": lambda p: (
        lambda: workflow.enable_two_factor(
            p.reviewer, actor=p.reviewer, key=TOTP_KEY, code=_totp()
        )
    ),
    "workflow.disable_two_factor": lambda p: (
        lambda _codes: (
            lambda: workflow.disable_two_factor(
                p.reviewer,
                actor=p.reviewer,
                confirmation="correct-horse-battery-staple",
            )
        )
    )(_two_factor_on(p.reviewer)),
    "workflow.regenerate_recovery_codes": lambda p: (
        lambda _codes: (
            lambda: workflow.regenerate_recovery_codes(
                p.reviewer, actor=p.reviewer, confirmation=_totp()
            )
        )
    )(_two_factor_on(p.reviewer)),
    "workflow.use_recovery_code": lambda p: (
        lambda codes: lambda: workflow.use_recovery_code(p.reviewer, code=codes[0])
    )(_two_factor_on(p.reviewer)),
    "workflow.set_two_factor_policy": lambda p: (
        lambda: workflow.set_two_factor_policy(
            actor=p.admin, require_for_editors=True, require_for_admins=True
        )
    ),
    "workflow.create_api_token": lambda p: (
        lambda u: lambda: workflow.create_api_token(actor=p.admin, user=u, name="CMS")
    )(make_service_account()),
    "workflow.revoke_api_token": lambda p: (
        lambda t: lambda: workflow.revoke_api_token(t, actor=p.admin)
    )(workflow.create_api_token(actor=p.admin, user=p.admin, name="CMS")[0]),
    "workflow.create_webhook": lambda p: (
        lambda: workflow.create_webhook(
            actor=p.admin, url="https://cms.example/hook", events=["claim.approved"]
        )
    ),
    "workflow.update_webhook": lambda p: (
        lambda d: (
            lambda: workflow.update_webhook(
                d.webhook,
                actor=p.admin,
                url="https://cms.example/other",
                events=["claim.approved"],
                active=True,
            )
        )
    )(_delivery(p)),
    "workflow.disable_webhook": lambda p: (
        lambda d: lambda: workflow.disable_webhook(d.webhook, actor=p.admin)
    )(_delivery(p)),
    "workflow.redeliver_webhook": lambda p: (
        lambda d: lambda: workflow.redeliver_webhook(d, actor=p.admin)
    )(_delivery(p)),
}


def test_the_table_covers_every_exported_write():
    exported = _exported_writes()

    missing = sorted(exported - set(WRITES))
    stale = sorted(set(WRITES) - exported)

    assert not missing, f"Prove these write one audit event (add to WRITES): {missing}"
    assert not stale, f"No longer exported, remove from WRITES: {stale}"


@pytest.mark.parametrize("name", sorted(WRITES))
def test_each_write_records_exactly_one_event(p, name):
    call = WRITES[name](p)
    before = AuditEvent.objects.count()

    call()

    assert AuditEvent.objects.count() == before + 1, name


# --- HTTP -------------------------------------------------------------------------

# POST views that are not domain writes, with the reason.
NOT_DOMAIN_WRITES = {
    "login": "authentication (django-axes records failures)",
    "logout": "ends a session only",
    "claim-presence": "ephemeral presence signal, not a domain record",
    "verdict-preview": "renders Markdown, writes nothing",
    "password_reset": "sends a mail only; the password change is audited on confirm",
    "healthz": "read-only probe without a method decorator",
    "api-article-list": "same route as api-article-create (GET lists, POST creates)",
}


def _post_methods(callback) -> set[str] | None:
    """The methods a view accepts, or None when it does not restrict them."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return {
            m.upper() for m in view_class.http_method_names if hasattr(view_class, m)
        }
    func = callback
    while func is not None:
        if getattr(func, "allowed_methods", None) is not None:
            return set(func.allowed_methods)  # the API's JSON-405 wrapper
        code = getattr(func, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = func.__closure__[code.co_freevars.index("request_method_list")]
            return set(cell.cell_contents)
        func = getattr(func, "__wrapped__", None)
    return None


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("django-admin"):
                continue  # the emergency admin: superusers only, out of scope
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern


def _posting_url_names() -> set[str]:
    names = set()
    for pattern in _walk(get_resolver().url_patterns):
        methods = _post_methods(pattern.callback)
        if methods is None or "POST" in methods:
            names.add(pattern.name)
    return names


@dataclass(frozen=True)
class Post:
    """One POST to measure and the audit it must leave.

    ``user`` None is an anonymous visitor; ``url`` may be a callable that primes
    the client first (the reset link stores its token in the session) and returns
    the address to post to. ``events`` is 1, except for a bulk action, which
    records one event per selected row. ``extra`` goes to ``client.post`` (the API
    takes JSON and a bearer token instead of a form and a session).
    """

    user: User | None
    url: str | Callable[[Client], str]
    data: dict
    action: AuditAction
    events: int = 1
    extra: dict | None = None
    # Called with the logged-in client before the POST (e.g. to set up its session).
    prime: Callable[[Client], object] | None = None


PASSWORD = "another-long-passphrase-42"


def _soon() -> str:
    """Tomorrow, as a ``datetime-local`` input sends it."""
    return (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def _one_time_path(user: User, url_name: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse(url_name, kwargs={"uidb64": uid, "token": token})


def _reset_form(user: User) -> Callable[[Client], str]:
    """Open the reset link (Django moves the token into the session and redirects
    to the set-password form); the form's address is where the POST goes."""

    def prime(client: Client) -> str:
        response = client.get(_one_time_path(user, "password_reset_confirm"))
        assert response.status_code == 302, response.status_code
        return response["Location"]

    return prime


def _rating_data(**fields) -> dict:
    """A rating form as the browser sends it: unchecked boxes and None left out."""
    return {
        name: "on" if value is True else value
        for name, value in fields.items()
        if value is not None and value is not False
    }


def _claim_post(state, who, url_name, action, data=None, **claim_kw):
    def scenario(p):
        claim = make_claim(
            state=state, **{k: getattr(p, v) for k, v in claim_kw.items()}
        )
        return Post(
            getattr(p, who),
            reverse(url_name, args=[claim.pk]),
            {"version": claim.version, **(data or {})},
            action,
        )

    return scenario


def _api_post(state, who, url_name, action, data=None, versioned=True, **claim_kw):
    """``_claim_post`` through the API: a JSON body and the token of a service
    account in ``who``'s role, which stands in for ``who`` on the claim too."""

    def scenario(p):
        bot = make_service_account(role=Role(who))
        stand_in = {v: bot if v == who else getattr(p, v) for v in claim_kw.values()}
        claim = make_claim(state=state, **{k: stand_in[v] for k, v in claim_kw.items()})
        secret = _api_secret(p, bot)
        return Post(
            None,
            reverse(f"api:{url_name}", args=[claim.pk]),
            {**({"version": claim.version} if versioned else {}), **(data or {})},
            action,
            extra={
                "content_type": "application/json",
                "headers": {"Authorization": f"Bearer {secret}"},
            },
        )

    return scenario


def _api_secret(p, user) -> str:
    return workflow.create_api_token(actor=p.admin, user=user, name="API")[1]


def _api_publish(p) -> Post:
    article = _ready(p)
    secret = _api_secret(p, make_service_account(role=Role.EDITOR))
    return Post(
        None,
        reverse("api:api-article-publish", args=[article.pk]),
        {"expected_version": 0},
        A.ARTICLE_PUBLISHED,
        extra={
            "content_type": "application/json",
            "headers": {"Authorization": f"Bearer {secret}"},
        },
    )


def _bulk_dismiss(p) -> Post:
    claims = list(make_article().claims.order_by("start")[:2])
    data = {
        "claims": [c.pk for c in claims],
        "operation": "dismiss",
        "reason": "Duplicates of each other.",
        **{f"v{c.pk}": c.version for c in claims},
    }
    return Post(
        p.editor,
        reverse("queue-bulk"),
        data,
        AuditAction.CLAIM_DISMISSED,
        events=len(claims),
    )


A = AuditAction

# url name -> set-up returning the Post; the POST must record exactly its events.
POSTS: dict[str, Callable[[SimpleNamespace], Post]] = {
    # Articles and claim editing
    "article-new": lambda p: Post(
        p.reviewer, reverse("article-new"),
        {"text": "\n".join(DEFAULT_LINES), "title": "Posted", "language": "en"},
        A.ARTICLE_CREATED,
    ),
    "claim-add": lambda p: (
        lambda a, c: Post(
            p.reviewer, reverse("claim-add", args=[a.pk]),
            {"start": c.start, "end": c.end}, A.CLAIM_ADDED,
        )
    )(*_freed_span(p)),
    "claim-edit": _claim_post(
        ClaimState.OPEN, "reviewer", "claim-edit", A.CLAIM_EDITED,
        {"text": "The ministry said exports rose 12 percent in 2025"},
    ),
    "claim-split": lambda p: (
        lambda c: Post(
            p.reviewer, reverse("claim-split", args=[c.pk]),
            {"version": c.version, "second_starts": "said exports"}, A.CLAIM_SPLIT,
        )
    )(make_claim()),
    "claim-merge": lambda p: (
        lambda a, b: Post(
            p.reviewer, reverse("claim-merge", args=[a.pk]),
            {"version": a.version, "other": b.pk}, A.CLAIMS_MERGED,
        )
    )(*_two_claims(p)),
    "claim-dismiss": _claim_post(
        ClaimState.OPEN, "editor", "claim-dismiss", A.CLAIM_DISMISSED,
        {"reason": "Opinion"},
    ),
    "claim-restore": _claim_post(
        ClaimState.DISMISSED, "editor", "claim-restore", A.CLAIM_RESTORED,
        editor="editor",
    ),
    # Queue and claim workspace
    "queue-take-next": lambda p: (
        make_article(),
        Post(p.reviewer, reverse("queue-take-next"), {}, A.CLAIM_TAKEN),
    )[1],
    "queue-bulk": _bulk_dismiss,
    "claim-take": _claim_post(ClaimState.OPEN, "reviewer", "claim-take", A.CLAIM_TAKEN),
    "claim-release": _claim_post(
        ClaimState.IN_PROGRESS, "reviewer", "claim-release", A.CLAIM_RELEASED,
        reviewer="reviewer",
    ),
    "claim-assign": lambda p: (
        lambda c: Post(
            p.editor, reverse("claim-assign", args=[c.pk]),
            {"version": c.version, "assignee": p.other_reviewer.pk}, A.CLAIM_ASSIGNED,
        )
    )(make_claim()),
    "claim-due": _claim_post(
        ClaimState.OPEN, "editor", "claim-due", A.CLAIM_DUE_SET, {"due_at": _soon()}
    ),
    "claim-claimant": _claim_post(
        ClaimState.OPEN, "reviewer", "claim-claimant", A.CLAIMANT_SET,
        {"name": "Edda Holm", "kind": "person", "role": "", "same_as": ""},
    ),
    "article-due": lambda p: Post(
        p.editor, reverse("article-due", args=[make_article().pk]),
        {"due_at": _soon()}, A.ARTICLE_DUE_SET,
    ),
    "source-add": _claim_post(
        ClaimState.IN_PROGRESS, "reviewer", "source-add", A.SOURCE_ADDED,
        {"url": "https://stats.example/b", "title": "B"}, reviewer="reviewer",
    ),
    "match-answer": lambda p: (
        lambda m: Post(
            p.reviewer, reverse("match-answer", args=[m.pk]),
            {"answer": "same"}, A.MATCH_CONFIRMED,
        )
    )(_suggested(p)),
    "source-remove": lambda p: (
        lambda c: Post(
            p.reviewer, reverse("source-remove", args=[c.sources.get().pk]),
            {"version": c.version}, A.SOURCE_REMOVED,
        )
    )(_sourced(p)),
    "note-add": _claim_post(
        ClaimState.OPEN, "reviewer", "note-add", A.NOTE_ADDED, {"body": "Hm"}
    ),
    "verdict-save": _claim_post(
        ClaimState.IN_PROGRESS, "reviewer", "verdict-save", A.VERDICT_SAVED,
        {"rationale": "Draft"}, reviewer="reviewer",
    ),
    "verdict-submit": lambda p: (
        lambda c: Post(
            p.reviewer, reverse("verdict-submit", args=[c.pk]),
            {"version": c.version, "rating": rating("false").pk, "rationale": "R"},
            A.VERDICT_SUBMITTED,
        )
    )(make_claim(state=ClaimState.RETURNED, reviewer=p.reviewer)),
    # Approvals
    "claim-approve": _claim_post(
        ClaimState.SUBMITTED, "editor", "claim-approve", A.VERDICT_APPROVED,
        reviewer="reviewer",
    ),
    "claim-return": _claim_post(
        ClaimState.SUBMITTED, "editor", "claim-return", A.VERDICT_RETURNED,
        {"comment": "Why?"}, reviewer="reviewer",
    ),
    "claim-reopen": _claim_post(
        ClaimState.APPROVED, "editor", "claim-reopen", A.CLAIM_REOPENED,
        {"reason": "Typo"}, reviewer="reviewer", editor="editor",
    ),
    # New versions of an article
    "article-revise": lambda p: (
        lambda a: Post(
            p.reviewer, reverse("article-revise", args=[a.pk]),
            {"text": a.body + NEW_VERSION_LINE, "version": 1}, A.ARTICLE_REVISED,
        )
    )(make_article()),
    "claim-confirm-text": lambda p: (
        lambda c: Post(
            p.editor, reverse("claim-confirm-text", args=[c.pk]),
            {"version": c.version, "note": "Still holds."}, A.CLAIM_TEXT_CONFIRMED,
        )
    )(_text_changed(p)),
    # Publishing and readers' error reports
    "article-publish": lambda p: (
        lambda a: Post(
            p.editor, reverse("article-publish", args=[a.pk]),
            {"expected_version": 0, "correction_note": ""}, A.ARTICLE_PUBLISHED,
        )
    )(_ready(p)),
    "article-unpublish": lambda p: (
        lambda a: Post(
            p.editor, reverse("article-unpublish", args=[a.pk]),
            {"reason": "Legal hold"}, A.ARTICLE_UNPUBLISHED,
        )
    )(_published(p)),
    "report-handle": lambda p: (
        lambda r: Post(
            p.editor, reverse("report-handle", args=[r.pk]),
            {"state": ErrorReportState.RESOLVED, "response": "Fixed"},
            A.ERROR_REPORT_HANDLED,
        )
    )(_report(p)),
    "public-claim-report": lambda p: (
        lambda a: Post(
            None, reverse("public-claim-report", args=[a.slug, 1]),
            {"text": "The year is wrong.", "email": "", "website": ""},
            A.ERROR_REPORT_RECEIVED,
        )
    )(_published(p)),
    # Team and verdict scale
    "team-create": lambda p: Post(
        p.admin, reverse("team-create"),
        {
            "create-username": "newcomer", "create-role": "reviewer",
            "create-email": "", "create-display_name": "", "create-password": PASSWORD,
        },
        A.USER_CREATED,
    ),
    "service-account-create": lambda p: Post(
        p.admin, reverse("service-account-create"),
        {"service-username": "cms-bot", "service-role": "reviewer"},
        A.SERVICE_ACCOUNT_CREATED,
    ),
    "team-invite": lambda p: Post(
        p.admin, reverse("team-invite"),
        {
            "invite-username": "newbie", "invite-role": "reviewer",
            "invite-email": "newbie@desk.example", "invite-display_name": "",
        },
        A.USER_INVITED,
    ),
    "team-role": lambda p: Post(
        p.admin, reverse("team-role", args=[p.other_reviewer.pk]), {"role": "editor"},
        A.USER_ROLE_CHANGED,
    ),
    "team-deactivate": lambda p: Post(
        p.admin, reverse("team-deactivate", args=[p.other_reviewer.pk]), {},
        A.USER_DEACTIVATED,
    ),
    "team-reactivate": lambda p: Post(
        (people.deactivate_user(p.other_reviewer, actor=p.admin) and p.admin),
        reverse("team-reactivate", args=[p.other_reviewer.pk]), {},
        A.USER_REACTIVATED,
    ),
    "team-reset-password": lambda p: Post(
        p.admin, reverse("team-reset-password", args=[p.other_reviewer.pk]), {},
        A.USER_PASSWORD_RESET_SENT,
    ),
    "rating-create": lambda p: Post(
        p.admin, reverse("rating-create"),
        _rating_data(
            label="Unproven (test)", description="", colour="#888888", order=99,
            value=None, requires_source=True, required_approvals=1, active=True,
        ),
        A.RATING_CREATED,
    ),
    "rating-edit": lambda p: (
        lambda r: Post(
            p.admin, reverse("rating-edit", args=[r.pk]),
            _rating_data(
                **{name: getattr(r, name) for name in RATING_FIELDS}
                | {"description": "Plainly wrong."}
            ),
            A.RATING_CHANGED,
        )
    )(rating("false")),
    "organisation-edit": lambda p: Post(
        p.admin, reverse("organisation-edit"),
        {"name": "Harbour Fact Check", "url": "https://harbourfacts.org",
         "logo_url": "", "version": ""},
        A.PUBLISHER_CHANGED,
    ),
    "public-page-edit": lambda p: Post(
        p.admin, reverse("public-page-edit", args=["methodology"]),
        {"title": "How we check", "body": "Carefully.",
         "version": version_of(organisation.page("methodology"))},
        A.PUBLIC_PAGE_CHANGED,
    ),
    # One-time links and the person's own password
    "invitation-accept": lambda p: Post(
        None, _one_time_path(_invited(p), "invitation-accept"),
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
        A.USER_PASSWORD_SET,
    ),
    "password_reset_confirm": lambda p: Post(
        None, _reset_form(p.other_reviewer),
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
        A.USER_PASSWORD_SET,
    ),
    "password_change": lambda p: Post(
        p.reviewer, reverse("password_change"),
        {
            "old_password": "correct-horse-battery-staple",
            "new_password1": PASSWORD, "new_password2": PASSWORD,
        },
        A.USER_PASSWORD_SET,
    ),
    # Two-factor sign-in: one's own, and the policy
    "two-factor-setup": lambda p: Post(
        p.reviewer, reverse("two-factor-setup"), {"code": _totp()},
        A.TWO_FACTOR_ENABLED, prime=_verified_session(p.reviewer, setup_key=TOTP_KEY),
    ),
    "two-factor-verify": lambda p: Post(
        p.reviewer, reverse("two-factor-verify"),
        {"code": _two_factor_on(p.reviewer)[0]}, A.RECOVERY_CODE_USED,
    ),
    "two-factor-disable": lambda p: (
        lambda _codes: Post(
            p.reviewer, reverse("two-factor-disable"),
            {"confirmation": "correct-horse-battery-staple"}, A.TWO_FACTOR_DISABLED,
            prime=_verified_session(p.reviewer),
        )
    )(_two_factor_on(p.reviewer)),
    "two-factor-recovery-codes": lambda p: (
        lambda _codes: Post(
            p.reviewer, reverse("two-factor-recovery-codes"),
            {"confirmation": "correct-horse-battery-staple"},
            A.RECOVERY_CODES_REGENERATED, prime=_verified_session(p.reviewer),
        )
    )(_two_factor_on(p.reviewer)),
    "two-factor-policy": lambda p: Post(
        p.admin, reverse("two-factor-policy"), {"require_for_editors": "on"},
        A.TWO_FACTOR_POLICY_CHANGED,
    ),
    # API tokens and the API
    "token-create": lambda p: Post(
        p.admin, reverse("token-create"),
        {"user": make_service_account().pk, "name": "CMS"}, A.TOKEN_CREATED,
    ),
    "token-revoke": lambda p: (
        lambda t: Post(
            p.admin, reverse("token-revoke", args=[t.pk]), {}, A.TOKEN_REVOKED
        )
    )(workflow.create_api_token(actor=p.admin, user=p.admin, name="CMS")[0]),
    "webhook-create": lambda p: Post(
        p.admin, reverse("webhook-create"),
        {"url": "https://cms.example/hook", "events": ["article.published"]},
        A.WEBHOOK_CREATED,
    ),
    "webhook-edit": lambda p: (
        lambda d: Post(
            p.admin, reverse("webhook-edit", args=[d.webhook.pk]),
            {"url": "https://cms.example/other", "events": ["claim.approved"],
             "active": "on"},
            A.WEBHOOK_CHANGED,
        )
    )(_delivery(p)),
    "webhook-disable": lambda p: (
        lambda d: Post(
            p.admin, reverse("webhook-disable", args=[d.webhook.pk]), {},
            A.WEBHOOK_DISABLED,
        )
    )(_delivery(p)),
    "webhook-redeliver": lambda p: (
        lambda d: Post(
            p.admin, reverse("webhook-redeliver", args=[d.pk]), {},
            A.WEBHOOK_REDELIVERED,
        )
    )(_delivery(p)),
    "api-article-create": lambda p: (
        lambda secret: Post(
            None, reverse("api:api-article-create"),
            {"text": "\n".join(DEFAULT_LINES), "title": "Pushed"}, A.ARTICLE_CREATED,
            extra={
                "content_type": "application/json",
                "headers": {"Authorization": f"Bearer {secret}"},
            },
        )
    )(
        workflow.create_api_token(
            actor=p.admin, user=make_service_account(), name="CMS"
        )[1]
    ),
    # The review loop through the API (factcheck/api_work.py)
    "api-claim-take": _api_post(
        ClaimState.OPEN, "reviewer", "api-claim-take", A.CLAIM_TAKEN
    ),
    "api-claim-release": _api_post(
        ClaimState.IN_PROGRESS, "reviewer", "api-claim-release", A.CLAIM_RELEASED,
        reviewer="reviewer",
    ),
    "api-source-add": _api_post(
        ClaimState.IN_PROGRESS, "reviewer", "api-source-add", A.SOURCE_ADDED,
        {"url": "https://stats.example/b", "title": "B"}, versioned=False,
        reviewer="reviewer",
    ),
    "api-note-add": _api_post(
        ClaimState.OPEN, "reviewer", "api-note-add", A.NOTE_ADDED, {"body": "Hm"},
        versioned=False,
    ),
    "api-verdict-submit": _api_post(
        ClaimState.RETURNED, "reviewer", "api-verdict-submit", A.VERDICT_SUBMITTED,
        {"rating": "false", "rationale": "R"}, reviewer="reviewer",
    ),
    "api-claim-approve": _api_post(
        ClaimState.SUBMITTED, "editor", "api-claim-approve", A.VERDICT_APPROVED,
        reviewer="reviewer",
    ),
    "api-claim-return": _api_post(
        ClaimState.SUBMITTED, "editor", "api-claim-return", A.VERDICT_RETURNED,
        {"comment": "Why?"}, reviewer="reviewer",
    ),
    "api-article-publish": _api_publish,
}  # fmt: skip


def test_every_posting_view_is_covered_or_explained():
    posting = _posting_url_names()

    unexplained = sorted(posting - set(POSTS) - set(NOT_DOMAIN_WRITES))
    stale = sorted(set(POSTS) - posting)

    assert not unexplained, (
        "These views accept POST: prove each writes one audit event (POSTS) or say "
        f"why it is not a domain write (NOT_DOMAIN_WRITES): {unexplained}"
    )
    assert not stale, f"No longer POST views, remove them: {stale}"


@pytest.mark.parametrize("name", sorted(POSTS))
def test_each_posting_view_records_exactly_one_event(client, p, name):
    post = POSTS[name](p)
    if post.user is not None:
        client.force_login(post.user)
    if post.prime is not None:
        post.prime(client)
    url = post.url(client) if callable(post.url) else post.url
    last = AuditEvent.objects.aggregate(last=Max("pk"))["last"] or 0

    response = client.post(url, post.data, **(post.extra or {}))

    assert response.status_code < 400, (name, response.status_code)
    recorded = list(
        AuditEvent.objects.filter(pk__gt=last)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert recorded == [post.action.value] * post.events, name


def test_introspection_sees_decorators():
    from factcheck.views import approvals, audit

    assert _post_methods(approvals.claim_approve) == {"POST"}
    assert _post_methods(audit.audit_log) == {"GET"}
    assert inspect.isfunction(approvals.claim_approve)


# A helper for make_user keeps the import honest (personas cover most needs).
assert make_user
