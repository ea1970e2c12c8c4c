"""Editors preview the public pages before publishing (and before a correction), and
the publishing panel says plainly what is live and what each action does.

The preview is built by the publish's own code, inside a transaction that is rolled
back: a GET stores nothing (not even provisional claim numbers) and audits nothing.
"""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from factcheck import workflow
from factcheck.models import (
    Article,
    AuditEvent,
    Claim,
    ClaimState,
    Publication,
)
from factcheck.workflow.publication import preview_publication

from .factories import decide_claim, make_article, make_decided_article

pytestmark = pytest.mark.django_db

BANNER = "Preview — not public"


@pytest.fixture
def decided(reviewer, editor):
    """Three claims: two approved (False, True), one dismissed; never published."""
    return make_decided_article(
        reviewer=reviewer,
        editor=editor,
        ratings=["false", "false", "true"],
        dismiss=(1,),
        title="Exports and wagons",
        outlet="Daily Planet",
        original_url="https://planet.example/story",
    )


def _preview(pk: int) -> str:
    return reverse("article-preview", args=[pk])


def _preview_claim(pk: int, n: int) -> str:
    return reverse("article-preview-claim", args=[pk, n])


def _state(article: Article) -> dict:
    """Everything a preview could conceivably write."""
    article = Article.objects.get(pk=article.pk)
    return {
        "article": (article.state, article.updated_at),
        "numbers": dict(
            Claim.objects.filter(article=article).values_list("pk", "public_number")
        ),
        "claims": list(
            Claim.objects.filter(article=article).values_list("pk", "state", "version")
        ),
        "publications": list(Publication.objects.values_list("pk", "version")),
        "audit": AuditEvent.objects.count(),
    }


# --- What the preview shows --------------------------------------------------------


def test_editor_previews_the_summary_page_publishing_would_make(
    decided, editor, client
):
    client.force_login(editor)

    response = client.get(_preview(decided.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert BANNER in html
    assert "if you published this fact-check now" in html
    assert '<meta name="robots" content="noindex">' in html
    assert response["X-Robots-Tag"] == "noindex"
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    assert "application/ld+json" not in html
    assert '<link rel="canonical"' not in html
    assert "Exports and wagons" in html and "Daily Planet" in html
    assert html.count('class="claim"') == 2  # the dismissed claim is not public
    assert "2 claims checked: 1 True, 1 False." in html
    assert "Rationale for claim 1" in html and "Rationale for claim 3" in html
    assert "Rationale for claim 2" not in html
    # Claim links stay inside the preview, with the numbers publishing would give.
    assert f'href="{_preview_claim(decided.pk, 1)}"' in html
    assert f'href="{_preview_claim(decided.pk, 2)}"' in html
    assert "/fact-checks/" + decided.slug + "/claims/" not in html
    assert "export.csv" not in html


def test_preview_of_a_claim_page(decided, editor, client):
    client.force_login(editor)

    response = client.get(_preview_claim(decided.pk, 2))

    html = response.content.decode()
    claim = decided.claims.order_by("start")[2]
    assert response.status_code == 200
    assert BANNER in html and '<meta name="robots" content="noindex">' in html
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]
    assert f">{claim.text}</h1>" in html
    assert html.count("data-claimreview-rating") == 1
    assert "data-claimreview-rating>True<" in html
    assert "application/ld+json" not in html
    assert 'name="csrfmiddlewaretoken"' not in html  # no error-report form
    assert f'href="{_preview(decided.pk)}"' in html


def test_unknown_claim_in_a_preview_is_404(decided, editor, client):
    client.force_login(editor)

    assert client.get(_preview_claim(decided.pk, 3)).status_code == 404


def test_a_preview_persists_nothing_and_audits_nothing(decided, editor, client):
    client.force_login(editor)
    before = _state(decided)

    client.get(_preview(decided.pk))
    client.get(_preview_claim(decided.pk, 1))
    preview_publication(decided, actor=editor)

    assert _state(decided) == before
    assert not Claim.objects.filter(public_number__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_a_preview_persists_nothing_outside_a_test_transaction(decided, editor, client):
    """Without the test's own transaction around it, the rollback is a real one."""
    client.force_login(editor)
    before = _state(decided)

    response = client.get(_preview(decided.pk))

    assert response.status_code == 200
    assert _state(decided) == before
    assert not Claim.objects.filter(public_number__isnull=False).exists()


def test_published_numbers_are_the_ones_the_preview_showed(decided, editor):
    preview = preview_publication(decided, actor=editor)

    publication = workflow.publish_article(decided, actor=editor)

    shown = [(c["n"], c["text"]) for c in preview.payload["claims"]]
    published = [(c["n"], c["text"]) for c in publication.payload["claims"]]
    assert shown == published
    assert preview.payload["version"] == 1 and preview.refusal is None


def test_preview_of_a_correction_shows_the_change_and_keeps_the_live_page(
    decided, editor, other_editor, client
):
    workflow.publish_article(decided, actor=editor)
    claim = decided.claims.get(public_number=1)
    claim = workflow.reopen_claim(claim, actor=other_editor, reason="New data.")
    decide_claim(claim, reviewer=claim.assignee, editor=editor, rating_slug="true")
    client.force_login(editor)

    html = client.get(_preview(decided.pk)).content.decode()
    live = client.get(f"/fact-checks/{decided.slug}/").content.decode()

    assert "this correction, as version 2" in html
    assert "rating changed from <strong>False</strong> to <strong>True</strong>" in html
    assert "Your public correction note will appear here." in html
    assert "2 claims checked: 2 True." in html
    assert "2 claims checked: 1 True, 1 False." in live
    assert Publication.objects.filter(article=decided).count() == 1


def test_preview_says_why_publishing_is_not_possible_yet(reviewer, editor, client):
    article = make_article(actor=reviewer)
    first = article.claims.order_by("start").first()
    decide_claim(first, reviewer=reviewer, editor=editor, rating_slug="false")
    client.force_login(editor)

    response = client.get(_preview(article.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Publishing is not possible yet:" in html and "need a decision" in html
    assert html.count('class="claim"') == 1


# --- Who may preview -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("editor", 200),
        ("reviewer", 403),
        ("admin_user", 403),
        ("outsider", 403),
    ],
)
def test_only_people_who_may_publish_preview(
    decided, persona, expected, request, client
):
    client.force_login(request.getfixturevalue(persona))

    summary = client.get(_preview(decided.pk))
    claim = client.get(_preview_claim(decided.pk, 1))

    assert summary.status_code == expected
    assert claim.status_code == expected
    if expected != 200:
        assert BANNER not in summary.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(decided, client):
    for url in (_preview(decided.pk), _preview_claim(decided.pk, 1)):
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_preview_refuses_posts(decided, editor, client):
    client.force_login(editor)

    assert client.post(_preview(decided.pk)).status_code == 405


def test_preview_of_a_missing_article_is_404(editor, client):
    client.force_login(editor)

    assert client.get(_preview(999_999)).status_code == 404


# --- The publishing panel ----------------------------------------------------------


def _panel(article: Article, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "factcheck/_article_publishing.html", {"article": article}, request=request
    )


def test_panel_before_first_publication_offers_preview_and_publish(decided, editor):
    html = _panel(decided, editor)

    assert "Not published yet." in html
    assert f'href="{_preview(decided.pk)}"' in html
    assert "Preview the public page" in html
    assert "Publish the fact-check" in html
    assert "correction_note" not in html
    assert "article-unpublish" not in html and "/unpublish/" not in html


def test_panel_after_publishing_says_what_is_live(decided, editor):
    workflow.publish_article(decided, actor=editor)
    decided.refresh_from_db()

    html = _panel(decided, editor)

    assert "Live:</strong> version 1, published" in html
    assert f"by {editor}" in html
    assert f'href="/fact-checks/{decided.slug}/">View the public page' in html
    assert "Not published yet" not in html
    # A correction is its own, labelled action; its note only inside it.
    details = html.index('<details class="publishing-action"')
    assert "<summary>Publish a correction (version 2)</summary>" in html
    assert html.index('name="correction_note"') > details
    assert "Preview the correction (version 2)" in html
    # Unpublishing is a separate danger action, confirmed.
    danger = html.index('<details class="publishing-action danger-zone"')
    assert html.index("/unpublish/") > danger
    assert "hx-confirm=" in html[danger:]
    assert 'class="danger">Unpublish the fact-check' in html


def test_panel_after_unpublishing(decided, editor):
    workflow.publish_article(decided, actor=editor)
    workflow.unpublish_article(decided, actor=editor, reason="Legal review.")
    decided.refresh_from_db()

    html = _panel(decided, editor)

    assert "Not live.</strong> Version 1" in html and "was unpublished" in html
    assert "<summary>Publish again (version 2)</summary>" in html
    assert "/unpublish/" not in html


def test_panel_shows_reviewers_the_state_but_no_actions(decided, editor, reviewer):
    workflow.publish_article(decided, actor=editor)
    decided.refresh_from_db()

    html = _panel(decided, reviewer)

    assert "Live:</strong> version 1" in html
    assert "/preview/" not in html
    assert "<form" not in html


def test_a_failed_correction_reopens_its_form(decided, editor, client):
    workflow.publish_article(decided, actor=editor)
    client.force_login(editor)

    response = client.post(
        reverse("article-publish", args=[decided.pk]),
        {"expected_version": 1, "correction_note": ""},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert '<details class="publishing-action" open>' in html


def test_a_reopened_claim_blocks_a_correction_with_the_reason(
    decided, editor, other_editor
):
    workflow.publish_article(decided, actor=editor)
    claim = decided.claims.get(public_number=1)
    workflow.reopen_claim(claim, actor=other_editor, reason="New data.")
    decided.refresh_from_db()

    html = _panel(decided, editor)

    assert "A new version is not possible yet:" in html
    assert "correction_note" not in html
    assert "Preview the correction (version 2)" in html
    assert Claim.objects.get(pk=claim.pk).state == ClaimState.IN_PROGRESS
