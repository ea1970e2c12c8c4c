"""A killed database connection costs at most the requests in flight.

Settings keep PostgreSQL connections for 60 s (``CONN_MAX_AGE``) and check one before
a request reuses it (``CONN_HEALTH_CHECKS``). Here a request opens the thread's
persistent connection, a second, independent connection terminates that backend
(``pg_terminate_backend``, as a failover, a restart or an idle-session killer would),
and the next requests must still succeed: the check at the start of the request finds
the dead connection and Django opens a new one.

The requests go through ``WSGIHandler``, the application gunicorn calls, in the test's
own thread, so they use the test's ``django.db.connection``. Not the test client: it
disconnects ``close_old_connections`` from ``request_started`` and
``request_finished``, so it never runs the per-request check this test is about.
Without the check (``CONN_HEALTH_CHECKS`` False) the first request after the kill
answers 500.
"""

from __future__ import annotations

import io
import time

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL only: persistent connections and pg_terminate_backend; "
        "SQLite has no server connection to kill",
    ),
    # Autocommit, as in production: no test transaction holds the connection.
    pytest.mark.django_db(transaction=True),
]


def _get(app: WSGIHandler, path: str) -> int:
    """One GET through the WSGI application, as a server worker makes it."""
    status: list[str] = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    body = app(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        b"".join(body)
    finally:
        body.close()  # fires request_finished, as a WSGI server does
    return int(status[0].split()[0])


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(pid: int) -> None:
    """Kill the backend from an independent connection and wait until it is gone."""
    import psycopg

    s = connection.settings_dict
    params = {
        "dbname": s["NAME"],
        "user": s["USER"],
        "password": s["PASSWORD"],
        "host": s["HOST"],
        "port": s["PORT"],
    }
    with psycopg.connect(
        **{k: v for k, v in params.items() if v}, autocommit=True
    ) as killer:
        assert killer.info.backend_pid != pid
        assert killer.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        for _ in range(100):
            row = killer.execute(
                "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]
            ).fetchone()
            if row is None:
                return
            time.sleep(0.05)
    raise AssertionError(f"backend {pid} still alive after pg_terminate_backend")


def test_a_killed_connection_is_replaced_at_the_next_request():
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    app = WSGIHandler()

    assert _get(app, "/healthz") == 200
    pid = _backend_pid()
    assert _get(app, "/healthz") == 200
    assert _backend_pid() == pid, "the connection should persist between requests"

    _terminate(pid)

    with CaptureQueriesContext(connection) as queries:
        assert _get(app, "/healthz") == 200
    assert any(q["sql"] == "SELECT 1" for q in queries), "the request used the DB"
    new_pid = _backend_pid()
    assert new_pid != pid
    for path in ("/healthz", "/fact-checks/", "/healthz"):
        assert _get(app, path) == 200, path
    assert _backend_pid() == new_pid, "the new connection persists in turn"
