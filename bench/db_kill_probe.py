"""What killing every database connection costs a running desk (a probe, not a CI test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/connprobe_scratch \\
        .venv/bin/python bench/db_kill_probe.py [--requests 600] [--concurrency 8]

Creates the database if it is missing and migrates it, then serves the app with
gunicorn (2 sync workers, 127.0.0.1, a free port) exactly as in production:
persistent connections (``CONN_MAX_AGE`` 60) checked before reuse
(``CONN_HEALTH_CHECKS``). ``--concurrency`` client threads send ``--requests`` GETs,
alternating ``/healthz`` (``SELECT 1``) and ``/fact-checks/`` (a query and a template).
When half of them have been answered, a separate connection runs
``pg_terminate_backend`` on every other client backend of that database (what a
failover, a restart or an idle-session killer does). It prints the total, the 5xx
answers and how many requests were in flight (sent, not yet answered) at the kill.

The promise is "a killed connection costs at most the requests in flight": every
request that starts after the kill finds the dead connection in the health check and
reconnects. Exit status 1 when a request answers 5xx (or fails) that started after
the kill. The database is a scratch one: this writes its tables.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PATHS = ("/healthz", "/fact-checks/")


def _connect(db: dict, dbname: str | None = None):
    import psycopg

    params = {
        "dbname": dbname or db["NAME"],
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "host": db.get("HOST"),
        "port": db.get("PORT"),
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)


def _prepare(db: dict, env: dict) -> None:
    from psycopg import sql

    with _connect(db, "postgres") as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if not exists:
            admin.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"]))
            )
    manage = [sys.executable, "manage.py", "migrate", "--verbosity", "0"]
    subprocess.run(manage, cwd=REPO, env=env, check=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": "localhost"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _wait_until_serving(port: int, server, log) -> None:
    for _ in range(300):
        if server.poll() is not None:
            break
        try:
            _get(port, "/healthz")
            return
        except OSError:
            time.sleep(0.1)
    log.seek(0)
    raise SystemExit(f"gunicorn did not start:\n{log.read()[-3000:]}")


def _app_backends(killer) -> list[int]:
    return [
        pid
        for (pid,) in killer.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchall()
    ]


def _load(port: int, db: dict, total: int, concurrency: int) -> dict:
    lock = threading.Lock()
    state = {"next": 0, "done": 0, "in_flight": 0}
    results = []  # (sequence number, started before the kill, status or error)
    killed = threading.Event()
    report: dict = {}

    def client() -> None:
        while True:
            with lock:
                seq = state["next"]
                if seq >= total:
                    return
                state["next"] += 1
                state["in_flight"] += 1
                before_kill = not killed.is_set()
            try:
                outcome = _get(port, PATHS[seq % len(PATHS)])
            except OSError as exc:
                outcome = type(exc).__name__
            with lock:
                state["in_flight"] -= 1
                state["done"] += 1
                results.append((seq, before_kill, outcome))

    with _connect(db) as killer:
        threads = [threading.Thread(target=client) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        while state["done"] < total // 2:
            time.sleep(0.001)
        with lock:  # no request starts or ends while the backends are killed
            pids = _app_backends(killer)
            for pid in pids:
                killer.execute("SELECT pg_terminate_backend(%s)", [pid])
            killed.set()
            report["in_flight"] = state["in_flight"]
            report["killed"] = len(pids)
        for thread in threads:
            thread.join()
        report["backends_after"] = len(_app_backends(killer))

    def bad(outcome) -> bool:
        return not isinstance(outcome, int) or outcome >= 500

    report["total"] = len(results)
    report["5xx"] = sum(1 for _, _, o in results if bad(o))
    report["5xx_after_kill"] = sum(1 for _, b, o in results if bad(o) and not b)
    report["outcomes"] = sorted({str(o) for _, _, o in results})
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL to a scratch PostgreSQL database.")
    import dj_database_url

    db = dj_database_url.parse(url)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "factcheck.settings",
        "SECRET_KEY": "db-kill-probe-only-" + "x" * 40,
        "DEBUG": "0",
        "FACTCHECK_TESTING": "1",  # plain static storage: no collectstatic needed
    }
    _prepare(db, env)
    port = _free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "factcheck.wsgi:application"]
    gunicorn += ["--workers", "2", "--bind", f"127.0.0.1:{port}"]
    with tempfile.TemporaryFile("w+") as log:  # the server's errors (500 tracebacks)
        server = subprocess.Popen(
            [*gunicorn, "--log-level", "warning"], cwd=REPO, env=env, stderr=log
        )
        try:
            _wait_until_serving(port, server, log)
            for _ in range(20):  # warm up: both workers hold a connection
                _get(port, PATHS[1])
            r = _load(port, db, args.requests, args.concurrency)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"requests total        {r['total']}")
    after = r["5xx_after_kill"]
    print(f"5xx or failed         {r['5xx']} ({after} started after the kill)")
    flight = r["in_flight"]
    print(f"in flight at the kill {flight} (sent, not answered; 2 workers, 1 each)")
    print(
        f"backends killed       {r['killed']} (app backends after the run: "
        f"{r['backends_after']})"
    )
    print(f"outcomes              {', '.join(r['outcomes'])}")
    return 1 if after else 0


if __name__ == "__main__":
    sys.exit(main())
