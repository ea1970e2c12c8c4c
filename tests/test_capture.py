"""Source capture: a new source's page is fetched from a real local server, kept as
text (HTML and PDF), its excerpt checked, every SSRF route refused, limits enforced,
and the snapshot served as plain text only."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from factcheck import capture, safe_http, workflow
from factcheck.audit import AuditAction
from factcheck.models import (
    Approval,
    AuditEvent,
    ClaimState,
    ExcerptStatus,
    SourceSnapshot,
)
from factcheck.roles import Role
from factcheck.tasks import capture_source

from .factories import make_claim, make_service_account, rating

pytestmark = pytest.mark.django_db

ARTICLE = b"""<!doctype html><html><head><title>Trade in 2025</title>
<script>document.write("injected")</script><style>p{}</style></head><body>
<nav><a href="/">Home</a> <a href="/about">About us</a></nav>
<article><h1>Trade in 2025</h1>
<p>The statistics office said on Monday that exports fell by 2 percent in 2025,
the first fall since 2019.</p>
<p>Imports, by contrast, rose by 3.5 percent over the same period, driven by energy
and machinery, according to the office's annual report.</p>
<p>The minister had claimed in a speech that exports rose by 40 percent.</p>
</article><footer>Copyright the office</footer></body></html>"""
FOUND_EXCERPT = "“Exports   fell by 2 percent in 2025,” the first fall since 2019"


def _pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` in Helvetica, with a real xref table."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


class Site:
    """An HTTP server on 127.0.0.1 in a thread serving ``routes``: path ->
    (status, headers, body); it keeps the requests it got (path, Host header)."""

    def __init__(self, routes: dict[str, tuple[int, dict, bytes]]):
        self.routes = routes
        self.requests: list[tuple[str, str]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                site.requests.append((self.path, self.headers.get("Host", "")))
                status, headers, body = site.routes.get(
                    self.path, (404, {"Content-Type": "text/html"}, b"Not found")
                )
                self.send_response(status)
                for key, value in headers.items():
                    if key.startswith("_"):
                        continue  # an instruction to the handler, not a header
                    self.send_header(key, value.replace("{base}", site.base))
                if "Content-Length" not in headers and not headers.get("_stream"):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def capturing(settings):
    """Capture on, 127.0.0.1 allowed (the test server), small limits."""
    settings.FACTCHECK = {
        **settings.FACTCHECK,
        "CAPTURE_SOURCES": True,
        "CAPTURE_ALLOWED_HOSTS": ["127.0.0.1"],
        "CAPTURE_MAX_BYTES": 100_000,
        "CAPTURE_TIMEOUT": 5.0,
        "CAPTURE_MAX_REDIRECTS": 3,
    }


@pytest.fixture
def claim(reviewer):
    return make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)


def _add(claim, reviewer, url, excerpt, on_commit):
    with on_commit(execute=True):
        source = workflow.add_source(
            claim, actor=reviewer, url=url, title="Trade report", excerpt=excerpt
        )
    return source


# --- Capture on add ---------------------------------------------------------------


def test_adding_a_source_captures_its_main_text_and_finds_the_excerpt(
    capturing, claim, reviewer, django_capture_on_commit_callbacks
):
    with Site({"/trade": (200, HTML, ARTICLE)}) as site:
        source = _add(
            claim,
            reviewer,
            f"{site.base}/trade",
            FOUND_EXCERPT,
            django_capture_on_commit_callbacks,
        )
    snapshot = SourceSnapshot.objects.get(source=source)
    assert snapshot.error == ""
    assert snapshot.status_code == 200
    assert snapshot.final_url == f"{site.base}/trade"
    assert snapshot.content_type == "text/html"
    assert snapshot.sha256 == hashlib.sha256(ARTICLE).hexdigest()
    assert snapshot.size == len(ARTICLE)
    assert "exports fell by 2 percent in 2025" in snapshot.text
    # The main text only: no script, no navigation.
    assert "injected" not in snapshot.text and "About us" not in snapshot.text
    assert snapshot.excerpt_status == ExcerptStatus.FOUND
    assert snapshot.excerpt_score == 100.0
    event = AuditEvent.objects.get(action=AuditAction.SOURCE_CAPTURED)
    assert event.actor is None and event.actor_label == "system"
    assert event.claim_id == claim.pk
    assert event.data["sha256"] == snapshot.sha256
    assert event.data["excerpt"] == "found"


def test_an_excerpt_that_is_not_on_the_page_is_flagged(
    capturing, claim, reviewer, django_capture_on_commit_callbacks
):
    with Site({"/trade": (200, HTML, ARTICLE)}) as site:
        source = _add(
            claim,
            reviewer,
            f"{site.base}/trade",
            "Exports rose by 40 percent in 2025, the best year since records began.",
            django_capture_on_commit_callbacks,
        )
    snapshot = source.snapshots.get()
    assert snapshot.excerpt_status == ExcerptStatus.NOT_FOUND
    assert snapshot.excerpt_score < capture.FUZZY_THRESHOLD


def test_a_pdf_source_is_reduced_to_text(
    capturing, claim, reviewer, django_capture_on_commit_callbacks
):
    pdf = _pdf("Unemployment fell to 4.1 percent in the fourth quarter.")
    routes = {"/report.pdf": (200, {"Content-Type": "application/pdf"}, pdf)}
    with Site(routes) as site:
        source = _add(
            claim,
            reviewer,
            f"{site.base}/report.pdf",
            "unemployment fell to 4.1 percent",
            django_capture_on_commit_callbacks,
        )
    snapshot = source.snapshots.get()
    assert snapshot.error == ""
    assert snapshot.content_type == "application/pdf"
    assert "Unemployment fell to 4.1 percent" in snapshot.text
    assert snapshot.sha256 == hashlib.sha256(pdf).hexdigest()
    assert snapshot.excerpt_status == ExcerptStatus.FOUND


def test_a_redirect_is_followed_and_the_final_url_kept(
    capturing, claim, reviewer, django_capture_on_commit_callbacks
):
    routes = {
        "/old": (301, {"Location": "/moved"}, b""),
        "/moved": (302, {"Location": "{base}/trade"}, b""),
        "/trade": (200, HTML, ARTICLE),
    }
    with Site(routes) as site:
        source = _add(
            claim,
            reviewer,
            f"{site.base}/old",
            FOUND_EXCERPT,
            django_capture_on_commit_callbacks,
        )
    snapshot = source.snapshots.get()
    assert [path for path, _ in site.requests] == ["/old", "/moved", "/trade"]
    assert snapshot.url == f"{site.base}/old"
    assert snapshot.final_url == f"{site.base}/trade"
    assert snapshot.excerpt_status == ExcerptStatus.FOUND


def test_a_missing_page_is_a_failed_capture_with_its_reason(
    capturing, claim, reviewer, django_capture_on_commit_callbacks, client
):
    with Site({}) as site:
        source = _add(
            claim,
            reviewer,
            f"{site.base}/gone",
            "anything",
            django_capture_on_commit_callbacks,
        )
    snapshot = source.snapshots.get()
    assert snapshot.status_code == 404
    assert snapshot.error == "The page answered 404."
    assert snapshot.excerpt_status == ExcerptStatus.NOT_CAPTURED
    client.force_login(reviewer)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "Capture failed: The page answered 404." in page
    url = reverse("source-snapshot", args=[source.pk])
    assert url not in page
    assert client.get(url).status_code == 404


def test_nothing_is_fetched_when_capture_is_off(
    claim, reviewer, django_capture_on_commit_callbacks
):
    with Site({"/trade": (200, HTML, ARTICLE)}) as site:
        _add(
            claim,
            reviewer,
            f"{site.base}/trade",
            "",
            django_capture_on_commit_callbacks,
        )
    assert site.requests == []
    assert not SourceSnapshot.objects.exists()


def test_a_source_removed_before_its_capture_gets_no_snapshot(
    capturing, claim, reviewer
):
    with Site({"/trade": (200, HTML, ARTICLE)}) as site:
        source = workflow.add_source(
            claim, actor=reviewer, url=f"{site.base}/trade", title="Trade"
        )
        workflow.remove_source(source, actor=reviewer)
        assert capture_source.call(source.pk) is None
    assert site.requests == []
    assert not SourceSnapshot.objects.exists()


# --- SSRF: every refusal ----------------------------------------------------------


def _get(url, **kw):
    limits = {"max_bytes": 100_000, "timeout": 5.0, "content_types": {"text/html"}}
    return safe_http.get(url, **{**limits, **kw})


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/trade",  # loopback
        "http://127.1.2.3:{port}/trade",
        "http://[::1]:{port}/trade",
        "http://[::ffff:127.0.0.1]:{port}/trade",  # loopback, IPv4-mapped
        "http://10.0.0.1/",  # private ranges
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://[fd12:3456::1]/",
        "http://169.254.169.254/latest/meta-data/",  # link-local / metadata
        "http://[fe80::1]/",
        "http://[fd00:ec2::254]/",
        "http://100.100.100.200/",
        "http://0.0.0.0:{port}/",
    ],
)
def test_private_loopback_and_metadata_addresses_are_refused(url):
    with Site({"/trade": (200, HTML, ARTICLE)}) as site:
        with pytest.raises(safe_http.UnsafeDestination):
            _get(url.format(port=site.port))
    assert site.requests == []


def test_metadata_stays_refused_even_for_an_allowed_host():
    with pytest.raises(safe_http.UnsafeDestination, match="metadata"):
        _get("http://169.254.169.254/", allowed_hosts=["169.254.169.254"])


@pytest.mark.parametrize(
    "target",
    ["http://10.0.0.1/admin", "http://169.254.169.254/latest/meta-data/", "{base}/x"],
)
def test_a_redirect_to_a_refused_address_is_refused(target, monkeypatch):
    """The first hop is a public name (pinned to the test server); the redirect goes
    to a private or metadata address, or back to the loopback server by address."""
    with Site({"/r": (302, {"Location": target}, b"")}) as site:
        _resolve_to(monkeypatch, {"news.example": "127.0.0.1"})
        with pytest.raises(safe_http.UnsafeDestination):
            _get(f"http://news.example:{site.port}/r", allowed_hosts=["news.example"])
    assert [path for path, _ in site.requests] == ["/r"]


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "http://[::1", "gopher://127.0.0.1:70/"]
)
def test_a_redirect_to_something_other_than_a_web_address_is_refused(
    capturing, location
):
    with Site({"/r": (302, {"Location": location}, b"")}) as site:
        result = capture.fetch(f"{site.base}/r")
    assert result.error in (
        "Give an http:// or https:// address.",
        "This is not a valid web address.",
    )
    assert result.text == "" and result.status_code is None


def test_a_redirect_loop_stops(capturing):
    loop = {"/a": (302, {"Location": "/b"}, b""), "/b": (302, {"Location": "/a"}, b"")}
    with Site(loop) as site:
        result = capture.fetch(f"{site.base}/a")
    assert result.error == "More than 3 redirects."
    assert len(site.requests) == 4


def _resolve_to(monkeypatch, names: dict[str, str]) -> list[str]:
    """Make DNS answer ``names`` (name -> address); the names asked are recorded."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def fake(host, port, *args, **kw):
        if host in names:
            asked.append(host)
            return real(names[host], port, *args, **kw)
        return real(host, port, *args, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return asked


def test_a_name_resolving_to_loopback_is_refused(monkeypatch):
    """DNS rebinding: a public-looking name that answers with a private address."""
    with Site({"/trade": (200, HTML, ARTICLE)}) as site:
        _resolve_to(monkeypatch, {"rebind.example": "127.0.0.1"})
        with pytest.raises(safe_http.UnsafeDestination, match="private or loopback"):
            _get(f"http://rebind.example:{site.port}/trade")
    assert site.requests == []


def test_the_name_is_resolved_once_and_the_checked_address_is_used(monkeypatch):
    """A second DNS answer cannot swap the address: the connection goes to the one
    that was checked, with the name in the Host header."""
    with Site({"/trade": (200, HTML, ARTICLE)}) as site:
        asked = _resolve_to(monkeypatch, {"news.example": "127.0.0.1"})
        response = _get(
            f"http://news.example:{site.port}/trade", allowed_hosts=["news.example"]
        )
    assert response.status == 200 and response.body == ARTICLE
    assert asked == ["news.example"]
    assert site.requests == [("/trade", f"news.example:{site.port}")]


# --- Limits -----------------------------------------------------------------------


def test_a_body_over_the_size_cap_is_refused(capturing, settings):
    settings.FACTCHECK = {**settings.FACTCHECK, "CAPTURE_MAX_BYTES": 1_000}
    big = b"<p>" + b"x" * 5_000 + b"</p>"
    routes = {
        "/declared": (200, HTML, big),
        # No Content-Length: the cap holds while reading.
        "/streamed": (200, {**HTML, "_stream": "1"}, big),
    }
    with Site(routes) as site:
        for path in routes:
            result = capture.fetch(f"{site.base}{path}")
            assert result.error == "The body is larger than 1000 bytes.", path
            assert result.text == ""


def test_a_content_type_that_is_not_captured_is_refused(capturing):
    routes = {
        "/image": (200, {"Content-Type": "image/png"}, b"\x89PNG...."),
        "/none": (200, {}, b"<p>no type</p>"),
    }
    with Site(routes) as site:
        assert capture.fetch(f"{site.base}/image").error == (
            "Content type image/png is not captured."
        )
        assert capture.fetch(f"{site.base}/none").error == (
            "Content type none is not captured."
        )


# --- The excerpt check ------------------------------------------------------------


@pytest.mark.parametrize(
    ("excerpt", "status"),
    [
        ("exports fell by 2 percent", ExcerptStatus.FOUND),
        ("\u201cExports\n fell  by 2 PERCENT\u201d", ExcerptStatus.FOUND),
        ("Exports fel by 2 percnt in 2025", ExcerptStatus.FOUND),  # small typos
        ("The office said … exports fell by 2 percent", ExcerptStatus.FOUND),
        ("Exports fell by 20 percent in 2024 and 2023", ExcerptStatus.NOT_FOUND),
        ("Unemployment rose sharply", ExcerptStatus.NOT_FOUND),
        ("   ", ExcerptStatus.NO_EXCERPT),
    ],
)
def test_excerpt_check(excerpt, status):
    text = (
        "The office said on Monday that \u2018exports fell by 2 percent\u2019 in 2025."
    )
    assert capture.check_excerpt(excerpt, text)[0] == status


def test_an_uncaptured_source_has_no_excerpt_verdict():
    assert capture.check_excerpt("anything", None) == (
        ExcerptStatus.NOT_CAPTURED,
        None,
    )


# --- The snapshot, shown -----------------------------------------------------------


def test_the_workspace_shows_the_status_and_the_snapshot_is_plain_text_only(
    capturing, claim, reviewer, django_capture_on_commit_callbacks, client
):
    hostile = b"<script>alert(1)</script> exports fell by 2 percent"
    routes = {"/raw.txt": (200, {"Content-Type": "text/plain"}, hostile)}
    with Site(routes) as site:
        source = _add(
            claim,
            reviewer,
            f"{site.base}/raw.txt",
            "exports fell by 2 percent",
            django_capture_on_commit_callbacks,
        )
    client.force_login(reviewer)
    page = client.get(claim.get_absolute_url()).content.decode()
    url = reverse("source-snapshot", args=[source.pk])
    assert "excerpt found on the page" in page
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    body = response.content.decode()
    assert "<script>alert(1)</script>" in body  # as text, never as markup
    assert f"SHA-256 of the body: {hashlib.sha256(hostile).hexdigest()}" in body


def test_the_snapshot_needs_a_login_and_a_real_source(
    capturing, claim, reviewer, django_capture_on_commit_callbacks, client
):
    with Site({"/trade": (200, HTML, ARTICLE)}) as site:
        source = _add(
            claim,
            reviewer,
            f"{site.base}/trade",
            "",
            django_capture_on_commit_callbacks,
        )
    assert source.snapshots.get().excerpt_status == ExcerptStatus.NO_EXCERPT
    assert client.get(reverse("source-snapshot", args=[source.pk])).status_code == 302
    client.force_login(reviewer)
    assert client.get(reverse("source-snapshot", args=[999_999])).status_code == 404


# --- Approving a verdict whose excerpt was not found ------------------------------


def _submitted_with_excerpt(claim, reviewer, excerpt, on_commit):
    with Site({"/trade": (200, HTML, ARTICLE)}) as site:
        source = _add(claim, reviewer, f"{site.base}/trade", excerpt, on_commit)
    workflow.submit_verdict(
        claim, actor=reviewer, rating=rating("false"), rationale="It fell by 2 percent."
    )
    return source


def test_approving_needs_a_confirmation_when_an_excerpt_was_not_found(
    capturing, claim, reviewer, editor, django_capture_on_commit_callbacks
):
    source = _submitted_with_excerpt(
        claim,
        reviewer,
        "Exports rose by 40 percent in 2025, the best year on record.",
        django_capture_on_commit_callbacks,
    )
    with pytest.raises(ValidationError, match="not found on the captured page"):
        workflow.approve_verdict(claim, actor=editor)
    assert not Approval.objects.exists()
    claim = workflow.approve_verdict(claim, actor=editor, confirm_excerpts=True)
    assert claim.state == ClaimState.APPROVED
    event = AuditEvent.objects.get(action=AuditAction.VERDICT_APPROVED)
    assert event.data["excerpts_confirmed"] == [source.pk]


def test_a_found_excerpt_needs_no_confirmation(
    capturing, claim, reviewer, editor, django_capture_on_commit_callbacks
):
    _submitted_with_excerpt(
        claim, reviewer, FOUND_EXCERPT, django_capture_on_commit_callbacks
    )
    claim = workflow.approve_verdict(claim, actor=editor)
    assert claim.state == ClaimState.APPROVED
    event = AuditEvent.objects.get(action=AuditAction.VERDICT_APPROVED)
    assert "excerpts_confirmed" not in event.data


def test_the_editor_confirms_on_the_claim_page(
    capturing, claim, reviewer, editor, django_capture_on_commit_callbacks, client
):
    _submitted_with_excerpt(
        claim,
        reviewer,
        "Exports rose by 40 percent in 2025, the best year on record.",
        django_capture_on_commit_callbacks,
    )
    claim.refresh_from_db()
    client.force_login(editor)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert 'name="confirm_excerpts"' in page
    assert "was not found on the captured page; I checked it." in page
    url = reverse("claim-approve", args=[claim.pk])
    refused = client.post(url, {"version": claim.version})
    assert refused.status_code == 400
    assert "not found on the captured page" in refused.content.decode()
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED
    done = client.post(url, {"version": claim.version, "confirm_excerpts": "1"})
    assert done.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED


def test_the_api_approves_only_with_the_confirmation_flag(
    capturing, claim, reviewer, admin_user, client, django_capture_on_commit_callbacks
):
    _submitted_with_excerpt(
        claim,
        reviewer,
        "Exports rose by 40 percent in 2025, the best year on record.",
        django_capture_on_commit_callbacks,
    )
    editor_bot = make_service_account(role=Role.EDITOR, username="deskbot")
    _, secret = workflow.create_api_token(actor=admin_user, user=editor_bot, name="d")
    url = f"/api/claims/{claim.pk}/approve"
    headers = {"Authorization": f"Bearer {secret}"}

    refused = client.post(url, "{}", content_type="application/json", headers=headers)
    assert refused.status_code == 400
    assert "not found on the captured page" in refused.json()["detail"]
    assert not Approval.objects.exists()

    body = json.dumps({"confirm_excerpts": True})
    approved = client.post(url, body, content_type="application/json", headers=headers)
    assert approved.status_code == 200, approved.content
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED
