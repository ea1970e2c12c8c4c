"""The verdict scale: admins edit it, changes are audited, old verdicts keep meaning."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from factcheck import ratingstyles, workflow
from factcheck.audit import AuditAction
from factcheck.models import AuditEvent, ClaimState, Rating, Verdict, VerdictState

from .factories import make_claim, rating

pytestmark = pytest.mark.django_db

NEW = {
    "label": "Needs context",
    "description": "True, but missing what changes its meaning.",
    "colour": "#FFD166",
    "order": 8,
    "value": None,
    "requires_source": True,
    "required_approvals": 2,
    "active": True,
}


def _form(**overrides) -> dict:
    data = {**NEW, **overrides}
    form = {k: v for k, v in data.items() if v not in (None, False)}
    form["value"] = "" if data["value"] is None else str(data["value"])
    return form


def test_create_rating_audits_and_fixes_its_slug(admin_user):
    new = workflow.create_rating(actor=admin_user, **NEW)

    assert (new.slug, new.colour, new.required_approvals) == (
        "needs-context",
        "#ffd166",
        2,
    )
    [event] = AuditEvent.objects.filter(action=AuditAction.RATING_CREATED)
    assert event.actor == admin_user
    assert event.data["after"]["label"] == "Needs context"


def test_only_admins_edit_the_scale(editor, reviewer):
    for actor in (editor, reviewer):
        with pytest.raises(PermissionDenied):
            workflow.create_rating(actor=actor, **NEW)
        with pytest.raises(PermissionDenied):
            workflow.update_rating(rating("false"), actor=actor, colour="#000000")
    assert not AuditEvent.objects.filter(action__startswith="rating.")


@pytest.mark.parametrize(
    "bad",
    [
        {"colour": "red"},
        {"colour": "#12345"},
        {"value": 6},
        {"value": 0},
        {"required_approvals": 0},
        {"label": "   "},
        {"label": "x" * 61},
        {"label": "false"},  # taken, case-insensitively
    ],
)
def test_invalid_values_are_refused(admin_user, bad):
    with pytest.raises(ValidationError):
        workflow.create_rating(actor=admin_user, **{**NEW, **bad})
    assert not Rating.objects.filter(slug__startswith="needs").exists()


def test_update_audits_before_and_after_only_of_what_changed(admin_user):
    false = rating("false")

    workflow.update_rating(
        false, actor=admin_user, label="Incorrect", colour="#9b2226", order=5
    )

    [event] = AuditEvent.objects.filter(action=AuditAction.RATING_CHANGED)
    assert event.data["before"] == {"label": "False"}
    assert event.data["after"] == {"label": "Incorrect"}
    assert rating("false").label == "Incorrect"  # the slug never changes

    workflow.update_rating(false, actor=admin_user, label="Incorrect")
    assert AuditEvent.objects.filter(action=AuditAction.RATING_CHANGED).count() == 1


def test_a_used_rating_keeps_its_value_but_can_be_retired(admin_user):
    claim = make_claim(state=ClaimState.APPROVED)  # approved with "False" (1)
    false = rating("false")

    with pytest.raises(ValidationError, match="numeric value"):
        workflow.update_rating(false, actor=admin_user, value=2)
    workflow.update_rating(false, actor=admin_user, active=False, colour="#7f1d1d")

    false.refresh_from_db()
    assert (false.value, false.active, false.colour) == (1, False, "#7f1d1d")
    verdict = Verdict.objects.get(claim=claim, is_current=True)
    assert verdict.state == VerdictState.APPROVED and verdict.rating == false
    # An unused rating may change its value.
    workflow.update_rating(rating("half-true"), actor=admin_user, value=2)


def test_a_retired_rating_cannot_be_chosen_for_new_verdicts(admin_user, reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    workflow.add_source(
        claim, actor=reviewer, url="https://example.org/a", title="A source"
    )
    workflow.update_rating(rating("true"), actor=admin_user, active=False)

    with pytest.raises(ValidationError, match="no longer in use"):
        workflow.submit_verdict(
            claim, actor=reviewer, rating=rating("true"), rationale="Checked."
        )


def test_the_last_active_rating_stays_active(admin_user):
    *others, last = list(Rating.objects.order_by("pk"))
    for r in others:
        workflow.update_rating(r, actor=admin_user, active=False)

    with pytest.raises(ValidationError, match="At least one"):
        workflow.update_rating(last, actor=admin_user, active=False)


# --- HTTP -----------------------------------------------------------------------------


def test_admin_adds_and_edits_ratings_over_http(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("rating-list")).status_code == 200
    assert client.get(reverse("rating-create")).status_code == 200
    created = client.post(reverse("rating-create"), _form())
    assert created.status_code == 302
    new = Rating.objects.get(slug="needs-context")
    edit_url = reverse("rating-edit", args=[new.pk])
    assert client.get(edit_url).status_code == 200
    edited = client.post(edit_url, _form(colour="#118ab2", value=3))

    assert edited.status_code == 302
    new.refresh_from_db()
    assert (new.colour, new.value) == ("#118ab2", 3)
    assert AuditEvent.objects.filter(action__startswith="rating.").count() == 2


def test_bad_input_over_http_is_400_and_keeps_text(client, admin_user):
    client.force_login(admin_user)
    false = rating("false")

    response = client.post(
        reverse("rating-edit", args=[false.pk]),
        _form(label="Wrong", colour="javascript:"),
    )

    assert response.status_code == 400
    assert b'value="Wrong"' in response.content
    assert rating("false").label == "False"


def test_refused_value_change_over_http_is_400(client, admin_user):
    make_claim(state=ClaimState.APPROVED)
    false = rating("false")
    client.force_login(admin_user)

    response = client.post(
        reverse("rating-edit", args=[false.pk]),
        _form(label="False", colour=false.colour, value=3, order=false.order),
    )

    assert response.status_code == 400
    assert "numeric value" in response.content.decode()
    assert rating("false").value == 1


@pytest.mark.parametrize("persona", ["reviewer", "editor"])
def test_non_admins_get_403(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    false = rating("false")

    assert client.get(reverse("rating-list")).status_code == 403
    assert client.post(reverse("rating-create"), _form()).status_code == 403
    assert (
        client.post(reverse("rating-edit", args=[false.pk]), _form()).status_code == 403
    )
    assert not Rating.objects.filter(slug="needs-context").exists()


def test_forged_rating_id_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("rating-edit", args=[99999])).status_code == 404


# --- The stylesheet -------------------------------------------------------------------


def test_contrasting_text_colour():
    assert ratingstyles.contrasting("#ffd166") == "#000000"
    assert ratingstyles.contrasting("#1d3557") == "#ffffff"
    assert ratingstyles.contrasting("#9b2226") == "#ffffff"


def test_rating_styles_is_public_cached_css(
    client, admin_user, django_capture_on_commit_callbacks
):
    ratingstyles.forget()
    url = reverse("rating-styles")

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert "public" in response["Cache-Control"]
    css = response.content.decode()
    assert (
        '.badge.rating[data-rating="false"] { background: #9b2226; color: #ffffff;'
    ) in css
    assert (
        client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304
    )

    with django_capture_on_commit_callbacks(execute=True):
        workflow.update_rating(rating("false"), actor=admin_user, colour="#ffd166")
    css = client.get(url).content.decode()
    assert '[data-rating="false"] { background: #ffd166; color: #000000;' in css


def test_pages_link_the_rating_stylesheet(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("rating-list")).content.decode()
    assert f'href="{reverse("rating-styles")}"' in page
    assert 'data-rating="false"' in page
    assert "style=" not in page
