"""Setting, changing and clearing who made a claim: the workflow function and the
claim workspace's panel, with and without htmx, and every refusal."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from factcheck import workflow
from factcheck.models import AuditEvent, Claimant, ClaimState
from factcheck.workflow import Conflict, InvalidTransition

from .factories import make_article, make_claim, rating

pytestmark = pytest.mark.django_db

WIKIDATA = "https://www.wikidata.org/wiki/Q42"


def _unattributed(reviewer):
    article = make_article(actor=reviewer, lines=["Ferry traffic rose 6 percent."])
    return article.claims.get()


def _events(claim):
    return list(AuditEvent.objects.filter(claim=claim, action="claim.claimant_set"))


def test_a_reviewer_names_the_claimant_with_one_audit_event(reviewer):
    claim = _unattributed(reviewer)
    version = claim.version

    claim = workflow.set_claimant(
        claim,
        actor=reviewer,
        name="  Edda   Holm ",
        kind="person",
        role="Minister of Shipping",
        same_as=WIKIDATA,
        expected_version=version,
    )

    claimant = claim.claimant
    assert (claimant.name, claimant.kind, claimant.role, claimant.same_as) == (
        "Edda Holm",
        "person",
        "Minister of Shipping",
        WIKIDATA,
    )
    assert claimant.slug == "edda-holm"
    assert claim.version == version + 1
    [event] = _events(claim)
    assert event.data["before"] is None
    assert event.data["after"]["name"] == "Edda Holm"
    assert event.data["created"] is True


def test_the_kind_is_guessed_from_the_name_when_not_given(reviewer):
    claim = workflow.set_claimant(
        _unattributed(reviewer), actor=reviewer, name="Lindholm Port Authority"
    )

    assert claim.claimant.kind == "organisation"


def test_another_name_points_the_claim_elsewhere_and_leaves_others_alone(reviewer):
    article = make_article(
        actor=reviewer,
        lines=["Edda Holm said 40 ferries run.", "Edda Holm said fares fell."],
    )
    first, second = article.claims.order_by("start")
    edda = first.claimant

    first = workflow.set_claimant(first, actor=reviewer, name="Bo Lind")

    second.refresh_from_db()
    assert first.claimant.name == "Bo Lind"
    assert second.claimant_id == edda.pk
    assert Claimant.objects.filter(pk=edda.pk, name="Edda Holm").exists()


def test_the_same_name_in_any_case_edits_the_shared_claimant(reviewer):
    article = make_article(
        actor=reviewer,
        lines=["Edda Holm said 40 ferries run.", "Edda Holm said fares fell."],
    )
    first, second = article.claims.order_by("start")

    workflow.set_claimant(
        first, actor=reviewer, name="edda holm", role="Shipping minister"
    )

    second.refresh_from_db()
    assert second.claimant.role == "Shipping minister"
    assert Claimant.objects.count() == 1
    assert _events(first)[0].data["changed"] == ["name", "role"]


def test_clearing_leaves_the_claim_without_a_claimant(reviewer):
    claim = make_article(actor=reviewer, lines=["Bo Lind said 9 bridges closed."])
    claim = claim.claims.get()

    claim = workflow.set_claimant(claim, actor=reviewer, name=None)

    assert claim.claimant is None
    assert _events(claim)[0].data["after"] is None
    with pytest.raises(ValidationError, match="no claimant to clear"):
        workflow.set_claimant(claim, actor=reviewer, name=None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "   "}, "name"),
        ({"name": "N" * 201}, "200 characters"),
        ({"name": "Bo Lind", "role": "r" * 201}, "200 characters"),
        ({"name": "Bo Lind", "kind": "robot"}, "person or an organisation"),
        ({"name": "Bo Lind", "same_as": "ftp://files.example/bo"}, "http"),
        ({"name": "Bo Lind", "same_as": "javascript:alert(1)"}, "http"),
        ({"name": "Bo Lind", "same_as": "https://x.example/" + "a" * 500}, "500"),
        ({"name": "Factcheck Desk"}, "fact-checking organisation itself"),
        ({"name": "Bo\u202eLind"}, "control characters"),
        ({"name": "Bo Lind", "role": "mayor\x07"}, "control characters"),
        ({"name": "-- ..."}, "needs letters"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(reviewer, fields, message):
    claim = _unattributed(reviewer)

    with pytest.raises(ValidationError, match=message):
        workflow.set_claimant(claim, actor=reviewer, **fields)

    claim.refresh_from_db()
    assert claim.claimant is None and not Claimant.objects.exists()
    assert _events(claim) == []


def test_nothing_changed_is_refused(reviewer):
    claim = workflow.set_claimant(_unattributed(reviewer), actor=reviewer, name="Bo")

    with pytest.raises(ValidationError, match="Nothing changed"):
        workflow.set_claimant(claim, actor=reviewer, name="Bo", kind="person")


def test_a_stale_form_is_a_conflict(reviewer):
    claim = _unattributed(reviewer)
    stale = claim.version
    workflow.set_claimant(claim, actor=reviewer, name="Bo Lind")

    with pytest.raises(Conflict):
        workflow.set_claimant(
            claim, actor=reviewer, name="Edda Holm", expected_version=stale
        )


def test_only_the_assignee_or_an_editor_once_taken(reviewer, other_reviewer, editor):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)

    with pytest.raises(PermissionDenied):
        workflow.set_claimant(claim, actor=other_reviewer, name="Bo Lind")
    workflow.set_claimant(claim, actor=editor, name="Bo Lind")
    workflow.set_claimant(claim, actor=reviewer, name="Edda Holm")


def test_admins_without_a_desk_role_may_not(admin_user, reviewer):
    with pytest.raises(PermissionDenied):
        workflow.set_claimant(_unattributed(reviewer), actor=admin_user, name="Bo")


def test_a_decided_claim_changes_only_after_reopening(reviewer, editor, other_editor):
    submitted = make_claim(state=ClaimState.SUBMITTED, reviewer=reviewer)
    with pytest.raises(InvalidTransition):
        workflow.set_claimant(submitted, actor=editor, name="Bo Lind")
    approved = make_claim(state=ClaimState.APPROVED, reviewer=reviewer, editor=editor)
    with pytest.raises(InvalidTransition):
        workflow.set_claimant(approved, actor=editor, name="Bo Lind")

    reopened = workflow.reopen_claim(approved, actor=other_editor, reason="Who?")
    reopened = workflow.set_claimant(reopened, actor=editor, name="Bo Lind")

    assert reopened.claimant.name == "Bo Lind"


# --- HTTP -------------------------------------------------------------------------


def _url(claim) -> str:
    return reverse("claim-claimant", args=[claim.pk])


def _form(claim, **fields) -> dict:
    return {"version": claim.version, "kind": "", "role": "", "same_as": "", **fields}


def test_the_workspace_shows_the_claimant_and_the_form(client, reviewer):
    claim = make_article(
        actor=reviewer, lines=["Edda Holm, the shipping minister, said fares fell."]
    ).claims.get()
    client.force_login(reviewer)

    page = client.get(claim.get_absolute_url()).text

    assert 'id="claim-claimant"' in page
    assert "Edda Holm" in page and "shipping minister" in page
    assert f'action="{_url(claim)}"' in page


def test_a_plain_post_saves_and_redirects(client, reviewer):
    claim = _unattributed(reviewer)
    client.force_login(reviewer)

    response = client.post(
        _url(claim), _form(claim, name="Edda Holm", same_as=WIKIDATA)
    )

    assert response.status_code == 302
    assert response["Location"] == claim.get_absolute_url()
    claim.refresh_from_db()
    assert (claim.claimant.name, claim.claimant.same_as) == ("Edda Holm", WIKIDATA)
    assert len(_events(claim)) == 1


def test_the_clear_button_clears(client, reviewer):
    claim = make_article(actor=reviewer, lines=["Bo Lind said 9 bridges closed."])
    claim = claim.claims.get()
    client.force_login(reviewer)

    response = client.post(_url(claim), _form(claim, name="Bo Lind", clear="1"))

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.claimant is None


def test_htmx_gets_the_panel_and_the_other_forms_versions(client, reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    client.force_login(reviewer)

    response = client.post(
        _url(claim), _form(claim, name="Edda Holm"), headers={"HX-Request": "true"}
    )

    html = response.text
    claim.refresh_from_db()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="claim-claimant"' in html and "Claimant saved." in html
    assert (
        'id="claim-status" class="card" aria-labelledby="status-h" hx-swap-oob' in html
    )
    fresh = re.search(r'value="(\d+)" id="verdict-version" hx-swap-oob="true"', html)
    assert fresh and int(fresh.group(1)) == claim.version
    # The verdict form, now at the fresh version, saves without a conflict.
    saved = client.post(
        reverse("verdict-save", args=[claim.pk]),
        {"version": fresh.group(1), "rating": rating("false").pk, "rationale": "R"},
    )
    assert saved.status_code == 302
    assert claim.verdicts.filter(is_current=True, rationale="R").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Give the claimant"),
        ({"name": "N" * 201}, "at most 200 characters"),
        ({"name": "Bo", "same_as": "ftp://files.example/bo"}, "http:// or https://"),
        ({"name": "Bo", "kind": "robot"}, "Select a valid choice"),
        ({"name": "Bo", "version": "abc"}, "whole number"),
        ({"name": "Factcheck Desk"}, "fact-checking organisation itself"),
    ],
)
def test_bad_input_over_http_is_a_clear_400(client, reviewer, fields, message):
    claim = _unattributed(reviewer)
    client.force_login(reviewer)

    page = client.post(_url(claim), _form(claim, **fields))
    panel = client.post(
        _url(claim), _form(claim, **fields), headers={"HX-Request": "true"}
    )

    assert page.status_code == 400 and message in page.text
    assert panel.status_code == 200 and message in panel.text
    assert "<html" not in panel.text
    claim.refresh_from_db()
    assert claim.claimant is None and _events(claim) == []


def test_a_stale_form_over_http_is_a_409_that_keeps_the_entries(client, reviewer):
    claim = _unattributed(reviewer)
    stale = _form(claim, name="Sigrun Dahl", role="Harbour pilot")
    workflow.set_claimant(claim, actor=reviewer, name="Bo Lind")
    client.force_login(reviewer)

    response = client.post(_url(claim), stale)

    claim.refresh_from_db()
    assert response.status_code == 409
    assert "Someone else changed this claim" in response.text
    assert 'value="Sigrun Dahl"' in response.text
    assert claim.claimant.name == "Bo Lind"


def test_forged_ids_wrong_roles_and_other_peoples_claims(
    client, reviewer, other_reviewer, admin_user
):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    data = _form(claim, name="Bo Lind")

    client.force_login(reviewer)
    forged = client.post(reverse("claim-claimant", args=[999_999]), data)
    client.force_login(other_reviewer)
    not_theirs = client.post(_url(claim), data)
    hidden = client.get(claim.get_absolute_url()).text
    client.force_login(admin_user)
    admin = client.post(_url(claim), data)

    assert forged.status_code == 404
    assert not_theirs.status_code == 403
    assert f'action="{_url(claim)}"' not in hidden
    assert admin.status_code == 403
    assert _events(claim) == []
