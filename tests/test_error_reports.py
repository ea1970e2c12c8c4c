"""Readers' error reports: stored for editors, rate-limited, spam-safe, never public."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from factcheck import workflow
from factcheck.models import AuditEvent, ErrorReport, ErrorReportState
from factcheck.workflow.publication import address_hash

from .factories import make_decided_article

pytestmark = pytest.mark.django_db

REPORT_TEXT = "The 2025 export figure was revised to 3 percent in March."


@pytest.fixture
def published(reviewer, editor):
    article = make_decided_article(reviewer=reviewer, editor=editor)
    workflow.publish_article(article, actor=editor)
    return article


def _report_url(article, n=1):
    return reverse("public-claim-report", args=[article.slug, n])


def test_report_error_stores_a_hashed_address_and_audits_the_reader(published):
    report = workflow.report_error(
        published,
        claim_number=2,
        text=REPORT_TEXT,
        email="reader@example.org",
        address="203.0.113.9",
    )

    assert report.publication_version == 1
    assert report.address_hash == address_hash("203.0.113.9")
    assert "203.0.113.9" not in report.address_hash
    event = AuditEvent.objects.get(action="error_report.received")
    assert event.actor is None and event.actor_label == "reader"
    assert "203.0.113.9" not in str(event.data)


def test_rate_limit_per_address(published, settings):
    settings.FACTCHECK = {**settings.FACTCHECK, "ERROR_REPORTS_PER_HOUR": 2}
    for _ in range(2):
        workflow.report_error(
            published, claim_number=1, text=REPORT_TEXT, address="198.51.100.1"
        )

    with pytest.raises(ValidationError, match="try again later"):
        workflow.report_error(
            published, claim_number=1, text=REPORT_TEXT, address="198.51.100.1"
        )
    workflow.report_error(
        published, claim_number=1, text=REPORT_TEXT, address="198.51.100.2"
    )
    assert ErrorReport.objects.count() == 3


def test_reports_need_text_and_an_existing_claim(published):
    with pytest.raises(ValidationError):
        workflow.report_error(published, claim_number=1, text=" ", address="x")
    with pytest.raises(ValidationError):
        workflow.report_error(published, claim_number=99, text="x", address="x")


def test_anonymous_report_through_the_page(published, client):
    response = client.post(
        _report_url(published), {"text": REPORT_TEXT, "email": "", "website": ""}
    )

    assert response.status_code == 302
    report = ErrorReport.objects.get()
    assert report.claim_number == 1 and report.text == REPORT_TEXT
    page = client.get(response["Location"]).content.decode()
    assert "Thank you" in page


def test_honeypot_looks_successful_and_stores_nothing(published, client):
    response = client.post(
        _report_url(published),
        {"text": "Buy cheap pills", "website": "http://spam.example"},
    )

    assert response.status_code == 302
    assert not ErrorReport.objects.exists()


def test_rate_limited_page_keeps_the_text_and_answers_429(published, client, settings):
    settings.FACTCHECK = {**settings.FACTCHECK, "ERROR_REPORTS_PER_HOUR": 1}
    client.post(_report_url(published), {"text": REPORT_TEXT})

    response = client.post(_report_url(published), {"text": "Second report text"})

    assert response.status_code == 429
    assert "Second report text" in response.content.decode()
    assert ErrorReport.objects.count() == 1


def test_invalid_report_is_400_not_500(published, client):
    response = client.post(_report_url(published), {"text": "x" * 6000})

    assert response.status_code == 400
    assert not ErrorReport.objects.exists()


def test_report_on_unpublished_article_is_410(published, editor, client):
    workflow.unpublish_article(published, actor=editor, reason="Legal.")

    response = client.post(_report_url(published), {"text": REPORT_TEXT})

    assert response.status_code == 410
    assert not ErrorReport.objects.exists()


def test_reports_are_never_public(published, client):
    workflow.report_error(
        published, claim_number=1, text="SECRET-REPORT-TEXT", address="x"
    )

    for url in [
        f"/fact-checks/{published.slug}/",
        f"/fact-checks/{published.slug}/claims/1/",
        f"/fact-checks/{published.slug}/export.json",
        "/fact-checks/claimreview.json",
        "/fact-checks/feed.atom",
    ]:
        assert b"SECRET-REPORT-TEXT" not in client.get(url).content


def test_editors_see_reports_in_their_queue(published, editor, client):
    workflow.report_error(
        published, claim_number=1, text=REPORT_TEXT, email="r@example.org", address="x"
    )
    client.force_login(editor)

    html = client.get(reverse("report-list")).content.decode()

    assert REPORT_TEXT in html and "r@example.org" in html


@pytest.mark.parametrize("persona", ["reviewer", "admin_user", "outsider"])
def test_others_cannot_read_the_queue(persona, request, client):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("report-list")).status_code == 403


def test_handling_a_report(published, editor, reviewer, client):
    report = workflow.report_error(
        published, claim_number=1, text=REPORT_TEXT, address="x"
    )
    with pytest.raises(PermissionDenied):
        workflow.handle_error_report(report, actor=reviewer, state="resolved")
    client.force_login(editor)

    htmx = client.post(
        reverse("report-handle", args=[report.pk]),
        {"state": "resolved", "response": "Correction published."},
        headers={"HX-Request": "true"},
    )
    again = client.post(
        reverse("report-handle", args=[report.pk]), {"state": "rejected"}
    )

    assert htmx.status_code == 200 and b"<html" not in htmx.content
    assert again.status_code == 302
    report.refresh_from_db()
    assert report.state == ErrorReportState.RESOLVED
    assert report.handled_by == editor
    assert AuditEvent.objects.filter(action="error_report.handled").count() == 1


@pytest.mark.parametrize("reports", [1, 30])
def test_report_list_query_count_is_constant(
    reports, published, editor, client, django_assert_max_num_queries
):
    for i in range(reports):
        workflow.report_error(
            published, claim_number=1, text=f"Report {i}", address=f"a{i}"
        )
    client.force_login(editor)

    with django_assert_max_num_queries(11):
        response = client.get(reverse("report-list"))

    assert response.status_code == 200


# --- Throttles through the page: per client address, and for all readers ------------


def _report_from(article, ip: str, forwarded: str | None = None, text=REPORT_TEXT):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return Client(REMOTE_ADDR=ip, **headers).post(_report_url(article), {"text": text})


def _limits(settings, per_address: int, overall: int) -> None:
    settings.FACTCHECK = {
        **settings.FACTCHECK,
        "ERROR_REPORTS_PER_HOUR": per_address,
        "ERROR_REPORTS_PER_HOUR_GLOBAL": overall,
    }


def test_without_a_proxy_a_forged_forwarded_for_is_ignored(published, settings):
    _limits(settings, per_address=1, overall=100)
    settings.FACTCHECK_TRUSTED_PROXIES = 0

    first = _report_from(published, "192.0.2.9", forwarded="198.51.100.1")
    second = _report_from(published, "192.0.2.9", forwarded="198.51.100.2")

    assert (first.status_code, second.status_code) == (302, 429)
    assert ErrorReport.objects.get().address_hash == address_hash("192.0.2.9")


def test_behind_a_proxy_each_reader_has_their_own_limit(published, settings):
    _limits(settings, per_address=1, overall=100)
    settings.FACTCHECK_TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"

    assert _report_from(published, proxy, forwarded="203.0.113.66").status_code == 302
    assert _report_from(published, proxy, forwarded="203.0.113.66").status_code == 429
    assert _report_from(published, proxy, forwarded="198.51.100.7").status_code == 302
    assert ErrorReport.objects.count() == 2


def test_the_global_limit_holds_across_addresses_and_says_so(published, settings):
    _limits(settings, per_address=1, overall=3)
    for i in range(3):
        assert _report_from(published, f"198.51.100.{i + 1}").status_code == 302

    refused = _report_from(published, "198.51.100.50", text="Fourth reader's text")

    assert refused.status_code == 429
    page = refused.content.decode()
    assert "from all readers together" in page
    assert "Fourth reader&#x27;s text" in page or "Fourth reader's text" in page
    assert ErrorReport.objects.count() == 3


def test_one_address_cannot_use_up_everyone_s_reports(published, settings):
    _limits(settings, per_address=2, overall=4)
    for _ in range(10):
        _report_from(published, "203.0.113.66")
    assert ErrorReport.objects.count() == 2

    for i in range(2):
        assert _report_from(published, f"198.51.100.{i + 1}").status_code == 302
    assert ErrorReport.objects.count() == 4
