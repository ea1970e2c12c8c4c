"""Ingestion: text in (paste, upload), body and claims out; bad input refused.

A refusal leaves nothing behind: no article, no claim, no audit event.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factcheck import ingest, workflow
from factcheck.audit import AuditAction
from factcheck.models import Article, AuditEvent, Claim

pytestmark = pytest.mark.django_db

SEED = Path(settings.BASE_DIR) / "seeds" / "000_cb454b6630152dc4.txt"
SEED_HEADINGS = [
    "Historical Context: A Century of Shifting Tides in Sino-Russian Ties",
    "Economic Impact: Trade, Investment, and Industrial Synergies",
    "Policy Signals for 2026 and Beyond",
    "Conclusion: A Cautiously Optimistic Path Forward",
]
ARTICLE_TEXT = (
    "Rail exports hit a record\n"
    "The ministry said exports rose 12 percent in 2025 to $4.2 billion. "
    "Officials reported that 3,400 new rail wagons entered service last year.\n"
)


def assert_offsets_exact(article: Article) -> None:
    for claim in article.claims.all():
        assert article.body[claim.start : claim.end] == claim.text
        assert claim.text == claim.text.strip()


def _state() -> tuple[int, int, int]:
    return Article.objects.count(), Claim.objects.count(), AuditEvent.objects.count()


# --- the workflow -----------------------------------------------------------------


def test_paste_becomes_an_article_with_claims_and_one_audit_event(reviewer):
    before = AuditEvent.objects.count()

    article = workflow.create_article(
        actor=reviewer,
        raw=ARTICLE_TEXT,
        metadata={"outlet": "Wire", "author": "A. Writer", "language": "en"},
    )

    assert article.title == "Rail exports hit a record"
    assert article.outlet == "Wire" and article.author == "A. Writer"
    assert article.ingested_by == reviewer and article.source_format == "text"
    claims = list(article.claims.order_by("position"))
    assert [c.position for c in claims] == list(range(1, len(claims) + 1))
    assert len(claims) == 2
    assert all(0 <= c.score <= 1 and c.reasons for c in claims)
    assert_offsets_exact(article)
    events = AuditEvent.objects.filter(pk__gt=0).order_by("pk")[before:]
    assert [e.action for e in events] == [AuditAction.ARTICLE_CREATED]
    assert events[0].data["claims"] == 2
    assert events[0].article_id == article.pk


def test_the_given_title_wins_and_slugs_stay_unique(reviewer):
    first = workflow.create_article(
        actor=reviewer, raw=ARTICLE_TEXT, metadata={"title": "Same title"}
    )
    second = workflow.create_article(
        actor=reviewer, raw=ARTICLE_TEXT, metadata={"title": "Same title"}
    )

    assert first.title == second.title == "Same title"
    assert first.slug == "same-title"
    assert second.slug.startswith("same-title-") and second.slug != first.slug
    assert len(second.slug) <= 120


def test_lines_mode_with_threshold_zero_makes_every_line_a_claim(reviewer):
    lines = ["Exports rose.", "It may rain tomorrow.", "What a lovely day"]

    article = workflow.create_article(
        actor=reviewer,
        raw="\n".join(lines),
        metadata={"title": "Lines"},
        lines=True,
        threshold=0.0,
    )

    assert [c.text for c in article.claims.order_by("position")] == lines


def test_roles_without_ingest_permission_are_refused(admin_user):
    with pytest.raises(PermissionDenied):
        workflow.create_article(actor=admin_user, raw=ARTICLE_TEXT, metadata={})
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "filename", "message"),
    [
        ("", None, "empty"),
        ("   \n\t \n ", None, "empty"),
        (b"", "a.txt", "empty"),
        (b"\x00\x01\x02binary\x00data" * 10, "a.txt", "binary"),
        (b"%PDF-1.7 \x00\x00", "report.txt", "PDF"),
        (b"caf\x81\x8d\x90 \xc3\x28 broken", "a.txt", "not valid UTF-8"),
        (b"Plain words.", "report.docx", "only .txt, .md and .html"),
        ("Plain words.", "notes.pdf", "only .txt, .md and .html"),
    ],
)
def test_bad_text_is_refused_and_nothing_is_stored(reviewer, raw, filename, message):
    before = _state()

    with pytest.raises(ValidationError) as refused:
        workflow.create_article(actor=reviewer, raw=raw, filename=filename, metadata={})

    assert message in " ".join(refused.value.messages)
    assert _state() == before


def test_text_over_the_size_limit_is_refused(reviewer, settings):
    settings.FACTCHECK = {**settings.FACTCHECK, "MAX_ARTICLE_BYTES": 1_000}
    before = _state()

    for raw in ("x" * 1_001, b"y" * 1_001):
        with pytest.raises(ValidationError, match="limit is 1 KB"):
            workflow.create_article(actor=reviewer, raw=raw, metadata={})

    assert _state() == before


def test_a_title_over_its_limit_is_refused(reviewer):
    limit = settings.FACTCHECK["MAX_TITLE_LENGTH"]
    before = _state()

    with pytest.raises(ValidationError, match=f"the limit is {limit}"):
        workflow.create_article(
            actor=reviewer, raw=ARTICLE_TEXT, metadata={"title": "t" * (limit + 1)}
        )

    assert _state() == before


def test_markdown_and_html_are_reduced_to_text(reviewer):
    md = (
        b"# Trade report\n\nExports **rose 12 percent** in 2025, the "
        b"[ministry](https://x.example) said.\n"
    )
    html = (
        b"<html><head><title>Wagons</title><script>alert(1)</script></head><body>"
        b"<nav>Home | News</nav><article><h1>Wagons</h1><p>Officials reported that "
        b"3,400 new rail wagons entered service in 2024, the ministry said.</p>"
        b"</article></body></html>"
    )

    from_md = workflow.create_article(
        actor=reviewer, raw=md, filename="report.md", metadata={}
    )
    from_html = workflow.create_article(
        actor=reviewer, raw=html, filename="page.html", metadata={}
    )

    assert from_md.source_format == "markdown" and from_md.title == "Trade report"
    assert "**" not in from_md.body and "](" not in from_md.body
    assert from_html.source_format == "html" and from_html.title == "Wagons"
    assert "alert" not in from_html.body and "3,400 new rail wagons" in from_html.body
    for article in (from_md, from_html):
        assert article.claims.exists()
        assert_offsets_exact(article)


def test_the_sample_article(reviewer):
    article = workflow.create_article(
        actor=reviewer, raw=SEED.read_bytes(), filename=SEED.name, metadata={}
    )

    texts = set(article.claims.values_list("text", flat=True))
    assert article.title.startswith("Xi Jinping Vows to Deepen China-Russia")
    assert not texts & set(SEED_HEADINGS) and article.title not in texts
    damaged = [w for w in article.warnings if w["kind"] == "damaged-character"]
    assert len(damaged) == 6
    assert "â" not in article.body  # every lost dash or apostrophe was repairable
    assert len(article.repairs) == 6
    # Exactly the checkable sentences became claims (the scorer decides which).
    drafts = ingest.extract(ingest.prepare(SEED.read_bytes(), SEED.name))
    checkable = [d.text for d in drafts if d.checkable]
    assert list(article.claims.order_by("position").values_list("text", flat=True)) == (
        checkable
    )
    assert any(t.startswith("Beijing — Chinese President Xi Jinping") for t in texts)
    assert_offsets_exact(article)


def test_a_one_megabyte_article_is_stored_in_bulk(reviewer, settings):
    seed = SEED.read_text(encoding="utf-8").replace("â", "-")
    text = "\n".join([seed] * (990_000 // len(seed.encode())))
    settings.FACTCHECK = {**settings.FACTCHECK, "MAX_ARTICLE_BYTES": 1_000_000}

    with CaptureQueriesContext(connection) as queries:
        article = workflow.create_article(
            actor=reviewer, raw=text, metadata={}, threshold=0.0
        )

    claims = article.claims.count()
    assert claims > 1000
    # Claims go in batches (SQLite caps the parameters of one INSERT), not one by one.
    assert len(queries) < claims / 20
    assert_offsets_exact(article)


# --- over HTTP ----------------------------------------------------------------------


def test_the_ingest_page_needs_the_ingest_permission(client, admin_user, outsider):
    for user in (admin_user, outsider):
        client.force_login(user)
        assert client.get(reverse("article-new")).status_code == 403


def test_paste_over_http_redirects_to_the_article(client, reviewer):
    client.force_login(reviewer)

    response = client.post(
        reverse("article-new"),
        {
            "text": ARTICLE_TEXT,
            "title": "",
            "outlet": "Wire",
            "original_url": "https://news.example/rail",
            "original_published_on": "2026-01-05",
            "language": "en",
        },
    )

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("article-detail", args=[article.pk])
    assert article.original_url == "https://news.example/rail"
    assert str(article.original_published_on) == "2026-01-05"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.content.count(b'<mark class="claim tip" tabindex="0"') == 2


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("story.txt", ARTICLE_TEXT.encode(), "text"),
        (
            "story.md",
            b"# Rail\n\nExports rose 12 percent in 2025, officials said.\n",
            "markdown",
        ),
        (
            "story.html",
            b"<html><body><article><h1>Rail</h1><p>Exports rose 12 percent in "
            b"2025, officials said.</p></article></body></html>",
            "html",
        ),
    ],
)
def test_upload_over_http(client, reviewer, name, content, fmt):
    client.force_login(reviewer)

    response = client.post(
        reverse("article-new"),
        {"upload": SimpleUploadedFile(name, content), "language": "en"},
    )

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.source_format == fmt and article.source_filename == name
    assert_offsets_exact(article)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "The text is empty"),
        ({"text": "  \n \t "}, "The text is empty"),
        ({"upload": ("x.txt", b"\x00\x01\x02\x03" * 50)}, "binary"),
        ({"upload": ("x.txt", b"caf\x81\x8d\x90")}, "not valid UTF-8"),
        ({"upload": ("x.pdf", b"Plain words.")}, "only .txt, .md and .html"),
        ({"upload": ("x.txt", b"")}, "empty"),
        ({"text": ARTICLE_TEXT, "title": "t" * 301}, "the limit is 300"),
        ({"text": "z" * 1_001}, "the limit is 1 KB"),
        ({"upload": ("big.txt", b"z" * 1_001)}, "the limit is 1 KB"),
    ],
)
def test_refusals_over_http_show_the_reason_and_store_nothing(
    client, reviewer, settings, data, message
):
    settings.FACTCHECK = {**settings.FACTCHECK, "MAX_ARTICLE_BYTES": 1_000}
    client.force_login(reviewer)
    post = {"language": "en", "outlet": "Kept outlet", **data}
    if "upload" in post:
        post["upload"] = SimpleUploadedFile(*post["upload"])
    before = _state()

    response = client.post(reverse("article-new"), post)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert b"Kept outlet" in response.content  # what the user typed is kept
    assert _state() == before


def test_a_refused_paste_keeps_the_text(client, reviewer):
    client.force_login(reviewer)

    response = client.post(
        reverse("article-new"), {"text": ARTICLE_TEXT, "title": "t" * 400}
    )

    assert response.status_code == 400
    assert "officials reported" in response.content.decode().lower()


def test_the_sample_article_page_shows_the_six_damaged_places(client, reviewer):
    article = workflow.create_article(
        actor=reviewer, raw=SEED.read_bytes(), filename=SEED.name, metadata={}
    )
    client.force_login(reviewer)

    page = client.get(reverse("article-detail", args=[article.pk])).content.decode()

    assert page.count('<mark class="damaged" id="damage-') == 6
    assert page.count('href="#damage-') == 6
    assert "Text-quality warnings (6)" in page
    # Headings are in the text but never highlighted as claims.
    for heading in SEED_HEADINGS:
        assert f'<span data-o="{article.body.index(heading)}">' not in page or (
            heading not in set(article.claims.values_list("text", flat=True))
        )
    assert page.count('<mark class="claim tip"') == article.claims.count()
