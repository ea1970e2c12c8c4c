"""Service accounts: a program's account that API tokens act as.

Admins create them on the team page (a name and a role); they have no usable
password, cannot sign in or be given a password, never hold the admin role, and are
marked as service accounts wherever their names show.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from factcheck import people, workflow
from factcheck.audit import AuditAction
from factcheck.models import AuditEvent, User
from factcheck.roles import Role, roles_of

from .factories import make_article, make_service_account

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _create(client, **data):
    form = {"service-username": "cms-bot", "service-role": "reviewer"}
    form.update({f"service-{k}": v for k, v in data.items()})
    return client.post(reverse("service-account-create"), form)


def test_an_admin_creates_one_on_the_team_page(client, admin_user):
    client.force_login(admin_user)
    assert reverse("service-account-create") in client.get(reverse("team")).text

    response = _create(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("token-list")
    bot = User.objects.get(username="cms-bot")
    assert bot.is_service_account and bot.is_active
    assert not bot.has_usable_password() and bot.email == ""
    assert roles_of(bot) == [Role.REVIEWER]
    [event] = AuditEvent.objects.filter(action=AuditAction.SERVICE_ACCOUNT_CREATED)
    assert (event.actor, event.subject_user) == (admin_user, bot)
    assert event.data == {"roles": ["reviewer"]}


def test_bad_input_re_renders_the_form(client, admin_user):
    client.force_login(admin_user)
    people.create_user(actor=admin_user, username="taken", roles=[Role.REVIEWER])

    taken = _create(client, username="taken")
    odd = _create(client, username="no spaces!")
    admin = _create(client, role="admin")

    assert (taken.status_code, odd.status_code, admin.status_code) == (400, 400, 400)
    assert "is taken" in taken.text
    assert not User.objects.filter(is_service_account=True).exists()


def test_never_an_admin(admin_user):
    with pytest.raises(ValidationError, match="Reviewer or Editor"):
        people.create_service_account(
            actor=admin_user, username="bot", roles=[Role.ADMIN]
        )
    bot = make_service_account()

    with pytest.raises(ValidationError, match="cannot be an admin"):
        people.set_roles(bot, actor=admin_user, roles=[Role.EDITOR, Role.ADMIN])

    people.set_roles(bot, actor=admin_user, roles=[Role.EDITOR])
    assert roles_of(bot) == [Role.EDITOR]


@pytest.mark.parametrize("persona", ["reviewer", "editor", "outsider"])
def test_only_admins_create_them(request, client, persona):
    actor = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        people.create_service_account(actor=actor, username="bot", roles=["reviewer"])
    client.force_login(actor)
    assert _create(client).status_code == 403
    assert not User.objects.filter(is_service_account=True).exists()


def test_it_cannot_sign_in_or_get_a_password(client, admin_user):
    bot = make_service_account(username="cms-bot")

    response = client.post(
        reverse("login"), {"username": "cms-bot", "password": "anything-at-all-42"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session

    with pytest.raises(ValidationError, match="no password"):
        people.send_password_reset(
            bot, actor=admin_user, request_base_url="http://testserver"
        )
    with pytest.raises(ValidationError, match="no password"):
        people.accept_invitation(bot, password="a-long-and-unusual-passphrase-42")
    bot.refresh_from_db()
    assert not bot.has_usable_password()


def test_the_team_list_marks_it_and_offers_no_password_reset(client, admin_user):
    bot = make_service_account(username="cms-bot")
    client.force_login(admin_user)

    html = client.get(reverse("team")).text

    row = html.split(f'id="user-{bot.pk}"')[1].split("</tr>")[0]
    assert "service account</span>" in row
    assert "Invited" not in row
    assert reverse("team-reset-password", args=[bot.pk]) not in row


def test_its_name_says_so_wherever_it_shows(client, admin_user, editor):
    bot = make_service_account(username="cms-bot")
    article = make_article(actor=bot)
    workflow.create_api_token(actor=admin_user, user=bot, name="CMS")
    client.force_login(editor)

    page = client.get(reverse("article-detail", args=[article.pk])).text

    assert str(bot) == "cms-bot (service account)"
    assert "ingested by cms-bot (service account)" in page
