"""The transparency pages: admins write them, readers find them from every public page,
and the organisation markup points aggregators at them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from factcheck import organisation, workflow
from factcheck.audit import AuditAction
from factcheck.claimreview import links_in, organisations_in
from factcheck.models import AuditEvent, PublicPage, PublicPageKind
from factcheck.workflow import Conflict
from factcheck.workflow.organisation import MAX_BODY, version_of

from .factories import make_decided_article, rating
from .hostile import MARKDOWN, unsafe_in

pytestmark = pytest.mark.django_db

KINDS = PublicPageKind.values


def _about(kind: str) -> str:
    return reverse("public-about", args=[kind])


@pytest.fixture
def published(reviewer, editor):
    article = make_decided_article(
        reviewer=reviewer, editor=editor, ratings=["false", "true", "misleading"]
    )
    workflow.publish_article(article, actor=editor)
    return article


# --- Starter text (migration 0010) ----------------------------------------------------


def test_every_page_starts_with_honest_starter_text():
    pages = {p.kind: p for p in PublicPage.objects.all()}

    assert sorted(pages) == sorted(KINDS)
    assert all(p.title and p.body.strip() for p in pages.values())
    assert "### What we do not check" in pages["methodology"].body
    assert "Report an error" in pages["corrections"].body


# --- Editing --------------------------------------------------------------------------


def test_admin_edits_a_page_and_it_is_audited(admin_user):
    page = PublicPage.objects.get(kind="funding")

    workflow.update_public_page(
        "funding",
        actor=admin_user,
        title="Who pays for us",
        body="### Funding\n\nReaders' donations.",
        expected_version=version_of(page),
    )

    page.refresh_from_db()
    assert (page.title, page.updated_by) == ("Who pays for us", admin_user)
    [event] = AuditEvent.objects.filter(action=AuditAction.PUBLIC_PAGE_CHANGED)
    assert event.data["page"] == "funding"
    assert event.data["after"]["title"] == "Who pays for us"
    assert event.data["before"]["title"] == "Funding and ownership"


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("methodology", {"title": ""}),
        ("methodology", {"title": "x" * 201}),
        ("methodology", {"body": "x" * (MAX_BODY + 1)}),
        ("methodology", {"body": "Bell\x07"}),
        ("masthead", {}),
    ],
)
def test_bad_page_input_is_refused(admin_user, kind, fields):
    before = list(PublicPage.objects.values_list("title", "body"))

    with pytest.raises(ValidationError):
        workflow.update_public_page(
            kind, actor=admin_user, **{"title": "T", "body": "B", **fields}
        )

    assert list(PublicPage.objects.values_list("title", "body")) == before
    assert not AuditEvent.objects.filter(action=AuditAction.PUBLIC_PAGE_CHANGED)


@pytest.mark.parametrize("persona", ["reviewer", "editor"])
def test_only_admins_edit_pages(request, persona):
    with pytest.raises(PermissionDenied):
        workflow.update_public_page(
            "team", actor=request.getfixturevalue(persona), title="T", body="B"
        )


def test_a_stale_page_form_is_a_conflict(admin_user):
    old = version_of(PublicPage.objects.get(kind="team"))
    workflow.update_public_page("team", actor=admin_user, title="Us", body="We.")

    with pytest.raises(Conflict):
        workflow.update_public_page(
            "team", actor=admin_user, title="Them", body="", expected_version=old
        )

    assert PublicPage.objects.get(kind="team").title == "Us"


def test_the_page_editor_works_as_a_plain_form(client, admin_user):
    client.force_login(admin_user)
    url = reverse("public-page-edit", args=["corrections"])
    page = PublicPage.objects.get(kind="corrections")

    form = client.get(url)
    saved = client.post(
        url,
        {"title": "Corrections", "body": "We fix it.", "version": version_of(page)},
    )
    screen = client.get(reverse("organisation-edit")).content.decode()

    assert form.status_code == 200 and 'name="body"' in form.content.decode()
    assert saved.status_code == 302
    assert PublicPage.objects.get(kind="corrections").body == "We fix it."
    assert "Saved “Corrections”." in screen
    assert reverse("public-page-edit", args=["methodology"]) in screen


def test_page_editor_refusals_are_clear_and_change_nothing(client, admin_user):
    client.force_login(admin_user)
    url = reverse("public-page-edit", args=["methodology"])
    page = PublicPage.objects.get(kind="methodology")
    version = version_of(page)

    huge = client.post(url, {"title": "M", "body": "x" * 200_000, "version": version})
    empty = client.post(url, {"title": " ", "body": "b", "version": version})
    stale = client.post(url, {"title": "M", "body": "mine", "version": "2001-01-01"})

    assert huge.status_code == 400 and "at most 50000 characters" in huge.text
    assert empty.status_code == 400 and "This field is required." in empty.text
    assert stale.status_code == 409 and "Someone else saved this page" in stale.text
    assert "mine" in stale.text
    page.refresh_from_db()
    assert (page.title, page.updated_by) == ("How we fact-check", None)


def test_unknown_page_kinds_are_404(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("public-page-edit", args=["masthead"])).status_code == 404
    assert client.get(_about("masthead")).status_code == 404


@pytest.mark.parametrize("persona", ["reviewer", "editor"])
def test_other_roles_cannot_edit_pages(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("public-page-edit", args=["team"])

    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"title": "T", "body": "B", "version": ""}).status_code == 403
    )


# --- The public pages -----------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_transparency_page_is_public(client, kind):
    response = client.get(_about(kind))

    html = response.content.decode()
    assert response.status_code == 200
    assert PublicPage.objects.get(kind=kind).title in html
    assert f'<link rel="canonical" href="http://testserver{_about(kind)}">' in html


def test_hostile_markdown_is_rendered_safely(client, admin_user):
    workflow.update_public_page(
        "methodology", actor=admin_user, title="How we check", body=MARKDOWN
    )

    html = client.get(_about("methodology")).content.decode()

    assert unsafe_in(html) == []
    assert "Checked." in html


def test_pages_render_markdown(client, admin_user):
    workflow.update_public_page(
        "team",
        actor=admin_user,
        title="Who we are",
        body="### Editors\n\n- **Ana** — [profile](https://harbourfacts.org/ana)",
    )

    html = client.get(_about("team")).content.decode()

    assert "<h3>Editors</h3>" in html
    assert "<strong>Ana</strong>" in html
    assert 'href="https://harbourfacts.org/ana"' in html


def test_the_ratings_page_lists_the_scale_in_use(client, admin_user):
    workflow.update_rating(rating("half-true"), actor=admin_user, active=False)

    html = client.get(_about("ratings")).content.decode()

    assert 'data-rating="false">False</span>' in html
    assert "The claim is inaccurate." in html
    assert "1 of 5 (1 worst, 5 best)" in html
    assert "Not a factual claim" in html
    assert "No: listed with its rating, without ClaimReview" in html
    assert html.count("<td>Yes</td>") == 5  # true … false, unverifiable; not half
    assert "Half true" not in html  # retired: no longer part of the scale


def test_the_ratings_page_follows_a_scale_change(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.get(_about("ratings"))  # cached

    with django_capture_on_commit_callbacks(execute=True):
        workflow.update_rating(
            rating("false"), actor=admin_user, description="Plainly wrong."
        )

    assert "Plainly wrong." in client.get(_about("ratings")).content.decode()


def test_an_edited_page_is_shown_at_once_though_pages_are_cached(
    client, admin_user, django_capture_on_commit_callbacks, django_assert_num_queries
):
    client.get(_about("funding"))
    with django_assert_num_queries(0):
        client.get(_about("funding"))  # served from the cache

    with django_capture_on_commit_callbacks(execute=True):
        workflow.update_public_page(
            "funding", actor=admin_user, title="Funding", body="Member dues."
        )

    assert "Member dues." in client.get(_about("funding")).content.decode()


def test_every_public_page_footer_links_every_transparency_page(client, published):
    pages = [
        reverse("public-index"),
        reverse("public-summary", args=[published.slug]),
        reverse("public-claim", args=[published.slug, 1]),
        _about("ratings"),
    ]

    for url in pages:
        links = links_in(client.get(url).content.decode())
        for kind in KINDS:
            assert _about(kind) in links, (url, kind)


def test_claim_pages_link_ratings_and_methodology_next_to_the_verdict(
    client, published
):
    html = client.get(reverse("public-claim", args=[published.slug, 1])).text

    verdict = html[html.index('class="verdict') : html.index('id="why-h"')]
    assert f'href="{_about("ratings")}"' in verdict
    assert f'href="{_about("methodology")}"' in verdict


# --- The organisation markup ----------------------------------------------------------


@pytest.mark.parametrize("url", [reverse("public-index")] + [_about(k) for k in KINDS])
def test_index_and_about_pages_carry_the_organisation_markup(client, url):
    html = client.get(url).content.decode()

    [markup] = organisations_in(html)
    assert markup["@type"] == "NewsMediaOrganization"
    assert markup["name"] == "Factcheck Desk"
    assert markup["url"] == "https://factcheck.example"
    base = "http://testserver"
    assert markup["publishingPrinciples"] == base + _about("methodology")
    assert markup["correctionsPolicy"] == base + _about("corrections")
    assert markup["ownershipFundingInfo"] == base + _about("funding")
    assert markup["actionableFeedbackPolicy"] == base + _about("corrections")
    assert markup["verificationFactCheckingPolicy"] == base + _about("ratings")
    assert markup["masthead"] == base + _about("team")
    assert "logo" not in markup


def test_the_markup_names_the_saved_publisher_with_its_logo(
    client, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.update_publisher(
            actor=admin_user,
            name="Harbour Fact Check",
            url="https://harbourfacts.org",
            logo_url="https://harbourfacts.org/logo.png",
        )

    [markup] = organisations_in(client.get(reverse("public-index")).text)

    assert (markup["name"], markup["url"], markup["logo"]) == (
        "Harbour Fact Check",
        "https://harbourfacts.org",
        "https://harbourfacts.org/logo.png",
    )


def test_the_policy_urls_of_the_markup_resolve(client):
    [markup] = organisations_in(client.get(reverse("public-index")).text)

    for prop in organisation.POLICY_PROPERTIES:
        path = markup[prop].removeprefix("http://testserver")
        assert client.get(path).status_code == 200, prop


# --- check_claimreview --all ----------------------------------------------------------


def test_check_claimreview_checks_the_transparency_pages_too(published, capsys):
    call_command("check_claimreview", "--all")

    out = capsys.readouterr().out
    assert "ClaimReview OK on 3 page(s)" in out
    assert "Transparency pages and organisation markup OK." in out


def test_check_claimreview_fails_on_an_empty_transparency_page(
    published, admin_user, capsys
):
    workflow.update_public_page("funding", actor=admin_user, title="Funding", body="")

    with pytest.raises(CommandError):
        call_command("check_claimreview", "--all")

    assert "(funding) has no text" in capsys.readouterr().err
