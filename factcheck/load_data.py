"""A large, realistic archive built quickly, for benchmarks and staging (issue #13).

``generate(claims=N)`` adds about N claims' worth of desk history:

- a few articles of varied length go through the real ingestion
  (``workflow.create_article``: extraction, scoring, claimants, "checked before?");
  the seed sample is one of them, the others are composed from sentence patterns;
- the rest are copies of those for volume, written with ``bulk_create`` in batches:
  the first k claims of a template (3 to 300 per article, most short), its text
  cut after the k-th claim and its digits shuffled (the length is kept, so every
  claim's offsets still point at its text);
- each claim is taken through a life the workflow could have given it (every
  ``ClaimState``; sources, notes, verdicts in every ``VerdictState``, approvals),
  and whole articles are published (snapshots built by ``publishing.build_summary``,
  some corrected) or unpublished. Older articles are mostly finished; the newest
  are still in review;
- every change is described by an audit event shaped as the workflow writes it.
  Events are chained in Python with ``audit.compute_hash`` from the current head,
  under the chain lock, in the transaction that writes the rows they describe, so
  ``manage.py verify_audit`` passes afterwards and appends by the desk continue
  the chain.

The copies span the ``ARCHIVE_DAYS`` up to yesterday, each article's whole story
within its own slot of that span, so a run's backdated events follow their ids in
time (they are older than the events already in the chain, which a backdated
archive cannot avoid). For the duration of a run ``bulk_create`` keeps the given
timestamps instead of stamping ``auto_now`` fields (``_given_timestamps``): run it
alone, not beside a live desk in the same interpreter. It is for benchmarks and
staging, never production: the command refuses to run unless DEBUG is on or
``--force`` is given. Same seed and same starting database: the same archive (ids
and "now" aside).
"""

from __future__ import annotations

import copy
import random
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from . import audit, people, workflow
from .audit import AuditAction
from .models import (
    Approval,
    Article,
    ArticleState,
    AuditEvent,
    Claim,
    ClaimState,
    Note,
    Publication,
    Rating,
    Source,
    User,
    Verdict,
    VerdictState,
)
from .publishing import build_summary
from .roles import Role, sync_roles

# The publish step's own version/history stamping, so snapshots read like real ones.
from .workflow.publication import _with_history

MIN_CLAIMS = 20
ARCHIVE_DAYS = 3 * 365
RECENT_SHARE = 0.05  # the newest 5% of the archive is mostly still in review
BATCH_CLAIMS = 5_000  # claims per transaction of bulk inserts
MAX_PER_ARTICLE = 300
CONTESTED_EVERY = 20_000  # one claim in this many has a long back-and-forth
CONTESTED_ROUNDS = 40
STORY_DAYS = 30  # an article's story at full pace; compressed to fit its slot
REVIEWERS, EDITORS = 12, 4
SEED_SAMPLE = "000_cb454b6630152dc4.txt"
# Templates ingested for real, by the checkable sentences aimed at (None: the seed
# sample; extraction keeps most of them), while their running total stays within
# ``TEMPLATE_SHARE`` of N.
TEMPLATE_SIZES = (4, None, 50, 120, 340)
TEMPLATE_SHARE = 0.6
SEED_SAMPLE_CLAIMS = 20

# Who decides an article's fate, and a claim's state within it (weights).
OLD_FATES = {"review": 0.60, "published": 0.38, "unpublished": 0.02}
RECENT_FATES = {"review": 0.85, "published": 0.15}
REVIEW_STATES = {
    ClaimState.OPEN: 0.47,
    ClaimState.IN_PROGRESS: 0.08,
    ClaimState.SUBMITTED: 0.07,
    ClaimState.RETURNED: 0.03,
    ClaimState.APPROVED: 0.20,
    ClaimState.DISMISSED: 0.15,
}
PUBLISHED_STATES = {ClaimState.APPROVED: 0.6, ClaimState.DISMISSED: 0.4}
# The first in-review copy shows every state in its first claims.
EVERY_STATE = [
    ClaimState.OPEN,
    ClaimState.IN_PROGRESS,
    ClaimState.SUBMITTED,
    ClaimState.RETURNED,
    ClaimState.APPROVED,
    ClaimState.DISMISSED,
]

# --- Words for composed articles -------------------------------------------------

PLACES = [
    "Riverton", "Harbor City", "Eastvale", "Northbridge", "Millbrook", "Lakeside",
    "Westport", "Oakridge", "Pine Hollow", "Stonebridge", "Fairhaven", "Brookfield",
]  # fmt: skip
METRICS = [
    "unemployment", "the crime rate", "hospital waiting times", "house prices",
    "bus ridership", "school enrolment", "energy bills", "average rents",
    "road deaths", "youth unemployment", "the poverty rate", "waste recycling",
]  # fmt: skip
ORGS = [
    "the finance office", "the statistics bureau", "the health ministry",
    "the transport authority", "the school district", "the chamber of commerce",
    "the housing agency", "the police department",
]  # fmt: skip
PEOPLE = [
    "Mayor Lena Ortiz", "Councillor Tom Reed", "Minister Aisha Khan",
    "Senator Paul Grant", "Dr. Mei Lin, the health director,",
    "Governor Ruth Adams", "Ian Moss, the opposition leader,",
]  # fmt: skip
PROJECTS = [
    "new bridge", "tram line", "hospital wing", "housing plan", "sea wall",
    "school building programme", "recycling plant",
]  # fmt: skip
THINGS = ["homes", "cars", "permits", "businesses", "flats", "bikes"]
MONTHS = ["January", "March", "May", "June", "September", "November"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday"]
CHECKABLE = [
    "{Metric} in {place} {moved} {p} percent in {year}, {org} said.",
    "According to {org}, {n:,} {thing} were registered in {place} last year.",
    "{person} said the {project} would cost {m} million euros over {y} years.",
    "{place}'s {metric} fell to {p}.{d} percent in {month}, down from {q}.{d} "
    "percent a year earlier.",
    "The council voted {a} to {b} in favour of the {project} on {weekday}.",
    "{Metric} has doubled since {year}, the highest level in {y} years.",
    "The {project} will create {n:,} jobs by {later}, {person} claimed.",
    "{place} spends {m} million euros a year on {metric2}, more than any other "
    "town in the region.",
]
FILLER = [
    "The meeting ended shortly after noon.",
    "Residents gathered outside the town hall.",
    "Critics argue the plan could strain the town's finances in later years.",
    "Supporters say the move is long overdue.",
    "The debate is expected to continue next week.",
]
HEADINGS = ["Background", "The figures", "What officials say", "Reaction", "Next"]

OUTLETS = [
    ("Riverton Gazette", "gazette.example"),
    ("Harbor Daily", "harbordaily.example"),
    ("Eastvale Courier", "courier.example"),
    ("Regional Wire", "wire.example"),
]
AUTHORS = ["Jo Park", "Sam Ortega", "Lee Chen", "Ana Silva", "Max Weber", ""]
RATIONALES = [
    "The {source} shows the figure is **accurate** for the period stated.",
    "The {source} gives a different number; the claim *overstates* it.",
    "The figure matches the {source}, but leaves out the year before.",
    "No public record confirms or refutes this; we asked the office concerned.",
    "The {source} supports the claim; see the table on page 4.",
]
RETURN_COMMENTS = [
    "Needs a primary source, not a press release.",
    "Check the year: the table is for the previous budget.",
    "The rationale does not say what the figure is compared with.",
]
DISMISS_REASONS = [
    "Not checkable: an opinion.",
    "Duplicate of an earlier claim.",
    "Out of scope for the desk.",
]
NOTES = [
    "Called the press office; waiting for the **dataset**.",
    "The ministry's table uses a different definition.",
    "Found the original report, see the second source.",
]
CORRECTION = "Corrected the link to the second source."
UNPUBLISH_REASON = "The article was withdrawn by its publisher."


@dataclass
class Report:
    """What one run added, and the chain head it left."""

    claims: int = 0
    articles: int = 0
    events: int = 0
    seconds: float = 0.0
    head: audit.ChainHead | None = None


# --- Composed texts for the real ingestion ----------------------------------------


def _sentence(rng: random.Random) -> str:
    pattern = rng.choice(CHECKABLE)
    year = rng.randint(2008, 2024)
    text = pattern.format(
        Metric=rng.choice(METRICS).capitalize(),
        metric=rng.choice(METRICS),
        metric2=rng.choice(METRICS),
        place=rng.choice(PLACES),
        moved=rng.choice(["rose", "fell"]),
        p=rng.randint(2, 40),
        q=rng.randint(5, 12),
        d=rng.randint(1, 9),
        year=year,
        later=rng.randint(2026, 2032),
        org=rng.choice(ORGS),
        n=rng.randint(120, 40_000),
        thing=rng.choice(THINGS),
        person=rng.choice(PEOPLE),
        project=rng.choice(PROJECTS),
        m=rng.randint(2, 900),
        y=rng.randint(2, 30),
        month=rng.choice(MONTHS),
        a=rng.randint(5, 9),
        b=rng.randint(1, 4),
        weekday=rng.choice(WEEKDAYS),
    )
    return text[0].upper() + text[1:]


def compose_text(rng: random.Random, checkable: int) -> str:
    """A plain-text article with about ``checkable`` check-worthy sentences."""
    place = rng.choice(PLACES)
    lines = [f"{place} {rng.choice(METRICS)} under scrutiny"]
    made = 0
    paragraph = 0
    while made < checkable:
        if paragraph and paragraph % 6 == 0:
            lines.append(HEADINGS[(paragraph // 6) % len(HEADINGS)])
        sentences = []
        for _ in range(rng.randint(2, 4)):
            if made < checkable and rng.random() < 0.85:
                sentences.append(_sentence(rng))
                made += 1
            else:
                sentences.append(rng.choice(FILLER))
        lines.append(" ".join(sentences))
        paragraph += 1
    return "\n".join(lines) + "\n"


def _headline(rng: random.Random) -> str:
    text = (
        f"{rng.choice(PLACES)}: {rng.choice(METRICS)} {rng.choice(['rose', 'fell'])} "
        f"{rng.randint(2, 40)} percent, {rng.choice(ORGS)} says"
    )
    return text[0].upper() + text[1:]


# --- The team ---------------------------------------------------------------------


@dataclass
class Team:
    reviewers: list[User]
    editors: list[User]


def ensure_team() -> Team:
    """The generator's staff (invite-only accounts), created through ``people``."""
    sync_roles()

    def members(prefix: str, count: int, role: Role) -> list[User]:
        found = []
        for n in range(1, count + 1):
            username = f"{prefix}-{n:02d}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = people.create_user(
                    actor=None,
                    username=username,
                    display_name=f"Load {role.label} {n}",
                    roles=[role],
                    email=f"{username}@load.example",
                )
            found.append(user)
        return found

    return Team(
        members("load-reviewer", REVIEWERS, Role.REVIEWER),
        members("load-editor", EDITORS, Role.EDITOR),
    )


# --- Templates: articles ingested for real ---------------------------------------


_CLAIM_FIELDS = (
    "position", "text", "start", "end", "heading", "kind", "score", "reasons",
    "vector", "claimant_id",
)  # fmt: skip


@dataclass
class Template:
    title: str
    body: str
    claims: list[dict[str, Any]]  # ``_CLAIM_FIELDS`` of each claim, by position


def _ingest_templates(
    rng: random.Random, claims: int, team: Team, tag: str
) -> list[Template]:
    sample = Path(settings.BASE_DIR) / "seeds" / SEED_SAMPLE
    templates, aimed = [], 0
    for size in TEMPLATE_SIZES:
        aimed += size or SEED_SAMPLE_CLAIMS
        if templates and aimed > claims * TEMPLATE_SHARE:
            break
        if size is None:
            raw, name = sample.read_bytes(), f"load-{tag}-{SEED_SAMPLE}"
        else:
            raw, name = compose_text(rng, size).encode(), f"load-{tag}-{size}.txt"
        outlet, _domain = rng.choice(OUTLETS)
        article = workflow.create_article(
            actor=team.reviewers[0],
            raw=raw,
            filename=name,
            metadata={"outlet": outlet, "author": rng.choice(AUTHORS)},
        )
        rows = list(article.claims.order_by("position").values(*_CLAIM_FIELDS))
        if rows:
            templates.append(Template(article.title, article.body, rows))
    return sorted(templates, key=lambda t: len(t.claims))


# --- One batch of bulk-inserted rows and the events that describe them ------------


@dataclass
class Step:
    """One audit event to be: ``data`` may be a callable, read once ids exist."""

    at: datetime
    actor: User | None
    action: str
    article: Article
    claim: Claim | None = None
    subject_user: User | None = None
    data: dict[str, Any] | Callable[[], dict[str, Any]] = field(default_factory=dict)


@dataclass
class Publishing:
    article: Article
    editor: User
    at: datetime
    corrected_at: datetime | None = None


@dataclass
class Batch:
    articles: list[Article] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    publishing: list[Publishing] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    def write(self) -> int:
        """Insert the rows, their snapshots and their events in one transaction."""
        with transaction.atomic():
            Article.objects.bulk_create(self.articles, batch_size=500)
            Claim.objects.bulk_create(self.claims, batch_size=1000)
            Verdict.objects.bulk_create(self.verdicts, batch_size=1000)
            Approval.objects.bulk_create(self.approvals, batch_size=1000)
            Source.objects.bulk_create(self.sources, batch_size=1000)
            Note.objects.bulk_create(self.notes, batch_size=1000)
            Publication.objects.bulk_create(self._publications(), batch_size=200)
            return _append_events(self.steps)

    def _publications(self) -> Iterator[Publication]:
        for plan in self.publishing:
            article = plan.article
            summary = build_summary(article)
            first = Publication(
                article=article,
                version=1,
                payload=_with_history(
                    copy.deepcopy(summary), None, article=article, note="", now=plan.at
                ),
                correction_note="",
                published_by=plan.editor,
                published_at=plan.at,
            )
            yield first
            if plan.corrected_at is not None:
                yield Publication(
                    article=article,
                    version=2,
                    payload=_with_history(
                        summary,
                        first,
                        article=article,
                        note=CORRECTION,
                        now=plan.corrected_at,
                    ),
                    correction_note=CORRECTION,
                    published_by=plan.editor,
                    published_at=plan.corrected_at,
                )


def _append_events(steps: list[Step]) -> int:
    """The steps as audit events, in time order, appended to the chain."""
    rows = []
    for step in sorted(steps, key=lambda s: s.at):
        rows.append(
            {
                "at": step.at,
                "actor": step.actor,
                "actor_label": step.actor.get_username() if step.actor else "system",
                "action": str(step.action),
                "article": step.article,
                "claim": step.claim,
                "subject_user": step.subject_user,
                "summary": str(step.claim or step.article)[:300],
                "data": step.data() if callable(step.data) else step.data,
                "request_id": "",
            }
        )
    return audit.append_many(rows)


def _analyze() -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load, as autovacuum
    would a while later: with stale row counts it plans scans the indexes avoid."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@contextmanager
def _given_timestamps() -> Iterator[None]:
    """Let ``bulk_create`` keep backdated ``auto_now``/``auto_now_add`` values.

    Django stamps those fields with the current time on every insert; an archive
    that spans years needs the times it was given. Restored on exit.
    """
    models = (Article, Claim, Source, Note, Verdict, Approval)
    stamped = [
        (f, f.auto_now, f.auto_now_add)
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for f, _now, _add in stamped:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in stamped:
            f.auto_now, f.auto_now_add = now, add


# --- The archive builder ------------------------------------------------------------


def _pick(rng: random.Random, weights: dict) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _length(rng: random.Random) -> int:
    """Claims in one article: mostly a handful, a long tail up to 300."""
    r = rng.random()
    if r < 0.70:
        return rng.randint(3, 10)
    if r < 0.93:
        return rng.randint(11, 40)
    if r < 0.985:
        return rng.randint(41, 120)
    return rng.randint(121, MAX_PER_ARTICLE)


class Builder:
    """Turns "an article of k claims with this fate" into rows and steps."""

    def __init__(self, rng: random.Random, team: Team, tag: str):
        self.rng, self.team, self.tag = rng, team, tag
        self.until, self.pace = timezone.now(), 1.0
        self.ratings = list(Rating.objects.filter(active=True).order_by("order"))
        self.seen: set[str] = set()
        # The first in-review copies show every state in their first claims.
        self.forced_states = list(EVERY_STATE)
        self.copies = 0
        self.claims = 0

    def once(self, key: str) -> bool:
        """True the first time ``key`` is asked: forces coverage of every case."""
        new = key not in self.seen
        self.seen.add(key)
        return new

    def later(self, at: datetime, low_minutes: int, high_minutes: int) -> datetime:
        """A moment after ``at``, at the article's pace, never past its slot."""
        minutes = self.rng.randint(low_minutes, high_minutes) * self.pace
        return min(at + timedelta(minutes=minutes), self.until)

    # -- articles

    def article(
        self,
        batch: Batch,
        template: Template,
        k: int,
        fate: str,
        slot: tuple[datetime, datetime],
    ) -> Article:
        """An article of ``k`` claims whose whole story happens within ``slot``."""
        rng = self.rng
        at, self.until = slot
        self.pace = min(1.0, (self.until - at) / timedelta(days=STORY_DAYS))
        digits = "0123456789"
        shuffle = str.maketrans(digits, "".join(rng.sample(digits, 10)))
        rows = template.claims[:k]
        cut = template.body.find("\n", rows[-1]["end"])
        body = template.body[: cut if cut != -1 else len(template.body)]
        title = _headline(rng)
        outlet, domain = rng.choice(OUTLETS)
        slug = f"{slugify(title)[:96].strip('-')}-{self.tag}-{self.copies}"
        self.copies += 1
        article = Article(
            title=title,
            slug=slug,
            body=body.translate(shuffle),
            outlet=outlet,
            author=rng.choice(AUTHORS),
            original_url=f"https://{domain}/{slug}",
            original_published_on=(at - timedelta(days=1)).date(),
            state=ArticleState.IN_REVIEW,
            due_at=at + timedelta(days=rng.randint(1, 7))
            if fate == "review" and rng.random() < 0.3
            else None,
            ingested_by=rng.choice(self.team.reviewers),
            ingested_at=at,
            updated_at=at,
        )
        batch.articles.append(article)
        batch.steps.append(
            Step(
                at,
                article.ingested_by,
                AuditAction.ARTICLE_CREATED,
                article,
                data={
                    "claims": k,
                    "checked_before": 0,
                    "near_duplicates": 0,
                    "claimants": sum(1 for r in rows if r["claimant_id"]),
                    "warnings": 0,
                    "repairs": 0,
                    "source_format": "text",
                    "filename": "",
                },
            )
        )
        weights = REVIEW_STATES if fate == "review" else PUBLISHED_STATES
        states = [_pick(rng, weights) for _ in rows]
        if fate == "review":
            forced = self.forced_states[: len(states)]
            states[: len(forced)] = forced
            del self.forced_states[: len(forced)]
        elif ClaimState.APPROVED not in states:
            states[0] = ClaimState.APPROVED  # a fact-check has at least one verdict
        claims, finished = [], at
        for row, state in zip(rows, states, strict=True):
            claim = Claim(
                article=article,
                **{
                    **row,
                    "text": row["text"].translate(shuffle),
                    "reasons": list(row["reasons"]),
                },
                created_at=at,
                updated_at=at,
            )
            contested = self.claims % CONTESTED_EVERY == len(EVERY_STATE)
            if contested and fate == "review":
                state = ClaimState.SUBMITTED
            else:
                contested = False
            finished = max(finished, self.claim(batch, claim, state, at, contested))
            claims.append(claim)
            self.claims += 1
        batch.claims.extend(claims)
        if fate != "review":
            self.publish(batch, article, claims, finished, fate)
        return article

    def publish(self, batch, article, claims, finished, fate) -> None:
        rng = self.rng
        editor = rng.choice(self.team.editors)
        at = self.later(finished, 60, 24 * 60)
        number = 0
        for claim in sorted(claims, key=lambda c: (c.start, c.position)):
            if claim.state == ClaimState.APPROVED:
                number += 1
                claim.public_number = number
        plan = Publishing(article, editor, at)
        article.state = ArticleState.PUBLISHED
        numbered = [c for c in claims if c.public_number]
        batch.steps.append(
            Step(
                at,
                editor,
                AuditAction.ARTICLE_PUBLISHED,
                article,
                data=lambda: {
                    "from": ArticleState.IN_REVIEW.value,
                    "to": ArticleState.PUBLISHED.value,
                    "version": 1,
                    "claims": len(numbered),
                    "correction_note": "",
                    "changes": [],
                    "numbered": {str(c.pk): c.public_number for c in numbered},
                },
            )
        )
        last = at
        if fate == "unpublished":
            last = self.later(at, 24 * 60, 5 * 24 * 60)
            article.state = ArticleState.UNPUBLISHED
            batch.steps.append(
                Step(
                    last,
                    editor,
                    AuditAction.ARTICLE_UNPUBLISHED,
                    article,
                    data={
                        "from": ArticleState.PUBLISHED.value,
                        "to": ArticleState.UNPUBLISHED.value,
                        "reason": UNPUBLISH_REASON,
                    },
                )
            )
        elif rng.random() < 0.1 or self.once("corrected"):
            last = plan.corrected_at = self.later(at, 24 * 60, 14 * 24 * 60)
            batch.steps.append(
                Step(
                    last,
                    editor,
                    AuditAction.ARTICLE_REPUBLISHED,
                    article,
                    data={
                        "from": ArticleState.PUBLISHED.value,
                        "to": ArticleState.PUBLISHED.value,
                        "version": 2,
                        "claims": len(numbered),
                        "correction_note": CORRECTION,
                        "changes": [],
                        "numbered": {},
                    },
                )
            )
        article.updated_at = last
        batch.publishing.append(plan)

    # -- claims

    def claim(
        self,
        batch: Batch,
        claim: Claim,
        state: str,
        at: datetime,
        contested: bool = False,
    ) -> datetime:
        """Give the claim a life ending in ``state``; return when it ended."""
        rng = self.rng
        reviewer = rng.choice(self.team.reviewers)
        editor = rng.choice(self.team.editors)
        article = claim.article
        writes = 0

        def step(when, actor, action, **kw):
            batch.steps.append(Step(when, actor, action, article, claim, **kw))

        claim.state = state
        if state == ClaimState.OPEN:
            if rng.random() < 0.1:
                claim.due_at = at + timedelta(days=rng.randint(1, 10))
            return at
        t = self.later(at, 30, 72 * 60)
        withdrawn = state == ClaimState.DISMISSED and (
            self.once("withdrawn") or rng.random() < 0.05
        )
        if state == ClaimState.DISMISSED and not withdrawn:
            claim.dismissed_reason = rng.choice(DISMISS_REASONS)
            step(
                t,
                editor,
                AuditAction.CLAIM_DISMISSED,
                data={
                    "from": ClaimState.OPEN.value,
                    "to": state,
                    "reason": claim.dismissed_reason,
                },
            )
            self._finish(claim, t, 1)
            return t
        step(
            t,
            reviewer,
            AuditAction.CLAIM_TAKEN,
            data={"from": ClaimState.OPEN.value, "to": ClaimState.IN_PROGRESS.value},
        )
        writes += 1
        sources = 8 if contested else (1 if rng.random() < 0.85 else 2)
        if state == ClaimState.IN_PROGRESS and rng.random() < 0.3:
            sources = 0
        source_title = ""
        for n in range(sources):
            t = self.later(t, 10, 24 * 60)
            _, domain = rng.choice(OUTLETS)
            source = Source(
                claim=claim,
                url=f"https://data.{domain}/report/{claim.position}-{n}",
                title=f"{rng.choice(ORGS).capitalize()} report, table {n + 1}",
                publisher=rng.choice(ORGS).capitalize(),
                excerpt="The figure in question is in the second table.",
                accessed_on=t.date(),
                added_by=reviewer,
                added_at=t,
            )
            source_title = source_title or source.title
            batch.sources.append(source)
            step(
                t,
                reviewer,
                AuditAction.SOURCE_ADDED,
                data=lambda s=source: {"source": s.pk, "url": s.url, "title": s.title},
            )
        for _ in range(30 if contested else int(rng.random() < 0.15)):
            t = self.later(t, 10, 12 * 60)
            note = Note(
                claim=claim,
                author=reviewer,
                body=rng.choice(NOTES),
                created_at=t,
            )
            batch.notes.append(note)
            step(
                t,
                reviewer,
                AuditAction.NOTE_ADDED,
                data=lambda n=note: {"note": n.pk, "body": n.body},
            )
        rating = self._rating(sources)
        rationale = rng.choice(RATIONALES).format(source=source_title or "record")

        def verdict(vstate: str, when: datetime, current: bool) -> Verdict:
            v = Verdict(
                claim=claim,
                rating=rating,
                rationale=rationale,
                author=reviewer,
                state=vstate,
                is_current=current,
                created_at=when,
                updated_at=when,
            )
            batch.verdicts.append(v)
            return v

        if state in (ClaimState.IN_PROGRESS, ClaimState.DISMISSED):
            draft = withdrawn or (
                self.once("draft") or (rng.random() < 0.3 and sources > 0)
            )
            if draft:
                t = self.later(t, 10, 24 * 60)
                v = verdict(
                    VerdictState.WITHDRAWN if withdrawn else VerdictState.DRAFT,
                    t,
                    current=not withdrawn,
                )
                self._saved(step, v, t, reviewer)
                writes += 1
            if withdrawn:
                t = self.later(t, 60, 48 * 60)
                claim.dismissed_reason = rng.choice(DISMISS_REASONS)
                step(
                    t,
                    editor,
                    AuditAction.CLAIM_DISMISSED,
                    data={
                        "from": ClaimState.IN_PROGRESS.value,
                        "to": state,
                        "reason": claim.dismissed_reason,
                    },
                )
                self._finish(claim, t, writes + 1)
                return t
            claim.assignee = reviewer
            self._finish(claim, t, writes)
            return t
        claim.assignee = reviewer
        rounds = CONTESTED_ROUNDS if contested else int(rng.random() < 0.1)
        before = ClaimState.IN_PROGRESS.value
        for _ in range(rounds):
            t = self.later(t, 10, 24 * 60)
            v = verdict(VerdictState.RETURNED, t, current=False)
            if contested:
                self._saved(step, v, t, reviewer)
                writes += 1
            t = self._submitted(step, v, t, reviewer, before)
            t = self.later(t, 30, 24 * 60)
            self._returned(step, v, t, editor, reviewer)
            before = ClaimState.RETURNED.value
            writes += 2
        t = self.later(t, 10, 24 * 60)
        final = {
            ClaimState.SUBMITTED: VerdictState.SUBMITTED,
            ClaimState.RETURNED: VerdictState.RETURNED,
            ClaimState.APPROVED: VerdictState.APPROVED,
        }[state]
        v = verdict(final, t, current=True)
        t = self._submitted(step, v, t, reviewer, before)
        writes += 1
        if state == ClaimState.RETURNED:
            t = self.later(t, 30, 24 * 60)
            self._returned(step, v, t, editor, reviewer)
            writes += 1
        elif state == ClaimState.APPROVED:
            t = self._approved(batch, step, v, t)
            writes += 1
        self._finish(claim, t, writes)
        return t

    def _rating(self, sources: int) -> Rating:
        usable = [r for r in self.ratings if sources or not r.requires_source]
        return self.rng.choice(usable or self.ratings)

    def _saved(self, step, v: Verdict, t: datetime, reviewer: User) -> None:
        step(
            t,
            reviewer,
            AuditAction.VERDICT_SAVED,
            data=lambda: {
                "before": {"rating": None, "rationale": ""},
                "after": {"rating": v.rating.label, "rationale": v.rationale},
                "verdict": v.pk,
            },
        )

    def _submitted(self, step, v, t, reviewer, before: str) -> datetime:
        v.submitted_by, v.submitted_at = reviewer, t
        step(
            t,
            reviewer,
            AuditAction.VERDICT_SUBMITTED,
            data=lambda: {
                "from": before,
                "to": ClaimState.SUBMITTED.value,
                "verdict": v.pk,
                "rating": v.rating.label,
                "rationale": v.rationale,
            },
        )
        return t

    def _returned(self, step, v, t, editor, reviewer) -> None:
        v.decided_by, v.decided_at = editor, t
        v.decision_comment = self.rng.choice(RETURN_COMMENTS)
        v.updated_at = t
        step(
            t,
            editor,
            AuditAction.VERDICT_RETURNED,
            subject_user=reviewer,
            data=lambda: {
                "from": ClaimState.SUBMITTED.value,
                "to": ClaimState.RETURNED.value,
                "verdict": v.pk,
                "comment": v.decision_comment,
            },
        )

    def _approved(self, batch: Batch, step, v: Verdict, t: datetime) -> datetime:
        """Enough distinct editors approve (the rating says how many)."""
        needed = min(v.rating.required_approvals, len(self.team.editors))
        editors = self.rng.sample(self.team.editors, needed)
        for n, editor in enumerate(editors, 1):
            t = self.later(t, 30, 24 * 60)
            batch.approvals.append(Approval(verdict=v, editor=editor, at=t))
            data = {
                "verdict": None,
                "rating": v.rating.label,
                "approvals": n,
                "required": v.rating.required_approvals,
            }
            if n < needed:
                step(
                    t,
                    editor,
                    AuditAction.VERDICT_APPROVAL_RECORDED,
                    data=lambda d=data: {**d, "verdict": v.pk},
                )
                continue
            v.decided_by, v.decided_at, v.updated_at = editor, t, t
            step(
                t,
                editor,
                AuditAction.VERDICT_APPROVED,
                data=lambda d=data: {
                    **d,
                    "verdict": v.pk,
                    "from": ClaimState.SUBMITTED.value,
                    "to": ClaimState.APPROVED.value,
                },
            )
        return t

    @staticmethod
    def _finish(claim: Claim, t: datetime, writes: int) -> None:
        claim.updated_at = t
        claim.version = 1 + writes


# --- The run ------------------------------------------------------------------


def generate(
    claims: int = 1000,
    *,
    seed: int = 0,
    progress: bool = True,
    batch_claims: int = BATCH_CLAIMS,
) -> Report:
    """Add ``claims`` claims of desk history (see the module docstring)."""
    if claims < MIN_CLAIMS:
        raise ValueError(f"Generate at least {MIN_CLAIMS} claims.")
    started = timezone.now()
    rng = random.Random(seed)
    report = Report()
    first_event = AuditEvent.objects.aggregate(n=Max("pk"))["n"] or 0
    tag = f"{(Article.objects.aggregate(n=Max('pk'))['n'] or 0) + 1:x}"
    bar = tqdm(
        total=claims,
        unit="claims",
        file=sys.stderr,
        disable=not progress,
        mininterval=0.5,
    )
    team = ensure_team()
    templates = _ingest_templates(rng, claims, team, tag)
    done = sum(len(t.claims) for t in templates)
    report.articles += len(templates)
    bar.update(done)
    builder = Builder(rng, team, tag)
    longest = min(len(templates[-1].claims), MAX_PER_ARTICLE)
    start = started - timedelta(days=ARCHIVE_DAYS)
    span = started - timedelta(days=1) - start
    forced_fates = ["review", "published", "unpublished"]
    batch = Batch()
    batched = 0
    with _given_timestamps():
        while done < claims:
            left = claims - done
            k = longest if builder.copies == 0 else min(_length(rng), longest)
            k = min(k, left)
            if 0 < left - k < 3:  # leave no article shorter than 3 claims
                k = left if left <= longest else max(3, k - 3)
            progress_share = done / claims
            if forced_fates:
                fate = forced_fates.pop(0)
            else:
                recent = progress_share > 1 - RECENT_SHARE
                fate = _pick(rng, RECENT_FATES if recent else OLD_FATES)
            template = next(t for t in templates if len(t.claims) >= k)
            # Each article's story fits in its own slot of the timeline, so within
            # a run the events' times never run against their ids.
            slot = (start + span * progress_share, start + span * (done + k) / claims)
            builder.article(batch, template, k, fate, slot)
            done += k
            batched += k
            if batched >= batch_claims or done >= claims:
                batch.write()
                report.articles += len(batch.articles)
                bar.update(batched)
                batch, batched = Batch(), 0
    bar.close()
    _analyze()
    report.claims = done
    report.events = AuditEvent.objects.filter(pk__gt=first_event).count()
    report.seconds = (timezone.now() - started).total_seconds()
    report.head = audit.head()
    return report
