"""Each desk page's throughput as a share of a trivial view, at 1k and 100k claims.

    .venv/bin/python bench/web_throughput.py [--scales 1000,100000] [--seconds 10]
        [--connections 4] [--keep] [--reuse]

For each scale: a fresh PostgreSQL database ``factcheck_bench_<scale>`` on
127.0.0.1:5432 (user postgres; ``--pg`` to change), migrated, with the demo desk
(``manage.py demo``) and ``manage.py generate_load_data --claims <scale>`` (the
same seed at every scale, so the pages compared show the same article and claim).
It is served by gunicorn (2 sync workers) with production settings (DEBUG off,
static files collected) and each page is loaded with wrk (Debian package ``wrk``)
for ``--seconds``, signed in as the demo editor through a session made the way
Django's test client ``force_login`` makes one. Each page must answer 200 first
(not a redirect to the sign-in page); during the load any other status counts as
an error. ``/healthz`` (anonymous) is measured first and last; each page's share
is its requests/s over the mean of those two.

Pages: ``/healthz`` anonymous and signed in, ``/queue/``, ``/audit/``,
``/articles/``, the in-review article with the most claims (300 at both scales),
the claim with the longest history, ``/approvals/``, the first published
fact-check's summary page, ``/fact-checks/``.

Prints a markdown table: requests/s, share of ``/healthz`` and p95 latency at each
scale, and each page's share at the largest scale as a percentage of its share at
the smallest. ``--keep`` keeps the databases; ``--reuse`` serves a kept one instead
of rebuilding it. Numbers are noisy on a shared 2-core machine: compare shares
within a run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
WRK = shutil.which("wrk") or "/usr/bin/wrk"
SEED = 0
SECRET = "bench-web-throughput-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz"

# Runs in the bench database (manage.py shell): the pages to load and a session.
PREPARE = """
import json
from django.conf import settings
from django.db.models import Count
from django.test import Client
from factcheck.models import Article, AuditEvent, User

client = Client()
client.force_login(User.objects.get(username="editor"))
article = (
    Article.objects.in_review().filter(source_filename="")
    .annotate(n=Count("claims")).order_by("-n", "pk").first()
)
claim = (
    AuditEvent.objects.filter(claim__isnull=False).values("claim")
    .annotate(n=Count("pk")).order_by("-n", "claim").first()
)
published = Article.objects.published().filter(source_filename="").order_by("pk")
print("PREPARED " + json.dumps({
    "cookie": f"{settings.SESSION_COOKIE_NAME}="
    + client.cookies[settings.SESSION_COOKIE_NAME].value,
    "article": article.pk, "article_claims": article.n,
    "claim": claim["claim"], "claim_events": claim["n"],
    "slug": published.first().slug,
}))
"""

# wrk's Lua hooks: count non-200 answers per thread, print one JSON line at the end.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non200 = 0 end
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non200") end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"non200": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), bad, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    signed_in: bool = True


@dataclass
class Result:
    rate: float = 0.0
    p95_ms: float = 0.0
    problem: str = ""  # why the page was not (fully) measured


def _pages(t: dict) -> list[Page]:
    return [
        Page("`/healthz` anonymous", "/healthz", signed_in=False),
        Page("`/healthz` signed in", "/healthz"),
        Page("`/queue/`", "/queue/"),
        Page("`/audit/`", "/audit/"),
        Page("`/articles/`", "/articles/"),
        Page(
            f"`/articles/<id>/` ({t['article_claims']} claims)",
            f"/articles/{t['article']}/",
        ),
        Page(f"`/claims/<id>/` ({t['claim_events']} events)", f"/claims/{t['claim']}/"),
        Page("`/approvals/`", "/approvals/"),
        Page("public summary page", f"/fact-checks/{t['slug']}/", signed_in=False),
        Page("`/fact-checks/`", "/fact-checks/", signed_in=False),
    ]


# --- The database -------------------------------------------------------------


def _admin(pg: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _exists(pg: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{pg}/postgres") as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


def _manage(env: dict, *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=REPO,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return done.stdout or ""


def _environment(pg: str, name: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("FACTCHECK_TESTING", "FACTCHECK_DB_PATH")
    }
    env.update(
        DATABASE_URL=f"{pg}/{name}",
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="ERROR",  # not the audit head line of every demo event
    )
    return env


def build(pg: str, name: str, scale: int, env: dict) -> float:
    """A fresh database with the demo desk and ``scale`` generated claims."""
    _admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(pg, f'CREATE DATABASE "{name}"')
    _manage(env, "migrate", "-v0")
    _manage(env, "demo", "--no-migrate", capture=True)
    started = time.perf_counter()
    _manage(
        env,
        "generate_load_data",
        "--claims",
        str(scale),
        "--seed",
        str(SEED),
        "--force",
    )
    return time.perf_counter() - started


def prepare(env: dict) -> dict:
    out = _manage(env, "shell", "-c", PREPARE, capture=True)
    line = next(x for x in out.splitlines() if x.startswith("PREPARED "))
    return json.loads(line.removeprefix("PREPARED "))


# --- Serving and loading ------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, cookie: str | None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def serve(env: dict) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    server = subprocess.Popen(
        [
            PYTHON, "-m", "gunicorn", "factcheck.wsgi:application",
            "--workers", "2", "--bind", f"127.0.0.1:{port}",
            "--timeout", "120", "--log-level", "warning",
        ],
        cwd=REPO,
        env=env,
    )  # fmt: skip
    for _ in range(200):
        try:
            if _get(port, "/healthz", None) == 200:
                return server, port
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz")


def wrk(port: int, page: Page, cookie: str, seconds: int, args) -> Result:
    status = _get(port, page.path, cookie if page.signed_in else None)
    if status != 200:
        return Result(problem=f"answered {status}")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = [
        WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s",
        "--timeout", "60s", "-s", script.name,
    ]  # fmt: skip
    if page.signed_in:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{port}{page.path}")
    try:
        out = subprocess.run(command, check=True, capture_output=True, text=True)
    finally:
        os.unlink(script.name)
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRK "))
    stats = json.loads(line.removeprefix("WRK "))
    result = Result(
        rate=stats["requests"] / (stats["duration_us"] / 1e6),
        p95_ms=stats["p95_us"] / 1000,
    )
    if stats["non200"] or stats["socket_errors"]:
        result.problem = (
            f"{stats['non200']} non-200 answers, {stats['socket_errors']} socket errors"
        )
    return result


def measure(env: dict, targets: dict, args) -> dict[str, Result]:
    server, port = serve(env)
    try:
        pages = _pages(targets)
        results: dict[str, Result] = {}
        first = None
        for page in [*pages, pages[0]]:
            wrk(port, page, targets["cookie"], 2, args)  # warm up both workers
            result = wrk(port, page, targets["cookie"], args.seconds, args)
            if first is None:
                first = result
            print(f"  {page.label:<45} {result.rate:8.1f} req/s  {result.problem}")
            results[page.label] = result
        # Anonymous /healthz was loaded first and last: the share's base is the mean.
        results[pages[0].label] = Result(
            rate=(first.rate + results[pages[0].label].rate) / 2,
            p95_ms=max(first.p95_ms, results[pages[0].label].p95_ms),
        )
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- The report ---------------------------------------------------------------


def _scale_name(scale: int) -> str:
    return f"{scale // 1000}k" if scale % 1000 == 0 else str(scale)


def table(runs: dict[int, dict[str, Result]], labels: list[list[str]]) -> str:
    scales = list(runs)
    head = ["page"]
    for scale in scales:
        name = _scale_name(scale)
        head += [f"{name} req/s", f"{name} share", f"{name} p95 ms"]
    if len(scales) > 1:
        head.append(f"{_scale_name(scales[-1])} share ÷ {_scale_name(scales[0])}")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in zip(*labels, strict=True):
        cells = [row[-1]]
        shares = []
        for scale, label in zip(scales, row, strict=True):
            result = runs[scale][label]
            base = next(iter(runs[scale].values())).rate
            share = result.rate / base if base else 0
            shares.append(share)
            if result.problem and not result.rate:
                cells += [result.problem, "", ""]
                continue
            flag = f" ({result.problem})" if result.problem else ""
            cells += [
                f"{result.rate:,.0f}{flag}",
                f"{share:.1%}",
                f"{result.p95_ms:.0f}",
            ]
        if len(scales) > 1:
            ratio = shares[-1] / shares[0] if shares[0] else 0
            cells.append(f"{ratio:.0%}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1000,100000")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument(
        "--reuse", action="store_true", help="serve a kept database, if there is one"
    )
    args = parser.parse_args()
    # Stopped from outside: unwind, so the gunicorn it started stops too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if not Path(WRK).exists():
        raise SystemExit("wrk is missing: apt-get install wrk")
    scales = [int(s) for s in args.scales.split(",")]
    runs: dict[int, dict[str, Result]] = {}
    labels: list[list[str]] = []
    collected = False
    for scale in scales:
        name = f"factcheck_bench_{scale}"
        env = _environment(args.pg, name)
        if args.reuse and _exists(args.pg, name):
            print(f"== {scale:,} claims: reusing database {name}")
            _manage(env, "migrate", "-v0")  # kept by older code: add new indexes
        else:
            print(f"== {scale:,} claims: building database {name}")
            seconds = build(args.pg, name, scale, env)
            print(f"   generate_load_data --claims {scale}: {seconds:.0f} s")
        if not collected:
            _manage(env, "collectstatic", "--noinput", "-v0")
            collected = True
        targets = prepare(env)
        runs[scale] = measure(env, targets, args)
        labels.append([p.label for p in _pages(targets)])
        if not args.keep:
            _admin(args.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    # Rows are matched by position; the last label names the row.
    print()
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, "
        "gunicorn 2 sync workers, PostgreSQL, DEBUG off"
    )
    print()
    print(table(runs, labels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
