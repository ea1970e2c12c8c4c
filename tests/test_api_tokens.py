"""API tokens: admins create them (the secret shown once, only a hash stored) and
revoke them; both are audited; the team screen manages them."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from factcheck import people, workflow
from factcheck.audit import AuditAction
from factcheck.models import ApiToken, AuditEvent
from factcheck.roles import Role

from .factories import make_user

pytestmark = pytest.mark.django_db


# --- Workflow -------------------------------------------------------------------------


def test_create_returns_the_secret_once_and_stores_only_its_hash(admin_user, reviewer):
    token, secret = workflow.create_api_token(
        actor=admin_user, user=reviewer, name="  CMS   production "
    )

    token.refresh_from_db()
    assert token.name == "CMS production"
    assert (token.user, token.created_by) == (reviewer, admin_user)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.key_prefix == secret[:8]
    assert len(secret) >= 40
    stored = [str(v) for v in ApiToken.objects.values().get().values()]
    assert secret not in stored
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_CREATED)
    assert event.actor == admin_user and event.subject_user == reviewer
    assert event.data == {"token": token.pk, "prefix": secret[:8], "name": token.name}
    assert secret not in str(event.data) + event.summary


def test_secrets_differ(admin_user, reviewer):
    one = workflow.create_api_token(actor=admin_user, user=reviewer, name="A")[1]
    two = workflow.create_api_token(actor=admin_user, user=reviewer, name="A")[1]

    assert one != two


@pytest.mark.parametrize("persona", ["reviewer", "editor", "outsider"])
def test_only_admins_create_tokens(request, persona, reviewer):
    actor = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        workflow.create_api_token(actor=actor, user=reviewer, name="Mine")

    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.TOKEN_CREATED).exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_sensible_name(admin_user, reviewer, name):
    with pytest.raises(ValidationError):
        workflow.create_api_token(actor=admin_user, user=reviewer, name=name)

    assert not ApiToken.objects.exists()


def test_no_token_for_a_deactivated_user(admin_user):
    gone = make_user(role=Role.REVIEWER, username="gone")
    people.deactivate_user(gone, actor=admin_user)

    with pytest.raises(ValidationError):
        workflow.create_api_token(actor=admin_user, user=gone, name="CMS")

    assert not ApiToken.objects.exists()


def test_revoke_marks_the_token_and_audits(admin_user, reviewer):
    token, _ = workflow.create_api_token(actor=admin_user, user=reviewer, name="CMS")

    workflow.revoke_api_token(token, actor=admin_user)

    token.refresh_from_db()
    assert token.revoked_at is not None and not token.is_active
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert event.actor == admin_user and event.subject_user == reviewer
    assert event.data["token"] == token.pk
    with pytest.raises(ValidationError):
        workflow.revoke_api_token(token, actor=admin_user)
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED).count() == 1


def test_only_admins_revoke(admin_user, editor, reviewer):
    token, _ = workflow.create_api_token(actor=admin_user, user=reviewer, name="CMS")

    with pytest.raises(PermissionDenied):
        workflow.revoke_api_token(token, actor=editor)

    token.refresh_from_db()
    assert token.revoked_at is None


# --- The token screen ---------------------------------------------------------------


def test_the_team_page_links_to_the_tokens(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("team"))

    assert reverse("token-list") in response.content.decode()


def test_list_shows_tokens_without_secrets(client, admin_user, reviewer):
    token, secret = workflow.create_api_token(
        actor=admin_user, user=reviewer, name="CMS <b>prod</b>"
    )
    client.force_login(admin_user)

    response = client.get(reverse("token-list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "CMS &lt;b&gt;prod&lt;/b&gt;" in html
    assert token.key_prefix in html and reviewer.username in html
    assert secret not in html
    assert reverse("token-revoke", args=[token.pk]) in html


def test_create_view_shows_the_secret_once(client, admin_user, reviewer):
    client.force_login(admin_user)

    response = client.post(
        reverse("token-create"), {"user": reviewer.pk, "name": "CMS"}
    )

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


def test_create_view_refuses_bad_input_with_the_form(client, admin_user, reviewer):
    client.force_login(admin_user)

    missing = client.post(reverse("token-create"), {"user": reviewer.pk, "name": ""})
    forged = client.post(reverse("token-create"), {"user": 999999, "name": "CMS"})

    assert missing.status_code == 400 and forged.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_view(client, admin_user, reviewer):
    token, secret = workflow.create_api_token(
        actor=admin_user, user=reviewer, name="CMS"
    )
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
    client, admin_user, reviewer, django_assert_max_num_queries
):
    client.force_login(admin_user)
    workflow.create_api_token(actor=admin_user, user=reviewer, name="one")
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("token-list"))
    for n in range(10):
        user = make_user(role=Role.REVIEWER)
        workflow.create_api_token(actor=admin_user, user=user, name=f"cms {n}")

    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("token-list"))
