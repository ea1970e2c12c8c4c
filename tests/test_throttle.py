"""The throttle's counter: at most ``limit`` uses a window on every shared cache.

It claims numbered slots with ``cache.add`` (atomic on Redis, the database cache and
local memory), so the limit holds under concurrency too; proved with threads on the
database cache (PostgreSQL serialises the competing inserts for real) and Redis.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from factcheck import throttle

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}
DATABASE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "factcheck_throttle_test",
}
REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:6379/0",
}


def _redis_or_skip() -> dict:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    # A prefix of its own: never clear() a Redis database others may share.
    return {**REDIS, "KEY_PREFIX": f"test-throttle-{uuid.uuid4().hex}"}


def _uses(limit: int, attempts: int) -> list[bool]:
    return [throttle.take("uses", limit) for _ in range(attempts)]


@pytest.fixture(params=["locmem", "database", "redis"])
def backend(request):
    if request.param == "locmem":
        config = {**LOCMEM, "LOCATION": f"throttle-{uuid.uuid4().hex}"}
    elif request.param == "database":
        request.getfixturevalue("db")
        config = DATABASE
    else:
        config = _redis_or_skip()
    with override_settings(CACHES={"default": LOCMEM, "throttle": config}):
        if request.param == "database":
            call_command("createcachetable", verbosity=0)
        yield request.param


def test_at_most_limit_uses_a_window(backend):
    assert _uses(3, 5) == [True, True, True, False, False]
    # Each name has its own count.
    assert throttle.take("other", 3)


def test_a_zero_limit_refuses_everything(backend):
    assert _uses(0, 2) == [False, False]


def test_a_new_window_starts_afresh(backend, monkeypatch):
    assert _uses(1, 2) == [True, False]

    later = throttle.time.time() + throttle.WINDOW_SECONDS
    monkeypatch.setattr(throttle.time, "time", lambda: later)

    assert _uses(1, 2) == [True, False]


def test_a_forgotten_hint_does_not_reopen_used_slots(backend):
    assert _uses(2, 2) == [True, True]
    window = int(throttle.time.time()) // throttle.WINDOW_SECONDS
    hint = f"throttle:uses:{window}"
    assert caches["throttle"].get(hint) == 2
    caches["throttle"].delete(hint)

    assert _uses(2, 1) == [False]


def _race(limit: int, threads: int) -> int:
    wins, start = [], threading.Barrier(threads)

    def use():
        start.wait()
        try:
            if throttle.take("race", limit):
                wins.append(1)
        finally:
            connection.close()

    workers = [threading.Thread(target=use) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    return len(wins)


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    # SQLite serialises writers anyway; its shared in-memory test database answers
    # concurrent threads with "table is locked" instead of waiting.
    reason="real concurrency needs PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_uses_never_exceed_the_limit_on_the_database_cache():
    with override_settings(CACHES={"default": LOCMEM, "throttle": DATABASE}):
        call_command("createcachetable", verbosity=0)
        try:
            assert _race(limit=3, threads=12) == 3
        finally:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE factcheck_throttle_test")


def test_concurrent_uses_never_exceed_the_limit_on_redis():
    with override_settings(CACHES={"default": LOCMEM, "throttle": _redis_or_skip()}):
        assert _race(limit=3, threads=12) == 3
