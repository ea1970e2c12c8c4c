"""Throughput of the public summary page relative to a trivial Django view.

    .venv/bin/python bench/public_throughput.py [--requests N] [--rounds R] [--gunicorn]

In one run: a fresh SQLite database in a temporary directory; the demo people and
the sample article from ``seeds/`` created through ``people``/``workflow`` (every
claim approved, then published); then the Django test client, in process, through
the whole middleware stack, alternates rounds of GET ``/healthz`` (one ``SELECT 1``)
and GET ``/fact-checks/<slug>/`` (one state query plus the per-version cache). It
prints requests/s of both (best round of each) and the ratio; the target is ≥ 70%.
With ``--gunicorn`` the same database is served by gunicorn (2 sync workers) on
127.0.0.1 and a small threaded HTTP client measures both URLs over loopback.
Exit status 1 when the ratio is below the target. Numbers are noisy on a shared
machine: run it when nothing else is.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
TARGET = 0.70


def configure_django(tmp: str) -> None:
    """Django on a fresh, migrated SQLite database in ``tmp`` (session_cost.py too)."""
    os.environ["FACTCHECK_DB_PATH"] = str(Path(tmp) / "bench.sqlite3")
    os.environ["FACTCHECK_TESTING"] = "1"  # plain static storage, no TLS redirect
    os.environ.setdefault("DEBUG", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "factcheck.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _setup(tmp: str) -> str:
    configure_django(tmp)
    return _publish_sample()


def _publish_sample() -> str:
    from factcheck import people, workflow
    from factcheck.models import Rating
    from factcheck.roles import Role, sync_roles

    sync_roles()
    reviewer = people.create_user(
        actor=None,
        username="bench-reviewer",
        password="bench-pass-2026",
        roles=[Role.REVIEWER],
        email="r@bench.example",
    )
    editor = people.create_user(
        actor=None,
        username="bench-editor",
        password="bench-pass-2026",
        roles=[Role.EDITOR],
        email="e@bench.example",
    )
    seed = sorted((REPO / "seeds").glob("*.txt"))[0]
    article = workflow.create_article(
        actor=reviewer,
        raw=seed.read_bytes(),
        filename=seed.name,
        metadata={"outlet": "Sample wire", "original_url": "https://wire.example/a"},
    )
    scale = list(Rating.objects.filter(active=True).order_by("order"))
    for i, claim in enumerate(article.claims.order_by("start")):
        claim = workflow.take_claim(claim, actor=reviewer)
        workflow.add_source(
            claim, actor=reviewer, url=f"https://src.example/{i}", title=f"Source {i}"
        )
        workflow.submit_verdict(
            claim,
            actor=reviewer,
            rating=scale[i % len(scale)],
            rationale=f"Claim {i}: **checked** against the record.",
        )
        workflow.approve_verdict(claim, actor=editor)
    workflow.publish_article(article, actor=editor)
    print(f"Published {article.slug}: {article.claims.count()} claims")
    return article.slug


def _rate(client, url: str, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return n / (time.perf_counter() - start)


def _http_rate(port: int, path: str, n: int, threads: int = 4) -> float:
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    def batch(count: int) -> None:
        for _ in range(count):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path, headers={"Host": "localhost"})
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                raise SystemExit(f"{path} answered {response.status}")

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(batch, [n // threads] * threads))
    return (n // threads * threads) / (time.perf_counter() - start)


def _gunicorn(slug: str, args) -> dict[str, float]:
    import socket
    import subprocess

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "factcheck.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env={**os.environ},
    )
    try:
        for _ in range(100):
            try:
                _http_rate(port, "/healthz", 4)
                break
            except OSError:
                time.sleep(0.1)
        summary, health = f"/fact-checks/{slug}/", "/healthz"
        _http_rate(port, summary, 100)  # warm up both workers' caches
        best = {summary: 0.0, health: 0.0}
        for _ in range(args.rounds):
            for url in (health, summary):
                best[url] = max(best[url], _http_rate(port, url, args.requests))
        return {"summary": best[summary], "health": best[health]}
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--gunicorn", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        slug = _setup(tmp)
        if args.gunicorn:
            return _report(**_gunicorn(slug, args))
        from django.test import Client

        client = Client()
        summary, health = f"/fact-checks/{slug}/", "/healthz"
        _rate(client, summary, 50)  # warm up: fills the per-version cache
        _rate(client, health, 50)
        best = {summary: 0.0, health: 0.0}
        for _ in range(args.rounds):
            for url in (health, summary):
                best[url] = max(best[url], _rate(client, url, args.requests))
    return _report(summary=best[summary], health=best[health])


def _report(*, summary: float, health: float) -> int:
    ratio = summary / health
    print(f"healthz        {health:8.0f} req/s")
    print(f"summary page   {summary:8.0f} req/s")
    verdict = "OK" if ratio >= TARGET else "BELOW TARGET"
    print(f"ratio          {ratio:8.0%}  (target ≥ {TARGET:.0%}: {verdict})")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
