"""The publisher: admins name the real organisation; ClaimReview and the public pages
use it; ``check --deploy`` refuses to pass while it is a placeholder."""

from __future__ import annotations

import json

import pytest
from django.core.checks import Error, Warning
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.urls import reverse

from factcheck import organisation, workflow
from factcheck.audit import AuditAction
from factcheck.models import AuditEvent, Publisher
from factcheck.workflow import Conflict
from factcheck.workflow.organisation import version_of

from .factories import make_decided_article

pytestmark = pytest.mark.django_db

REAL = {
    "name": "Harbour Fact Check",
    "url": "https://harbourfacts.org",
    "logo_url": "https://harbourfacts.org/logo.png",
}


def _form(**overrides) -> dict:
    return {**REAL, "version": "", **overrides}


def _events():
    return AuditEvent.objects.filter(action=AuditAction.PUBLISHER_CHANGED)


# --- The effective publisher and the write path ---------------------------------------


def test_until_an_admin_saves_one_the_settings_stand_in(settings):
    org = organisation.publisher()

    assert (org.name, org.url, org.logo_url, org.saved) == (
        settings.FACTCHECK["ORGANISATION_NAME"],
        settings.FACTCHECK["ORGANISATION_URL"],
        "",
        False,
    )


def test_saving_the_publisher_creates_the_row_and_audits_it(
    admin_user, django_capture_on_commit_callbacks
):
    organisation.publisher()  # cached: the save must make it forget

    with django_capture_on_commit_callbacks(execute=True):
        workflow.update_publisher(actor=admin_user, **REAL)

    row = Publisher.objects.get()
    assert (row.pk, row.name, row.updated_by) == (1, REAL["name"], admin_user)
    [event] = _events()
    assert event.actor == admin_user
    assert event.data == {"before": {}, "after": REAL}
    assert organisation.publisher() == organisation.Organisation(
        **REAL, saved=True, stamp=organisation.load().stamp
    )


def test_a_change_records_only_what_changed_and_no_change_records_nothing(admin_user):
    workflow.update_publisher(actor=admin_user, **REAL)

    workflow.update_publisher(actor=admin_user, **{**REAL, "name": "Harbour Facts"})
    workflow.update_publisher(actor=admin_user, **{**REAL, "name": "Harbour Facts"})

    assert _events().count() == 2
    assert _events().first().data == {
        "before": {"name": "Harbour Fact Check"},
        "after": {"name": "Harbour Facts"},
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "   "},
        {"name": "x" * 201},
        {"name": "Harbour\x07Facts"},
        {"url": ""},
        {"url": "harbourfacts"},
        {"url": "ftp://harbourfacts.org/"},
        {"url": "javascript:alert(1)"},
        {"url": "https://" + "a" * 500 + ".org"},
        {"logo_url": "javascript:alert(1)"},
        {"logo_url": "data:image/png;base64,AAAA"},
    ],
)
def test_bad_values_are_refused_and_nothing_is_stored(admin_user, bad):
    with pytest.raises(ValidationError):
        workflow.update_publisher(actor=admin_user, **{**REAL, **bad})

    assert not Publisher.objects.exists()
    assert not _events().exists()


@pytest.mark.parametrize("persona", ["reviewer", "editor"])
def test_only_admins_name_the_publisher(request, persona):
    with pytest.raises(PermissionDenied):
        workflow.update_publisher(actor=request.getfixturevalue(persona), **REAL)

    assert not Publisher.objects.exists()


def test_a_stale_form_is_a_conflict_and_keeps_the_saved_values(admin_user):
    first = workflow.update_publisher(actor=admin_user, **REAL)

    with pytest.raises(Conflict):
        workflow.update_publisher(
            actor=admin_user, **{**REAL, "name": "Other"}, expected_version=""
        )
    workflow.update_publisher(
        actor=admin_user,
        **{**REAL, "name": "Harbour"},
        expected_version=version_of(first),
    )

    assert Publisher.objects.get().name == "Harbour"


# --- The admin screen -----------------------------------------------------------------


def test_admin_screen_shows_the_placeholder_and_saves_without_javascript(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    url = reverse("organisation-edit")

    page = client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(url, _form())
    after = client.get(url).content.decode()

    assert "Nobody has saved a publisher yet" in page
    assert 'value="Factcheck Desk"' in page  # the settings, as a starting point
    assert saved.status_code == 302 and saved["Location"] == url
    assert Publisher.objects.get().logo_url == REAL["logo_url"]
    assert "Saved the publisher." in after
    assert "check --deploy" not in after
    assert f'value="{version_of(Publisher.objects.get())}"' in after


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"url": "javascript:alert(1)"}, "Give a full web address"),
        ({"url": "ftp://harbourfacts.org/"}, "Give a full web address"),
        ({"logo_url": "javascript:alert(1)"}, "Give a full web address"),
        ({"name": "x" * 5000}, "at most 200 characters"),
    ],
)
def test_bad_input_over_http_is_400_with_a_message(client, admin_user, data, message):
    client.force_login(admin_user)

    response = client.post(reverse("organisation-edit"), _form(**data))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Publisher.objects.exists()


def test_stale_form_over_http_is_409_and_the_form_carries_their_version(
    client, admin_user
):
    saved = workflow.update_publisher(actor=admin_user, **REAL)
    client.force_login(admin_user)

    response = client.post(reverse("organisation-edit"), _form(name="Mine"))

    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved the publisher" in html
    assert 'value="Mine"' in html  # the typed text is kept
    assert f'value="{version_of(saved)}"' in html  # saving again overwrites
    assert Publisher.objects.get().name == REAL["name"]


@pytest.mark.parametrize("persona", ["reviewer", "editor"])
def test_other_roles_get_403(request, client, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("organisation-edit")).status_code == 403
    assert client.post(reverse("organisation-edit"), _form()).status_code == 403
    assert not Publisher.objects.exists()


def test_hostile_name_is_text_on_the_public_pages(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organisation-edit"), _form(name=hostile))
    html = client.get(reverse("public-index")).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- ClaimReview author ---------------------------------------------------------------


def _claimreview(html: str) -> dict:
    start = html.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_claimreview_author_is_the_saved_publisher_even_on_a_cached_page(
    client, reviewer, editor, admin_user, django_capture_on_commit_callbacks
):
    article = make_decided_article(reviewer=reviewer, editor=editor)
    workflow.publish_article(article, actor=editor)
    url = reverse("public-claim", args=[article.slug, 1])
    before = _claimreview(client.get(url).content.decode())["author"]

    with django_capture_on_commit_callbacks(execute=True):
        workflow.update_publisher(actor=admin_user, **REAL)
    html = client.get(url).content.decode()

    assert before == {
        "@type": "Organization",
        "name": "Factcheck Desk",
        "url": "https://factcheck.example",
    }
    assert _claimreview(html)["author"] == {
        "@type": "Organization",
        "name": REAL["name"],
        "url": REAL["url"],
        "logo": REAL["logo_url"],
    }
    assert f"· {REAL['name']}</title>" in html


def test_feeds_name_the_publisher(
    client, reviewer, editor, admin_user, django_capture_on_commit_callbacks
):
    article = make_decided_article(reviewer=reviewer, editor=editor)
    workflow.publish_article(article, actor=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.update_publisher(actor=admin_user, **REAL)

    feed = client.get(reverse("public-claimreview-feed")).json()
    atom = client.get(reverse("public-atom-feed")).content.decode()

    assert feed["name"] == "Harbour Fact Check ClaimReview feed"
    assert feed["dataFeedElement"][0]["item"][0]["author"]["name"] == REAL["name"]
    assert "<title>Harbour Fact Check: fact-checks</title>" in atom


# --- check --deploy -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "url", "problem"),
    [
        ("Factcheck Desk", "https://harbourfacts.org", "name is the placeholder"),
        ("Harbour Fact Check", "https://factcheck.example", "URL"),
        ("Harbour Fact Check", "https://www.example.com/", "URL"),
        ("Harbour Fact Check", "http://localhost:8000/", "URL"),
        ("Harbour Fact Check", "http://127.0.0.1/", "URL"),
        ("Harbour Fact Check", "https://desk.test", "URL"),
    ],
)
def test_placeholders_are_recognised(name, url, problem):
    problems = organisation.placeholder_problems(organisation.Organisation(name, url))

    assert any(problem in p for p in problems), problems


def test_a_real_publisher_has_no_placeholder_problem():
    assert organisation.placeholder_problems(organisation.Organisation(**REAL)) == []


def test_check_deploy_refuses_the_placeholder_and_passes_once_an_admin_saved(
    admin_user, capsys
):
    # Only the security checks: under the full suite other deploy checks (e.g.
    # async.E001, set by the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE) fail too.
    with pytest.raises(SystemCheckError) as refused:
        call_command("check", "--deploy", "--tag", "security")
    workflow.update_publisher(actor=admin_user, **REAL)
    call_command("check", "--deploy", "--tag", "security")

    assert "factcheck.E201" in str(refused.value)
    assert "Team → Organisation" in str(refused.value)
    assert "factcheck.E201" not in capsys.readouterr().err


def test_check_deploy_accepts_real_settings_without_a_saved_row(settings):
    settings.FACTCHECK = {
        **settings.FACTCHECK,
        "ORGANISATION_NAME": REAL["name"],
        "ORGANISATION_URL": REAL["url"],
    }

    assert organisation.check_publisher() == []


def test_check_deploy_refuses_a_saved_placeholder(admin_user):
    workflow.update_publisher(
        actor=admin_user, name="Harbour", url="https://harbour.example.org"
    )

    [error] = organisation.check_publisher()

    assert isinstance(error, Error) and error.id == "factcheck.E201"


def test_an_unreadable_publisher_table_is_a_warning_not_a_crash(settings):
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE factcheck_publisher RENAME TO factcheck_away")
    try:
        found = organisation.check_publisher()
        settings.FACTCHECK = {
            **settings.FACTCHECK,
            "ORGANISATION_NAME": REAL["name"],
            "ORGANISATION_URL": REAL["url"],
        }
        only_warning = organisation.check_publisher()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE factcheck_away RENAME TO factcheck_publisher")

    assert [type(m) for m in found] == [Warning, Error]
    assert found[0].id == "factcheck.W201"
    assert "Could not read the publisher" in found[0].msg
    assert [m.id for m in only_warning] == ["factcheck.W201"]


def test_the_publisher_check_runs_only_with_deploy():
    from django.core.checks import registry

    plain = registry.registry.get_checks(include_deployment_checks=False)
    deploy = registry.registry.get_checks(include_deployment_checks=True)

    assert organisation.check_publisher not in plain
    assert organisation.check_publisher in deploy
