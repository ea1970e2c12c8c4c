"""Peak memory (RSS) of the two biggest single jobs: ingesting and exporting.

    .venv/bin/python bench/memory_peaks.py [--rows 100000,1000000]

Each measurement runs in a subprocess of its own, which reports its peak resident
set size (``resource.getrusage``, ``ru_maxrss``) once Django is set up and warmed
up (the baseline) and again after the job (the peak):

- ingest: ``workflow.create_article`` of a composed article just under the size
  limit (``FACTCHECK["MAX_ARTICLE_BYTES"]``, 1 MB by default), after a warm-up
  ingestion of a small one that loads the scorer and the embedding model;
- export: the streamed CSV of the whole audit log (GET ``/audit/export.csv``
  through the test client, signed in as an editor, every chunk consumed and
  dropped) at each row count of ``--rows``. The rows are a generated archive's
  events (``generate_load_data``) copied until the table holds that many (copies
  get unique hashes; the chain is not meant to verify).

SQLite in a temporary directory: the export reads rows in chunks
(``iterator(chunk_size=...)``) on SQLite as on PostgreSQL, which uses a server-side
cursor instead; the app's memory is what is measured. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
COPIED = (
    "at, actor_id, actor_label, action, article_id, claim_id, subject_user_id, "
    "summary, data, request_id, prev_hash"
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def _environment(db: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        FACTCHECK_DB_PATH=str(db),
        FACTCHECK_TESTING="1",  # plain static storage, a development key
        DEBUG="0",
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="factcheck.settings",
    )
    return env


# --- In the child process -----------------------------------------------------


def _setup() -> None:
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def child_ingest() -> dict:
    _setup()
    from django.conf import settings

    from factcheck import load_data, workflow
    from factcheck.models import User

    author = User.objects.get(username="load-reviewer-01")
    rng = random.Random(0)
    workflow.create_article(
        actor=author, raw=load_data.compose_text(rng, 20), metadata={}
    )
    baseline = _peak_mb()
    limit = int(settings.FACTCHECK["MAX_ARTICLE_BYTES"])
    text = ""
    while True:  # whole composed articles until the next would pass the limit
        more = load_data.compose_text(rng, 200)
        if len((text + more).encode()) > limit:
            break
        text += more
    started = time.perf_counter()
    raw = text.encode()
    article = workflow.create_article(actor=author, raw=raw, metadata={})
    claims = article.claims.count()
    return {
        "job": f"ingest {len(raw):,} bytes ({claims:,} claims)",
        "baseline": baseline,
        "peak": _peak_mb(),
        "seconds": time.perf_counter() - started,
    }


def child_export() -> dict:
    _setup()
    from django.test import Client

    from factcheck.models import AuditEvent, User

    client = Client()
    client.force_login(User.objects.get(username="load-editor-01"))
    client.get("/healthz")
    rows = AuditEvent.objects.count()
    baseline = _peak_mb()
    started = time.perf_counter()
    response = client.get("/audit/export.csv")
    assert response.status_code == 200 and response.streaming
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    return {
        "job": f"export {rows:,} audit rows ({size / 1e6:,.0f} MB of CSV)",
        "baseline": baseline,
        "peak": _peak_mb(),
        "seconds": time.perf_counter() - started,
        "lines": lines,
    }


# --- In the parent ---------------------------------------------------------------


def _run_child(job: str, env: dict) -> dict:
    out = subprocess.run(
        [PYTHON, __file__, "--child", job],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("PEAK "))
    return json.loads(line.removeprefix("PEAK "))


def _grow_audit_log(db: Path, rows: int) -> None:
    """Copy events until the table holds ``rows``; each copy gets a unique hash."""
    table = "factcheck_auditevent"
    with sqlite3.connect(db) as conn:
        while True:
            count, last = conn.execute(
                f"SELECT COUNT(*), MAX(id) FROM {table}"
            ).fetchone()
            if count >= rows:
                return
            conn.execute(
                f"INSERT INTO {table} ({COPIED}, hash) "
                f"SELECT {COPIED}, printf('%032x%032x', ?, id) FROM {table} "
                f"WHERE id <= ? ORDER BY id LIMIT ?",
                [last, last, rows - count],  # (last, id): unique in every pass
            )
            conn.commit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000,1000000")
    parser.add_argument("--child", choices=["ingest", "export"])
    args = parser.parse_args()
    if args.child:
        result = child_ingest() if args.child == "ingest" else child_export()
        print("PEAK " + json.dumps(result))
        return 0
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "memory.sqlite3"
        env = _environment(db)
        for command in (
            ["migrate", "-v0"],
            ["generate_load_data", "--claims", "2000", "--force", "--no-progress"],
        ):
            subprocess.run(
                [PYTHON, "manage.py", *command],
                cwd=REPO,
                env=env,
                check=True,
                capture_output=True,
            )
        results.append(_run_child("ingest", env))
        print(results[-1], flush=True)
        for rows in (int(r) for r in args.rows.split(",")):
            _grow_audit_log(db, rows)
            results.append(_run_child("export", env))
            print(results[-1], flush=True)
    print()
    print("| job | baseline RSS MB | peak RSS MB | growth MB | seconds |")
    print("|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['job']} | {r['baseline']:.0f} | {r['peak']:.0f} | "
            f"{r['peak'] - r['baseline']:.0f} | {r['seconds']:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
