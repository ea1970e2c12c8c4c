"""Hostile input: stored markup never comes back as markup; bad ids and sizes are 4xx.

Hostile text goes in through the workflow (article text and title, claim text, notes,
rationales, source titles, publishers and excerpts, dismissal reasons, display
names), then every page that shows it is fetched and must contain no payload as
markup. Oversized fields and forged ids get a 4xx, never a 500.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import NoReverseMatch, reverse

from factcheck import people, workflow
from factcheck.models import ClaimState, Note, Rating, Source, User
from factcheck.roles import Role

from .factories import make_article, make_claim
from .hostile import IMG, SCRIPT, make_hostile_desk, unsafe_in

pytestmark = pytest.mark.django_db

BIG = "x" * 1_100_000  # over every text limit, including the article size limit


def _get(client: Client, name: str, *args) -> tuple[str, int, str]:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:  # a route another helper has not shipped yet
        return "", 0, ""
    response = client.get(url)
    return url, response.status_code, response.content.decode()


def test_stored_hostile_text_is_inert_on_every_page(editor, admin_user, reviewer):
    desk = make_hostile_desk(reviewer=reviewer, editor=editor)
    people.create_user(
        actor=admin_user,
        username="mallory",
        display_name=SCRIPT[:150],
        roles=[Role.REVIEWER],
        password="a-long-and-unusual-passphrase-42",
    )
    slug = desk.published.slug
    pages = {
        editor: [
            ("article-list",),
            ("article-detail", desk.published.pk),
            ("article-detail", desk.submitted.article_id),
            ("claim-detail", desk.approved.pk),
            ("claim-detail", desk.submitted.pk),
            ("queue",),
            ("dashboard",),
            ("approval-list",),
            ("audit-log",),
            ("report-list",),
        ],
        reviewer: [("claim-detail", desk.submitted.pk), ("dashboard",)],
        admin_user: [("team",), ("audit-log",)],
        None: [
            ("public-index",),
            ("public-summary", slug),
            ("public-claim", slug, 1),
        ],
    }
    problems, seen_escaped = [], False

    for user, names in pages.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for name, *args in names:
            url, status, html = _get(client, name, *args)
            if not url:
                continue
            if status != 200:
                problems.append(f"{url}: status {status}")
            if unsafe_in(html):
                problems.append(f"{url}: unescaped {unsafe_in(html)}")
            seen_escaped |= "&lt;script&gt;window.__pwned" in html

    assert not problems, "\n".join(problems)
    assert seen_escaped  # the text is shown, escaped, not silently dropped


@pytest.mark.parametrize(
    "url",
    [
        "javascript:window.__pwned=1",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://example.org/file",
        " javascript:alert(1)",
    ],
)
def test_sources_must_be_http_links(client, reviewer, url):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    with pytest.raises(ValidationError):
        workflow.add_source(claim, actor=reviewer, url=url, title="T")

    client.force_login(reviewer)
    response = client.post(
        reverse("source-add", args=[claim.pk]), {"url": url, "title": "T"}
    )

    assert 400 <= response.status_code < 500 or response.status_code == 302
    assert not Source.objects.filter(claim=claim).exists()


def _oversized_cases():
    """(persona, URL name, args builder, form data, model whose count must not grow)."""
    team = {"create-username": BIG, "create-role": "editor", "create-password": BIG}
    scale = {"label": BIG, "colour": "#000000", "order": 1, "required_approvals": 1}
    return [
        ("reviewer", "note-add", "claim", {"body": BIG}, Note),
        (
            "reviewer",
            "source-add",
            "claim",
            {"url": "https://e.org", "title": BIG},
            Source,
        ),
        (
            "reviewer",
            "source-add",
            "claim",
            {"url": "https://e.org/" + BIG, "title": "T"},
            Source,
        ),
        ("reviewer", "article-new", None, {"text": BIG, "title": "T"}, None),
        ("reviewer", "article-new", None, {"text": "Fine text.", "title": BIG}, None),
        ("admin_user", "team-create", None, team, User),
        ("admin_user", "rating-create", None, scale, Rating),
    ]


@pytest.mark.parametrize(
    ("persona", "name", "target", "data", "model"),
    _oversized_cases(),
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_oversized_fields_are_refused_with_4xx(
    request, client, reviewer, persona, name, target, data, model
):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    client.force_login(request.getfixturevalue(persona))
    before = model.objects.count() if model else None
    args = [claim.pk] if target == "claim" else []

    response = client.post(reverse(name, args=args), data)

    assert 400 <= response.status_code < 500, response.status_code
    if model:
        assert model.objects.count() == before


def test_oversized_verdict_and_reason_are_refused(client, reviewer, editor):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    client.force_login(reviewer)

    saved = client.post(
        reverse("verdict-save", args=[claim.pk]),
        {"rating": 1, "rationale": BIG, "version": claim.version},
    )
    client.force_login(editor)
    dismissed = client.post(
        reverse("claim-dismiss", args=[claim.pk]),
        {"reason": BIG, "version": claim.version},
    )

    assert 400 <= saved.status_code < 500
    assert 400 <= dismissed.status_code < 500
    claim.refresh_from_db()
    assert claim.state == ClaimState.IN_PROGRESS and not claim.verdicts.exists()


def test_forged_ids_are_404(client, reviewer, editor, admin_user):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    elsewhere = make_article().claims.first()
    huge = 2**63 + 7
    cases = [
        (editor, "get", "claim-detail", [999_999], {}),
        (editor, "get", "claim-detail", [huge], {}),
        (editor, "get", "article-detail", [huge], {}),
        (reviewer, "post", "note-add", [999_999], {"body": "Hi"}),
        (reviewer, "post", "source-remove", [999_999], {}),
        (editor, "post", "claim-approve", [huge], {}),
        (editor, "post", "report-handle", [999_999], {"state": "resolved"}),
        (admin_user, "post", "team-role", [huge], {"role": "editor"}),
        (admin_user, "get", "rating-edit", [999_999], {}),
        (None, "get", "public-summary", ["no-such-fact-check"], {}),
    ]
    problems = []

    for user, method, name, args, data in cases:
        c = Client()
        if user:
            c.force_login(user)
        url = reverse(name, args=args)
        status = getattr(c, method)(url, data).status_code
        if status != 404:
            problems.append(f"{user} {method} {url}: {status}")
    # Another article's claim, named as the neighbour to merge with.
    client.force_login(editor)
    merge = client.post(
        reverse("claim-merge", args=[claim.pk]),
        {"other": elsewhere.pk, "version": claim.version},
    )

    assert not problems, problems
    assert merge.status_code == 404


def test_a_removed_source_cannot_be_removed_again(client, reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    source = workflow.add_source(
        claim, actor=reviewer, url="https://example.org/x", title="X"
    )
    workflow.remove_source(source, actor=reviewer)
    client.force_login(reviewer)

    response = client.post(
        reverse("source-remove", args=[source.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code < 500
    assert Source.objects.get(pk=source.pk).removed_by == reviewer


def test_hostile_title_in_the_team_and_scale_pages(client, admin_user):
    workflow.create_rating(actor=admin_user, label=f"Odd {IMG}"[:60], colour="#123456")
    client.force_login(admin_user)

    for name in ("rating-list", "team"):
        html = client.get(reverse(name)).content.decode()
        assert not unsafe_in(html), name
