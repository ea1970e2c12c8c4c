"""A bounded load on loopback: several clients, the queue and a public page, no errors.

The live server serves a small generated archive while client threads, each with
its own connection, load the signed-in queue and a public summary page for
``FACTCHECK_LOAD_SECONDS`` (default 30) in total. Every answer must be a 200.
"""

from __future__ import annotations

import http.client
import os
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from factcheck import load_data
from factcheck.models import Article, User

pytestmark = pytest.mark.django_db(transaction=True)
CLIENTS = 6
SECONDS = float(os.environ.get("FACTCHECK_LOAD_SECONDS", "30"))


def _load(address, paths, cookie, deadline, statuses, problems, lock) -> None:
    connection = http.client.HTTPConnection(*address, timeout=60)
    n = 0
    try:
        while time.monotonic() < deadline:
            path, signed_in = paths[n % len(paths)]
            n += 1
            try:
                connection.request(
                    "GET", path, headers={"Cookie": cookie} if signed_in else {}
                )
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                with lock:
                    problems.append(f"{path}: {exc!r}")
                continue
            with lock:
                statuses[(path, status)] += 1
    finally:
        connection.close()


def test_several_clients_load_the_queue_and_a_public_page(live_server):
    load_data.generate(200, seed=5, progress=False)
    editor = User.objects.get(username="load-editor-01")
    client = Client()
    client.force_login(editor)
    cookie = f"{settings.SESSION_COOKIE_NAME}="
    cookie += client.cookies[settings.SESSION_COOKIE_NAME].value
    published = Article.objects.published().order_by("pk").first()
    paths = [("/queue/", True), (f"/fact-checks/{published.slug}/", False)]
    url = urlsplit(live_server.url)
    statuses: Counter = Counter()
    problems: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    threads = [
        threading.Thread(
            target=_load,
            args=(
                (url.hostname, url.port),
                paths[n % 2 :] + paths[: n % 2],  # half the clients start public
                cookie,
                deadline,
                statuses,
                problems,
                lock,
            ),
        )
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 120)

    assert problems == []
    assert {status for _path, status in statuses} == {200}, statuses
    for path, _signed_in in paths:
        assert statuses[(path, 200)] >= CLIENTS // 2, statuses
