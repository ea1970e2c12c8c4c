"""Audited writes per second with 1 and with 8 concurrent writers on PostgreSQL.

    .venv/bin/python bench/concurrent_writes.py [--seconds N] [--writers W]
        [--claims C] [--mail-delay S] [--database NAME] [--keep]

Every write takes the audit chain's lock (``factcheck/audit.py``) and holds it until
its commit, so writes are serialised for that stretch; this measures what that
costs. In one run: a fresh database ``NAME`` (default ``factcheck_bench_writes``) is
created on 127.0.0.1:5432 as user ``postgres`` (``BENCH_PG_URL`` names another
server) and migrated; a demo-sized desk is built through ``people``/``workflow``
(the seed articles ingested again and again through the real extraction until at
least C open claims exist, one reviewer per writer). Then three phases of N seconds:

1. one writer process;
2. W writer processes at once;
3. W writers while an admin sends invitations through a mail server that takes S
   seconds per email (default 0.5): the mail must not hold anybody's write up.

Each writer loops over real workflow writes on a random free claim: take it (with
the version it read, so a claim another writer took meanwhile is refused as stale),
add a note, add a source, save a draft verdict, release it. Per phase it prints
successful writes/s, p50 and p95 write latency, stale-version refusals (expected,
counted apart) and errors (anything else: must be 0). At the end ``verify_audit``
walks the whole chain (it must be intact) and the database is dropped (``--keep``
keeps it). Numbers depend on the machine's CPU and fsync; compare phases within a
run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SEEDS = REPO / "seeds"
MAIL_DELAY_ENV = "FACTCHECK_BENCH_MAIL_DELAY"


class SlowMailBackend(BaseEmailBackend):
    """A mail server that takes ``FACTCHECK_BENCH_MAIL_DELAY`` seconds per message."""

    def send_messages(self, messages):
        time.sleep(float(os.environ.get(MAIL_DELAY_ENV, "0")) * len(messages))
        return len(messages)


@dataclass
class Tally:
    """What one process saw: latency of each successful write, refusals, errors."""

    latencies: list[float] = field(default_factory=list)
    stale: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.latencies += other.latencies
        self.stale += other.stale
        self.errors += other.errors


# --- Set-up ---------------------------------------------------------------------------


def _fresh_database(server_url: str, name: str, *, drop_only: bool = False) -> str:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            admin.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"


def _configure_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["FACTCHECK_TESTING"] = "1"  # a dev secret key, plain static files
    os.environ.setdefault("DEBUG", "0")
    os.environ["EMAIL_BACKEND"] = "concurrent_writes.SlowMailBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "factcheck.settings"
    import logging

    import django

    django.setup()
    # One head line per commit would drown the table.
    logging.getLogger("factcheck.audit.head").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _build_desk(writers: int, claims: int) -> None:
    from factcheck import people, workflow
    from factcheck.models import Claim
    from factcheck.roles import Role, sync_roles

    sync_roles()
    for n in range(writers):
        people.create_user(
            actor=None,
            username=f"writer{n}",
            roles=[Role.REVIEWER],
            email=f"writer{n}@bench.example",
        )
    people.create_user(
        actor=None, username="admin", roles=[Role.ADMIN], email="a@bench.example"
    )
    ingester = people.create_user(
        actor=None, username="ingester", roles=[Role.REVIEWER]
    )
    seeds = sorted(SEEDS.glob("*.txt"))
    copy = 0
    while Claim.objects.count() < claims:
        seed = seeds[copy % len(seeds)]
        workflow.create_article(
            actor=ingester,
            raw=seed.read_bytes(),
            filename=seed.name,
            metadata={"title": f"Bench copy {copy} of {seed.stem}"},
        )
        copy += 1


# --- Writers --------------------------------------------------------------------------


def _timed(tally: Tally, write, *args, **kwargs) -> bool:
    """Run one write; count it as done, refused as stale, or an error."""
    from factcheck.workflow import InvalidTransition

    start = time.perf_counter()
    try:
        write(*args, **kwargs)
    except InvalidTransition:  # Conflict is one too: a stale version or state
        tally.stale += 1
        return False
    except Exception as exc:  # anything else is a bench failure, reported
        tally.errors.append(f"{type(exc).__name__}: {exc}")
        return False
    tally.latencies.append(time.perf_counter() - start)
    return True


def _writer(n: int, start_at: float, seconds: float) -> Tally:
    from django.db import connections

    from factcheck import workflow
    from factcheck.models import Claim, ClaimState, Rating, User

    connections.close_all()  # never share the parent's connection
    me = User.objects.get(username=f"writer{n}")
    ratings = list(Rating.objects.filter(active=True, is_verdict=True))
    rng = random.Random(n)
    tally = Tally()
    time.sleep(max(0.0, start_at - time.time()))
    deadline = start_at + seconds
    step = 0
    while time.time() < deadline:
        picked = (
            Claim.objects.filter(state=ClaimState.OPEN, assignee__isnull=True)
            .order_by("?")
            .values_list("pk", "version")
            .first()
        )
        if picked is None:
            time.sleep(0.01)
            continue
        pk, version = picked
        step += 1
        if not _timed(
            tally, workflow.take_claim, pk, actor=me, expected_version=version
        ):
            continue
        _timed(tally, workflow.add_note, pk, actor=me, body=f"Step {step}: called.")
        _timed(
            tally,
            workflow.add_source,
            pk,
            actor=me,
            url=f"https://bench.example/{os.getpid()}/{step}",
            title=f"Source {step}",
        )
        _timed(
            tally,
            workflow.save_verdict_draft,
            pk,
            actor=me,
            rating=rng.choice(ratings),
            rationale=f"Draft {step}.",
        )
        _timed(tally, workflow.release_claim, pk, actor=me)
    connections.close_all()
    return tally


def _inviter(start_at: float, seconds: float) -> Tally:
    from django.db import connections

    from factcheck import people
    from factcheck.models import User
    from factcheck.roles import Role

    connections.close_all()
    admin = User.objects.get(username="admin")
    tally = Tally()
    time.sleep(max(0.0, start_at - time.time()))
    n = 0
    while time.time() < start_at + seconds:
        n += 1
        username = f"invitee{os.getpid()}-{n}"
        _timed(
            tally,
            people.invite_user,
            actor=admin,
            username=username,
            email=f"{username}@bench.example",
            roles=[Role.REVIEWER],
            request_base_url="http://bench.example/",
        )
    connections.close_all()
    return tally


def _phase(writers: int, seconds: float, *, invitations: bool = False):
    from django.db import connections

    connections.close_all()  # the children fork from here
    start_at = time.time() + 1.0
    jobs = [(_writer, (n, start_at, seconds)) for n in range(writers)]
    if invitations:
        jobs.append((_inviter, (start_at, seconds)))
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        pending = [pool.apply_async(func, args) for func, args in jobs]
        results = [job.get(timeout=seconds + 120) for job in pending]
    writes = Tally()
    for tally in results[:writers]:
        writes.add(tally)
    return writes, (results[writers] if invitations else None)


# --- Report ---------------------------------------------------------------------------


def _p(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _row(label: str, tally: Tally, seconds: float) -> str:
    ms = [v * 1000 for v in tally.latencies]
    return (
        f"| {label} | {len(ms) / seconds:,.0f} | {_p(ms, 50):.1f} | {_p(ms, 95):.1f} "
        f"| {tally.stale} | {len(tally.errors)} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--claims", type=int, default=300)
    parser.add_argument("--mail-delay", type=float, default=0.5)
    parser.add_argument("--database", default="factcheck_bench_writes")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    server = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    os.environ[MAIL_DELAY_ENV] = str(args.mail_delay)

    url = _fresh_database(server, args.database)
    _configure_django(url)
    _build_desk(args.writers, args.claims)
    from django.core.management import call_command

    from factcheck.models import AuditEvent, Claim

    print(
        f"{Claim.objects.count()} claims, {AuditEvent.objects.count()} audit events; "
        f"{args.seconds:g} s per phase"
    )
    one, _ = _phase(1, args.seconds)
    many, _ = _phase(args.writers, args.seconds)
    slow, invited = _phase(args.writers, args.seconds, invitations=True)

    print("| writers | writes/s | p50 ms | p95 ms | stale refusals | errors |")
    print("|---|---|---|---|---|---|")
    print(_row("1", one, args.seconds))
    print(_row(str(args.writers), many, args.seconds))
    print(
        _row(
            f"{args.writers} + invitations (mail {args.mail_delay:g} s)",
            slow,
            args.seconds,
        )
    )
    print(
        f"invitations sent meanwhile: {len(invited.latencies)} "
        f"(errors {len(invited.errors)})"
    )
    errors = one.errors + many.errors + slow.errors + invited.errors
    for error in sorted(set(errors))[:10]:
        print("  error:", error)

    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=StringIO())
    print(out.getvalue().strip())
    if not args.keep:
        from django.db import connections

        connections.close_all()
        _fresh_database(server, args.database, drop_only=True)
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
