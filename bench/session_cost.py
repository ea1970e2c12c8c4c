"""What a signed-in session costs a trivial request, per session-saving policy.

    .venv/bin/python bench/session_cost.py [--requests N] [--rounds R]

In one run, on a fresh SQLite database in a temporary directory, the Django test
client (in process, the whole middleware stack) alternates rounds of GET
``/healthz``: anonymous (no session), then signed in with
``SESSION_SAVE_EVERY_REQUEST = True`` (the session row rewritten on every request,
the old setting), then signed in with the desk's setting (``SlidingSessionMiddleware``:
the expiry moved at most every five minutes). It prints requests/s of each (best
round) and each signed-in rate as a share of the anonymous one. Numbers are noisy
on a shared machine; the ratios within one run are what to compare.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from public_throughput import configure_django  # bench/ is on sys.path when run

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _rate(client, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        if client.get("/healthz").status_code != 200:
            raise SystemExit("/healthz did not answer 200")
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        configure_django(tmp)
        from django.test import Client, override_settings

        from factcheck import people
        from factcheck.roles import Role, sync_roles

        sync_roles()
        user = people.create_user(
            actor=None,
            username="bench-reviewer",
            password="bench-pass-2026",
            roles=[Role.REVIEWER],
            email="r@bench.example",
        )
        anonymous, signed_in = Client(), Client()
        signed_in.force_login(user)
        best = {"anonymous": 0.0, "save every request": 0.0, "sliding": 0.0}
        for _ in range(args.rounds):
            best["anonymous"] = max(best["anonymous"], _rate(anonymous, args.requests))
            with override_settings(SESSION_SAVE_EVERY_REQUEST=True):
                rate = _rate(signed_in, args.requests)
            best["save every request"] = max(best["save every request"], rate)
            best["sliding"] = max(best["sliding"], _rate(signed_in, args.requests))
        base = best["anonymous"]
        for name, rate in best.items():
            print(f"{name:>20}: {rate:8.0f} req/s  {rate / base:6.1%} of anonymous")


if __name__ == "__main__":
    main()
