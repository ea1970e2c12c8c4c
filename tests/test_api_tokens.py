"""API tokens: admins create them (the secret shown once, only a hash stored) and
revoke them; both are audited; the team screen manages them."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from factcheck import people, workflow
from factcheck.audit import AuditAction
from factcheck.models import ApiToken, AuditEvent
from factcheck.roles import Role

from .factories import make_service_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def cms(db):
    """A CMS's service account with the reviewer role: what a token acts as."""
    return make_service_account(role=Role.REVIEWER, username="cms")


# --- Workflow -------------------------------------------------------------------------


def test_create_returns_the_secret_once_and_stores_only_its_hash(admin_user, cms):
    token, secret = workflow.create_api_token(
        actor=admin_user, user=cms, name="  CMS   production "
    )

    token.refresh_from_db()
    assert token.name == "CMS production"
    assert (token.user, token.created_by) == (cms, admin_user)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.key_prefix == secret[:8]
    assert len(secret) >= 40
    stored = [str(v) for v in ApiToken.objects.values().get().values()]
    assert secret not in stored
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_CREATED)
    assert event.actor == admin_user and event.subject_user == cms
    assert event.data == {"token": token.pk, "prefix": secret[:8], "name": token.name}
    assert secret not in str(event.data) + event.summary


def test_secrets_differ(admin_user, cms):
    one = workflow.create_api_token(actor=admin_user, user=cms, name="A")[1]
    two = workflow.create_api_token(actor=admin_user, user=cms, name="A")[1]

    assert one != two


@pytest.mark.parametrize("persona", ["reviewer", "editor", "outsider"])
def test_only_admins_create_tokens(request, persona, cms):
    actor = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        workflow.create_api_token(actor=actor, user=cms, name="Mine")

    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.TOKEN_CREATED).exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_sensible_name(admin_user, cms, name):
    with pytest.raises(ValidationError):
        workflow.create_api_token(actor=admin_user, user=cms, name=name)

    assert not ApiToken.objects.exists()


def test_no_token_for_a_deactivated_user(admin_user):
    gone = make_service_account(username="gone")
    people.deactivate_user(gone, actor=admin_user)

    with pytest.raises(ValidationError):
        workflow.create_api_token(actor=admin_user, user=gone, name="CMS")

    assert not ApiToken.objects.exists()


def test_revoke_marks_the_token_and_audits(admin_user, cms):
    token, _ = workflow.create_api_token(actor=admin_user, user=cms, name="CMS")

    workflow.revoke_api_token(token, actor=admin_user)

    token.refresh_from_db()
    assert token.revoked_at is not None and not token.is_active
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert event.actor == admin_user and event.subject_user == cms
    assert event.data["token"] == token.pk
    with pytest.raises(ValidationError):
        workflow.revoke_api_token(token, actor=admin_user)
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED).count() == 1


def test_only_admins_revoke(admin_user, editor, cms):
    token, _ = workflow.create_api_token(actor=admin_user, user=cms, name="CMS")

    with pytest.raises(PermissionDenied):
        workflow.revoke_api_token(token, actor=editor)

    token.refresh_from_db()
    assert token.revoked_at is None


# --- The token screen ---------------------------------------------------------------


def test_the_team_page_links_to_the_tokens(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("team"))

    assert reverse("token-list") in response.content.decode()


def test_list_shows_tokens_without_secrets(client, admin_user, cms):
    token, secret = workflow.create_api_token(
        actor=admin_user, user=cms, name="CMS <b>prod</b>"
    )
    client.force_login(admin_user)

    response = client.get(reverse("token-list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "CMS &lt;b&gt;prod&lt;/b&gt;" in html
    assert token.key_prefix in html and cms.username in html
    assert secret not in html
    assert reverse("token-revoke", args=[token.pk]) in html


def test_create_view_shows_the_secret_once(client, admin_user, cms):
    client.force_login(admin_user)

    response = client.post(reverse("token-create"), {"user": cms.pk, "name": "CMS"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    html = response.content.decode()
    secrets_shown = [
        part.split('"')[0] for part in html.split('value="')[1:] if "fcd_" in part
    ]
    assert len(secrets_shown) == 1
    secret = secrets_shown[0]
    assert hashlib.sha256(secret.encode()).hexdigest() == token.key_hash
    # The next visit shows the token, never the secret again.
    assert secret not in client.get(reverse("token-list")).content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_CREATED).count() == 1


def test_create_view_refuses_bad_input_with_the_form(client, admin_user, cms):
    client.force_login(admin_user)

    missing = client.post(reverse("token-create"), {"user": cms.pk, "name": ""})
    forged = client.post(reverse("token-create"), {"user": 999999, "name": "CMS"})

    assert missing.status_code == 400 and forged.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_view(client, admin_user, cms):
    token, secret = workflow.create_api_token(actor=admin_user, user=cms, name="CMS")
    client.force_login(admin_user)

    response = client.post(reverse("token-revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    again = client.post(reverse("token-revoke", args=[token.pk]), follow=True)
    assert "already revoked" in again.content.decode()
    assert client.post(reverse("token-revoke", args=[999999])).status_code == 404
    api = client.get("/api/articles", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401


@pytest.mark.parametrize("persona", ["reviewer", "editor"])
def test_non_admins_cannot_use_the_screen(client, request, persona, admin_user):
    token, _ = workflow.create_api_token(actor=admin_user, user=admin_user, name="CMS")
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("token-list")).status_code == 403
    assert client.post(reverse("token-create"), {"name": "x"}).status_code == 403
    assert client.post(reverse("token-revoke", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_list_uses_a_constant_number_of_queries(
    client, admin_user, cms, django_assert_max_num_queries
):
    client.force_login(admin_user)
    workflow.create_api_token(actor=admin_user, user=cms, name="one")
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("token-list"))
    for n in range(10):
        user = make_service_account()
        workflow.create_api_token(actor=admin_user, user=user, name=f"cms {n}")

    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("token-list"))


# --- Whom a token acts as: its creator or a service account ----------------------


def test_a_token_never_acts_as_another_person(admin_user, reviewer):
    with pytest.raises(ValidationError, match="never as another person"):
        workflow.create_api_token(actor=admin_user, user=reviewer, name="CMS")

    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.TOKEN_CREATED).exists()


def test_a_token_may_act_as_its_creator_or_a_service_account(admin_user, cms):
    own, _ = workflow.create_api_token(actor=admin_user, user=admin_user, name="Mine")
    bot, _ = workflow.create_api_token(actor=admin_user, user=cms, name="CMS")

    assert (own.user, bot.user) == (admin_user, cms)
    assert not own.acts_as_another_person and not bot.acts_as_another_person


def test_the_form_offers_only_yourself_and_service_accounts(
    client, admin_user, reviewer, cms
):
    client.force_login(admin_user)

    html = client.get(reverse("token-list")).content.decode()

    options = re.findall(r'<option value="(\d+)"', html)
    assert sorted(map(int, options)) == sorted([admin_user.pk, cms.pk])


def test_creating_a_token_for_another_person_is_a_form_error(
    client, admin_user, reviewer
):
    client.force_login(admin_user)

    response = client.post(
        reverse("token-create"), {"user": reviewer.pk, "name": "CMS"}
    )

    assert response.status_code == 400
    assert "never as another person" in response.content.decode()
    assert "fcd_" not in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_made_before_the_rule_still_works_and_is_flagged(
    client, admin_user, editor
):
    # Such a token can no longer be made through the workflow: write the row as an
    # earlier version of the desk did.
    secret = "fcd_" + "legacy-secret-for-the-test-0123456789"
    legacy = ApiToken.objects.create(
        user=editor,
        name="Old CMS",
        key_prefix=secret[:8],
        key_hash=hashlib.sha256(secret.encode()).hexdigest(),
        created_by=admin_user,
    )
    client.force_login(admin_user)

    html = client.get(reverse("token-list")).content.decode()
    api = Client().get("/api/articles", headers={"Authorization": f"Bearer {secret}"})

    assert legacy.acts_as_another_person
    row = html.split(f'id="token-{legacy.pk}"')[1].split("</tr>")[0]
    assert "acts as another person" in row
    assert api.status_code == 200


def test_the_list_marks_service_accounts(client, admin_user, cms):
    workflow.create_api_token(actor=admin_user, user=cms, name="CMS")
    client.force_login(admin_user)

    html = client.get(reverse("token-list")).content.decode()

    assert "service account</span>" in html
    assert "acts as another person</span>" not in html
