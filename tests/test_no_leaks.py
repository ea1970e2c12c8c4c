"""Nothing unapproved ever reaches a public URL or feed (a hypothesis property test).

Random sequences of workflow actions run over a three-claim article. An independent
model tracks what the desk has legitimately made public (the texts and approved
rationales of claims approved at a successful publish). After every step every
public URL and feed is fetched, and none may contain: a claim text or rationale
that was never published, a draft rationale, a note, a reviewer's username, a
score, or anything at all of an article that is not published.
"""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factcheck import workflow
from factcheck.models import ClaimState
from factcheck.roles import Role
from factcheck.workflow import InvalidTransition

from .factories import make_article, make_user, rating

pytestmark = pytest.mark.django_db

CLAIMS = 3
CLAIM_TEXTS = [
    f"Leakcheck LKCLAIM{i} says exports rose {i + 12} percent in 2025."
    for i in range(3)
]
CLAIM_ACTIONS = ["take", "submit", "approve", "return", "dismiss", "restore"]
CLAIM_ACTIONS += ["reopen", "draft", "note"]
step = st.one_of(
    st.tuples(st.sampled_from(CLAIM_ACTIONS), st.integers(0, CLAIMS - 1)),
    st.tuples(st.sampled_from(["publish", "unpublish"]), st.just(0)),
)
REFUSED = (InvalidTransition, PermissionDenied, ValidationError)


class Desk:
    """Runs the actions and models what may be public."""

    def __init__(self, reviewer, editor):
        self.reviewer, self.editor = reviewer, editor
        self.article = make_article(
            actor=reviewer, lines=CLAIM_TEXTS, title="Leakcheck article"
        )
        self.claims = list(self.article.claims.order_by("start"))
        self.counter = itertools.count()
        self.secrets: set[str] = set()  # every marker ever written
        self.pending: dict[int, str] = {}  # submitted, not yet decided
        self.approved: dict[int, str] = {}  # approved rationale per claim
        self.allowed: set[str] = set()  # what a successful publish made public
        self.published = False
        self.ever_published = False

    def marker(self, kind: str) -> str:
        value = f"LK{kind}{next(self.counter)}X"
        self.secrets.add(value)
        return value

    def run(self, action: str, i: int) -> None:
        try:
            getattr(self, f"do_{action}")(i)
        except REFUSED:
            pass

    def claim(self, i):
        self.claims[i].refresh_from_db()
        return self.claims[i]

    def do_take(self, i):
        workflow.take_claim(self.claim(i), actor=self.reviewer)

    def take_if_open(self, i):
        if self.claim(i).state == ClaimState.OPEN:
            workflow.take_claim(self.claims[i], actor=self.reviewer)
        return self.claim(i)

    def do_submit(self, i):
        claim = self.take_if_open(i)
        actor = self.reviewer if claim.assignee_id == self.reviewer.pk else self.editor
        if not claim.sources.filter(removed_at__isnull=True).exists():
            workflow.add_source(
                claim, actor=actor, url="https://stats.example/x", title="Stats"
            )
        text = self.marker("RAT")
        workflow.submit_verdict(
            claim, actor=actor, rating=rating("false"), rationale=text
        )
        self.pending[i] = text

    def do_approve(self, i):
        claim = self.claim(i)
        actor = self.editor
        workflow.approve_verdict(claim, actor=actor)
        self.approved[i] = self.pending.pop(i)

    def do_return(self, i):
        workflow.return_verdict(self.claim(i), actor=self.editor, comment="Redo.")
        self.pending.pop(i, None)

    def do_dismiss(self, i):
        workflow.dismiss_claim(self.claim(i), actor=self.editor, reason="Opinion.")

    def do_restore(self, i):
        workflow.restore_claim(self.claim(i), actor=self.editor)

    def do_reopen(self, i):
        workflow.reopen_claim(self.claim(i), actor=self.editor, reason="Correction.")
        self.approved.pop(i, None)

    def do_draft(self, i):
        claim = self.take_if_open(i)
        actor = self.reviewer if claim.assignee_id == self.reviewer.pk else self.editor
        workflow.save_verdict_draft(
            claim, actor=actor, rating=rating("true"), rationale=self.marker("DRAFT")
        )

    def do_note(self, i):
        workflow.add_note(self.claim(i), actor=self.reviewer, body=self.marker("NOTE"))

    def do_publish(self, _):
        note = "Corrected." if self.ever_published else ""
        workflow.publish_article(self.article, actor=self.editor, correction_note=note)
        self.published = self.ever_published = True
        for i, claim in enumerate(self.claims):
            claim.refresh_from_db()
            if claim.state == ClaimState.APPROVED:
                self.allowed |= {CLAIM_TEXTS[i], self.approved[i]}

    def do_unpublish(self, _):
        workflow.unpublish_article(self.article, actor=self.editor, reason="Legal.")
        self.published = False

    def forbidden(self) -> set[str]:
        everything = self.secrets | set(CLAIM_TEXTS) | {"lkreviewer", "lkeditor"}
        if not self.published:
            return everything | {"Leakcheck article"}
        return everything - self.allowed


def _public_urls(slug: str) -> list[str]:
    base = f"/fact-checks/{slug}/"
    return [
        "/fact-checks/",
        "/fact-checks/?q=leakcheck",
        "/fact-checks/claimreview.json",
        "/fact-checks/feed.atom",
        base,
        base + "export.csv",
        base + "export.json",
    ] + [f"{base}claims/{n}/" for n in range(1, CLAIMS + 1)]


@pytest.fixture
def people(db):
    return (
        make_user(role=Role.REVIEWER, username="lkreviewer"),
        make_user(role=Role.EDITOR, username="lkeditor"),
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(step, min_size=1, max_size=14))
# Paths where an unapproved text sits on a decided claim: a dismissed claim with a
# draft, a returned verdict then dismissed, a reopened claim with a new draft.
@example(
    steps=[
        ("draft", 0),
        ("dismiss", 0),
        ("submit", 1),
        ("approve", 1),
        ("submit", 2),
        ("return", 2),
        ("dismiss", 2),
        ("note", 1),
        ("publish", 0),
    ]
)
@example(
    steps=[
        ("dismiss", 0),
        ("dismiss", 2),
        ("submit", 1),
        ("approve", 1),
        ("publish", 0),
        ("reopen", 1),
        ("draft", 1),
        ("submit", 1),
        ("restore", 0),
        ("unpublish", 0),
    ]
)
def test_nothing_unapproved_is_ever_public(people, client, steps):
    cache.clear()
    with transaction.atomic():
        desk = Desk(*people)
        for action, i in steps:
            desk.run(action, i)
            forbidden = desk.forbidden()
            for url in _public_urls(desk.article.slug):
                response = client.get(url)
                body = response.content.decode()
                assert response.status_code in (200, 404, 410), url
                if url.startswith(f"/fact-checks/{desk.article.slug}/"):
                    expected = (
                        200 if desk.published else (410 if desk.ever_published else 404)
                    )
                    if "/claims/" not in url:
                        assert response.status_code == expected, (url, steps)
                leaked = {s for s in forbidden if s in body}
                assert not leaked, (url, leaked, steps)
                assert '"score"' not in body and "assignee" not in body
        transaction.set_rollback(True)
