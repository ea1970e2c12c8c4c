"""Plain factory functions: keyword-only, with defaults, returning saved rows.

Every domain row is made through ``workflow`` and ``people``, so no test starts from a
state the desk could not reach.
"""

from __future__ import annotations

import itertools

from factcheck import people, workflow
from factcheck.models import Article, Claim, ClaimState, Rating, User
from factcheck.roles import Role

_seq = itertools.count(1)

DEFAULT_LINES = [
    "The ministry said exports rose 12 percent in 2025 to $4.2 billion.",
    "Officials reported that 3,400 new rail wagons entered service last year.",
    "The treaty was signed in Moscow in 2001 by both presidents.",
]


def make_user(
    *,
    role: Role | str | None = None,
    roles=None,
    username: str | None = None,
    password: str = "correct-horse-battery-staple",
    **kw,
) -> User:
    username = username or f"user{next(_seq)}"
    role_list = list(roles) if roles is not None else ([role] if role else [])
    return people.create_user(
        actor=None,
        username=username,
        password=password,
        roles=role_list,
        email=f"{username}@desk.example",
        **kw,
    )


def make_service_account(
    *, role: Role | str = Role.REVIEWER, username: str | None = None
) -> User:
    """A program's account (what an API token acts as), made by the system."""
    return people.create_service_account(
        actor=None, username=username or f"bot{next(_seq)}", roles=[role]
    )


def make_article(
    *,
    actor: User | None = None,
    lines: list[str] | None = None,
    title: str | None = None,
    **metadata,
) -> Article:
    """An article whose every line becomes one claim (``--lines`` mode, threshold 0)."""
    actor = actor or make_user(role=Role.REVIEWER)
    text = "\n".join(lines or DEFAULT_LINES)
    meta = {"title": title or f"Test article {next(_seq)}", **metadata}
    return workflow.create_article(
        actor=actor, raw=text, metadata=meta, lines=True, threshold=0.0
    )


def rating(slug: str = "false") -> Rating:
    return Rating.objects.get(slug=slug)


def make_claim(
    *,
    state: str = ClaimState.OPEN,
    article: Article | None = None,
    reviewer: User | None = None,
    editor: User | None = None,
) -> Claim:
    """A claim driven to ``state`` through the workflow, as the desk would get there."""
    article = article or make_article()
    claim = article.claims.order_by("start").first()
    if state == ClaimState.OPEN:
        return claim
    if state == ClaimState.DISMISSED:
        editor = editor or make_user(role=Role.EDITOR)
        return workflow.dismiss_claim(claim, actor=editor, reason="Not checkable.")
    reviewer = reviewer or make_user(role=Role.REVIEWER)
    claim = workflow.take_claim(claim, actor=reviewer)
    if state == ClaimState.IN_PROGRESS:
        return claim
    workflow.add_source(
        claim,
        actor=reviewer,
        url="https://stats.example/exports",
        title="Export statistics 2025",
        publisher="Statistics office",
    )
    claim = workflow.submit_verdict(
        claim,
        actor=reviewer,
        rating=rating("false"),
        rationale="The official figure is 2 percent.",
    )
    if state == ClaimState.SUBMITTED:
        return claim
    editor = editor or make_user(role=Role.EDITOR)
    if state == ClaimState.RETURNED:
        return workflow.return_verdict(
            claim, actor=editor, comment="Needs a primary source."
        )
    if state == ClaimState.APPROVED:
        return workflow.approve_verdict(claim, actor=editor)
    raise ValueError(f"make_claim cannot reach {state!r}")


def decide_claim(
    claim: Claim,
    *,
    reviewer: User,
    editor: User,
    rating_slug: str = "false",
    rationale: str = "The official figure is 2 percent.",
) -> Claim:
    """Drive an open (or reopened) claim to approved with the given verdict."""
    if claim.state == ClaimState.OPEN:
        claim = workflow.take_claim(claim, actor=reviewer)
    if not claim.sources.filter(removed_at__isnull=True).exists():
        workflow.add_source(
            claim,
            actor=claim.assignee or reviewer,
            url="https://stats.example/exports",
            title="Export statistics 2025",
            publisher="Statistics office",
        )
    claim = workflow.submit_verdict(
        claim,
        actor=claim.assignee or reviewer,
        rating=rating(rating_slug),
        rationale=rationale,
    )
    return workflow.approve_verdict(claim, actor=editor)


def make_decided_article(
    *,
    reviewer: User | None = None,
    editor: User | None = None,
    ratings: list[str] | None = None,
    dismiss: tuple[int, ...] = (),
    lines: list[str] | None = None,
    **metadata,
) -> Article:
    """An article whose every claim is approved (rating per line) or dismissed.

    ``ratings`` gives a rating slug per claim in article order (default "false");
    ``dismiss`` lists claim indexes the editor dismisses instead.
    """
    reviewer = reviewer or make_user(role=Role.REVIEWER)
    editor = editor or make_user(role=Role.EDITOR)
    article = make_article(actor=reviewer, lines=lines, **metadata)
    claims = list(article.claims.order_by("start", "pk"))
    for i, claim in enumerate(claims):
        if i in dismiss:
            workflow.dismiss_claim(claim, actor=editor, reason="Not checkable.")
            continue
        slug = (ratings or [])[i] if ratings and i < len(ratings) else "false"
        decide_claim(
            claim,
            reviewer=reviewer,
            editor=editor,
            rating_slug=slug,
            rationale=f"Rationale for claim {i + 1}: the record says otherwise.",
        )
    article.refresh_from_db()
    return article
