"""A CMS's side of the desk, in one file to copy: push an article, hear back, read.

    python examples/cms.py --desk http://127.0.0.1:8000 --token TOKEN \\
        --secret WHSEC --article seeds/000_cb454b6630152dc4.txt [--port 8765]

1. Push the article: ``POST /api/articles`` with a token (Team -> API tokens; the
   token's user needs to be able to add articles, e.g. an editor).
2. Listen for the desk's webhooks on ``--port`` (an admin registers
   ``http://127.0.0.1:<port>/`` under Team -> Webhooks for "article published" and
   copies its secret here). Every delivery's signature is checked; a bad one gets
   a 400 and is ignored.
3. When the desk publishes this article (an editor does, once its claims are
   checked and approved), read the published verdicts from ``GET /api/published``
   and print them.

Standard library only. ``verify_signature`` is the desk's own check, copied.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import queue
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

TOLERANCE = 300  # seconds: an older signature is a replay


def verify_signature(body: bytes, header: str, secret: str, *, now=None) -> bool:
    """``X-Factcheck-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">``."""
    parts: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return any(hmac.compare_digest(expected, v) for v in parts.get("v1", []))


def call(desk: str, token: str, method: str, path: str, body=None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        desk.rstrip("/") + path,
        data=data,
        method=method,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def push(desk: str, token: str, text: str, **metadata) -> dict:
    """The article as the desk stored it: id, slug, claims."""
    return call(desk, token, "POST", "/api/articles", {"text": text, **metadata})


def listen(port: int, secret: str) -> tuple[HTTPServer, queue.Queue]:
    """A receiver on 127.0.0.1:``port`` that queues every verified event."""
    events: queue.Queue = queue.Queue()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not verify_signature(
                body, self.headers.get("X-Factcheck-Signature", ""), secret
            ):
                self.send_response(400)
                self.end_headers()
                return
            events.put(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):  # quiet
            pass

    server = HTTPServer(("127.0.0.1", port), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, events


def wait_for_publication(events: queue.Queue, article_id: int, timeout: float):
    """The first "article.published" event about ``article_id``, or None."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            event = events.get(timeout=left)
        except queue.Empty:
            return None
        print(f"webhook: {event['type']} {json.dumps(event['data'])}")
        if (
            event["type"] == "article.published"
            and event["data"]["article"]["id"] == article_id
        ):
            return event
    return None


def published_verdicts(desk: str, token: str, slug: str, pages: int = 20) -> dict:
    """This article's published fact-check, from ``GET /api/published``."""
    for page in range(1, pages + 1):
        listing = call(desk, token, "GET", f"/api/published?page={page}")
        for item in listing["items"]:
            if item["slug"] == slug:
                return item
        if page * listing["page_size"] >= listing["count"]:
            break
    raise LookupError(f"{slug} is not among the published fact-checks.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--desk", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True)
    parser.add_argument("--secret", required=True, help="the webhook's secret")
    parser.add_argument("--article", required=True, type=Path)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--wait", type=float, default=3600, help="seconds")
    args = parser.parse_args(argv)

    server, events = listen(args.port, args.secret)
    text = args.article.read_bytes().decode("utf-8", errors="replace")
    article = push(args.desk, args.token, text)
    print(f"pushed: article {article['id']} with {len(article['claims'])} claims")
    print(f"waiting up to {args.wait:.0f} s for the desk to publish it…")
    event = wait_for_publication(events, article["id"], args.wait)
    server.shutdown()
    if event is None:
        print("not published in time", file=sys.stderr)
        return 1
    fact_check = published_verdicts(args.desk, args.token, article["slug"])
    print(f"published: {fact_check['url']}")
    for claim in fact_check["claims"]:
        print(f"  #{claim['n']} {claim['rating']['label']}: {claim['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
