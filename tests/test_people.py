"""Team management: create, invite, roles, deactivation, password links; all audited."""

from __future__ import annotations

import re
import threading

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from factcheck import people
from factcheck.audit import AuditAction
from factcheck.models import AuditEvent, User
from factcheck.roles import Role, roles_of

from .factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"
HTMX = {"HX-Request": "true"}


def _events(action) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


# --- Invitation ---------------------------------------------------------------------


def test_invitation_end_to_end(
    client, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)

    # The email goes out when the invitation commits (tests/test_lock_hygiene.py).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("team-invite"),
            {
                "invite-username": "nia",
                "invite-display_name": "Nia New",
                "invite-email": "nia@desk.example",
                "invite-role": "reviewer",
            },
        )

    assert response.status_code == 302
    nia = User.objects.get(username="nia")
    assert not nia.has_usable_password()
    assert roles_of(nia) == [Role.REVIEWER]
    [event] = _events(AuditAction.USER_INVITED)
    assert (event.actor, event.subject_user) == (admin_user, nia)
    assert AuditEvent.objects.filter(subject_user=nia).count() == 1
    [mail] = mailoutbox
    assert mail.to == ["nia@desk.example"]
    link = _path(_link(mail))
    assert link.startswith("/invite/")

    visitor = Client()
    assert visitor.get(link).status_code == 200
    response = visitor.post(
        link, {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    nia.refresh_from_db()
    assert nia.check_password(PASSWORD)
    [event] = _events(AuditAction.USER_PASSWORD_SET)
    assert (event.actor, event.subject_user) == (nia, nia)
    assert visitor.login(username="nia", password=PASSWORD)
    # One-time: the link stops working once the password is set.
    assert Client().get(link).status_code == 400


def test_invitation_refuses_weak_password_and_keeps_link(client, admin_user):
    nia = people.invite_user(
        actor=admin_user,
        username="nia",
        email="nia@desk.example",
        roles=[Role.REVIEWER],
        request_base_url="http://testserver/",
    )
    link = people._one_time_path(nia, "invitation-accept")

    response = client.post(link, {"new_password1": "nia", "new_password2": "nia"})

    assert response.status_code == 400
    nia.refresh_from_db()
    assert not nia.has_usable_password()
    assert not _events(AuditAction.USER_PASSWORD_SET)
    assert client.get(link).status_code == 200


def test_forged_invitation_link_is_refused(client, reviewer):
    response = client.get(
        reverse("invitation-accept", kwargs={"uidb64": "MTIz", "token": "x-y"})
    )
    assert response.status_code == 400
    response = client.post(
        reverse("invitation-accept", kwargs={"uidb64": "!!", "token": "x"}),
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 400


def test_accept_invitation_checks_the_token_itself(admin_user):
    nia = people.invite_user(
        actor=admin_user,
        username="nia",
        email="nia@desk.example",
        roles=[Role.REVIEWER],
        request_base_url="http://testserver",
    )
    with pytest.raises(ValidationError):
        people.accept_invitation(nia, password=PASSWORD, token="1-forged")
    assert not _events(AuditAction.USER_PASSWORD_SET)


def test_invite_needs_a_valid_email_and_a_free_username(client, admin_user):
    client.force_login(admin_user)
    data = {
        "invite-username": "rae",
        "invite-email": "not-an-email",
        "invite-role": "editor",
    }

    response = client.post(reverse("team-invite"), data)

    assert response.status_code == 400
    assert b'value="rae"' in response.content  # the typed text is kept
    make_user(role=Role.REVIEWER, username="rae")
    data["invite-email"] = "rae@desk.example"
    response = client.post(reverse("team-invite"), data)
    assert response.status_code == 400
    assert "is taken" in response.content.decode()
    assert not _events(AuditAction.USER_INVITED)


# --- Create -------------------------------------------------------------------------


def test_admin_creates_an_account_with_a_password(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("team-create"),
        {
            "create-username": "ed2",
            "create-email": "",
            "create-role": "editor-admin",
            "create-password": PASSWORD,
        },
    )

    assert response.status_code == 302
    ed2 = User.objects.get(username="ed2")
    assert set(roles_of(ed2)) == {Role.EDITOR, Role.ADMIN}
    assert ed2.check_password(PASSWORD)
    [event] = AuditEvent.objects.filter(
        action=AuditAction.USER_CREATED, subject_user=ed2
    )
    assert event.actor == admin_user and event.data["roles"] == ["editor", "admin"]


def test_create_refuses_a_weak_password(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("team-create"),
        {"create-username": "ed2", "create-role": "editor", "create-password": "123"},
    )

    assert response.status_code == 400
    assert not User.objects.filter(username="ed2").exists()


def test_create_refuses_oversized_and_odd_usernames(client, admin_user):
    client.force_login(admin_user)
    for username in ["x" * 500, "<script>alert(1)</script>"]:
        response = client.post(
            reverse("team-create"),
            {
                "create-username": username,
                "create-role": "editor",
                "create-password": PASSWORD,
            },
        )
        assert response.status_code == 400
    assert not AuditEvent.objects.filter(actor=admin_user)


def test_role_sets_are_the_four_offered(admin_user):
    with pytest.raises(ValidationError):
        people.create_user(
            actor=admin_user,
            username="odd",
            roles=[Role.REVIEWER, Role.ADMIN],
            password=PASSWORD,
        )


# --- Roles and the last admin -----------------------------------------------------


def test_set_roles_changes_groups_and_audits(admin_user, reviewer):
    people.set_roles(reviewer, actor=admin_user, roles=[Role.EDITOR])

    assert roles_of(reviewer) == [Role.EDITOR]
    [event] = _events(AuditAction.USER_ROLE_CHANGED)
    assert event.data == {"from": ["reviewer"], "to": ["editor"]}


def test_the_last_active_admin_is_kept(admin_user, reviewer):
    with pytest.raises(ValidationError, match="last active admin"):
        people.set_roles(admin_user, actor=admin_user, roles=[Role.EDITOR])
    with pytest.raises(ValidationError, match="last active admin"):
        people.deactivate_user(admin_user, actor=None)
    assert roles_of(admin_user) == [Role.ADMIN]
    assert User.objects.get(pk=admin_user.pk).is_active

    # Editor-and-admin keeps the admin role: allowed (by the system here, since
    # nobody changes their own roles).
    people.set_roles(admin_user, actor=None, roles=[Role.EDITOR, Role.ADMIN])
    second = make_user(role=Role.ADMIN, username="ade")
    people.set_roles(admin_user, actor=second, roles=[Role.EDITOR])
    assert roles_of(admin_user) == [Role.EDITOR]
    # Now ``second`` is the last admin.
    with pytest.raises(ValidationError):
        people.set_roles(second, actor=second, roles=[Role.REVIEWER])


def test_an_inactive_admin_does_not_count(admin_user):
    other = make_user(role=Role.ADMIN, username="ade")
    people.deactivate_user(other, actor=admin_user)

    with pytest.raises(ValidationError):
        people.set_roles(admin_user, actor=admin_user, roles=[Role.EDITOR])


def test_demoting_the_last_admin_over_http_is_refused(client, admin_user):
    client.force_login(admin_user)
    url = reverse("team-role", args=[admin_user.pk])

    fragment = client.post(url, {"role": "editor"}, headers=HTMX)
    plain = client.post(url, {"role": "reviewer"})

    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert b"last active admin" in fragment.content
    assert plain.status_code == 302
    assert roles_of(admin_user) == [Role.ADMIN]
    assert not _events(AuditAction.USER_ROLE_CHANGED)


def test_role_change_over_http_htmx_and_plain(client, admin_user, reviewer):
    client.force_login(admin_user)
    url = reverse("team-role", args=[reviewer.pk])

    fragment = client.post(url, {"role": "editor"}, headers=HTMX)

    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert f'id="user-{reviewer.pk}"'.encode() in fragment.content
    assert roles_of(reviewer) == [Role.EDITOR]

    plain = client.post(url, {"role": "bogus"})
    assert plain.status_code == 302
    assert roles_of(reviewer) == [Role.EDITOR]
    assert len(_events(AuditAction.USER_ROLE_CHANGED)) == 1


# --- Nobody changes their own role ---------------------------------------------------

OWN_ROLE = "cannot change your own role"


@pytest.mark.parametrize(
    ("role", "roles"),
    [
        ("editor-admin", [Role.EDITOR, Role.ADMIN]),  # granting themself more
        ("reviewer", [Role.REVIEWER]),  # stepping down
    ],
)
def test_an_admin_cannot_change_their_own_role_over_http(
    client, admin_user, role, roles
):
    make_user(role=Role.ADMIN, username="ade")  # not the last admin
    client.force_login(admin_user)
    url = reverse("team-role", args=[admin_user.pk])

    fragment = client.post(url, {"role": role}, headers=HTMX)
    plain = client.post(url, {"role": role}, follow=True)

    assert fragment.status_code == 200
    assert OWN_ROLE.encode() in fragment.content
    assert plain.status_code == 200 and OWN_ROLE in plain.content.decode()
    assert roles_of(admin_user) == [Role.ADMIN]
    assert not _events(AuditAction.USER_ROLE_CHANGED)


def test_another_admin_may_change_it(client, admin_user):
    other = make_user(role=Role.ADMIN, username="ade")
    client.force_login(other)

    client.post(reverse("team-role", args=[admin_user.pk]), {"role": "editor-admin"})

    assert roles_of(admin_user) == [Role.EDITOR, Role.ADMIN]
    [event] = _events(AuditAction.USER_ROLE_CHANGED)
    assert event.actor == other and event.subject_user == admin_user


def test_the_refusal_holds_in_the_people_function(admin_user):
    make_user(role=Role.ADMIN, username="ade")

    with pytest.raises(ValidationError, match=OWN_ROLE):
        people.set_roles(admin_user, actor=admin_user, roles=[Role.EDITOR, Role.ADMIN])

    assert roles_of(admin_user) == [Role.ADMIN]


def test_the_last_admin_still_hears_why_they_cannot_step_down(admin_user):
    with pytest.raises(ValidationError, match="last active admin"):
        people.set_roles(admin_user, actor=admin_user, roles=[Role.REVIEWER])


# --- Deactivation ---------------------------------------------------------------------


def test_deactivation_ends_the_session(client, admin_user, reviewer):
    victim = Client()
    assert victim.login(username="rae", password="correct-horse-battery-staple")
    assert victim.get(reverse("dashboard")).status_code == 200
    client.force_login(admin_user)

    response = client.post(reverse("team-deactivate", args=[reviewer.pk]))

    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert not reviewer.is_active
    after = victim.get(reverse("dashboard"))
    assert after.status_code == 302
    assert after["Location"].startswith(reverse("login"))
    assert not [
        s
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id") == str(reviewer.pk)
    ]
    [event] = _events(AuditAction.USER_DEACTIVATED)
    assert event.subject_user == reviewer and event.data["sessions_ended"] == 1
    # Their history stays: nobody is deleted.
    assert User.objects.filter(pk=reviewer.pk).exists()
    assert not Client().login(username="rae", password="correct-horse-battery-staple")


def test_an_inactive_session_no_longer_authenticates(client, reviewer):
    """Even without deleting sessions, ModelBackend refuses an inactive user."""
    client.force_login(reviewer)
    User.objects.filter(pk=reviewer.pk).update(is_active=False)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_reactivation_restores_access(client, admin_user, reviewer):
    people.deactivate_user(reviewer, actor=admin_user)
    client.force_login(admin_user)

    response = client.post(reverse("team-reactivate", args=[reviewer.pk]), headers=HTMX)

    assert response.status_code == 200
    assert b"Reactivated" in response.content
    reviewer.refresh_from_db()
    assert reviewer.is_active and roles_of(reviewer) == [Role.REVIEWER]
    assert len(_events(AuditAction.USER_REACTIVATED)) == 1
    with pytest.raises(ValidationError):
        people.reactivate_user(reviewer, actor=admin_user)


def test_admins_cannot_deactivate_themselves(admin_user):
    make_user(role=Role.ADMIN, username="ade")
    with pytest.raises(ValidationError, match="yourself"):
        people.deactivate_user(admin_user, actor=admin_user)


# --- Password reset -------------------------------------------------------------------


def test_admin_sends_a_password_reset(
    client, admin_user, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("team-reset-password", args=[reviewer.pk]))

    assert response.status_code == 302
    [event] = _events(AuditAction.USER_PASSWORD_RESET_SENT)
    assert event.subject_user == reviewer
    [mail] = mailoutbox
    link = _path(_link(mail))
    visitor = Client()
    form_page = visitor.get(link, follow=True)
    assert form_page.status_code == 200 and b"new_password1" in form_page.content
    done = visitor.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    reviewer.refresh_from_db()
    assert reviewer.check_password(PASSWORD)
    [event] = _events(AuditAction.USER_PASSWORD_SET)
    assert event.actor == reviewer and event.data == {"via": "reset"}


def test_self_service_reset_sends_mail(client, reviewer, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": reviewer.email})

    assert response.status_code == 302
    [mail] = mailoutbox
    assert "/password/reset/" in mail.body


def test_no_reset_for_inactive_people(admin_user, reviewer):
    people.deactivate_user(reviewer, actor=admin_user)
    with pytest.raises(ValidationError):
        people.send_password_reset(
            reviewer, actor=admin_user, request_base_url="http://testserver"
        )


# --- Who may --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["reviewer", "editor"])
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("team-role", {"role": "admin"}),
        ("team-deactivate", {}),
        ("team-reactivate", {}),
        ("team-reset-password", {}),
    ],
)
def test_only_admins_manage_people(
    request,
    client,
    persona,
    name,
    data,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    actor = request.getfixturevalue(persona)
    target = make_user(role=Role.REVIEWER, username="target")
    client.force_login(actor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(name, args=[target.pk]), data)

    assert response.status_code == 403
    assert client.get(reverse("team")).status_code == 403
    assert not AuditEvent.objects.filter(subject_user=target).exclude(
        action=AuditAction.USER_CREATED
    )
    assert not mailoutbox


def test_workflow_refuses_non_admins(editor, reviewer):
    for call in (
        lambda: people.set_roles(reviewer, actor=editor, roles=[Role.EDITOR]),
        lambda: people.deactivate_user(reviewer, actor=editor),
        lambda: people.send_password_reset(
            reviewer, actor=editor, request_base_url="http://x"
        ),
        lambda: people.invite_user(
            actor=editor,
            username="x",
            email="x@desk.example",
            roles=[Role.ADMIN],
            request_base_url="http://x",
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_forged_user_id_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.post(reverse("team-deactivate", args=[999999])).status_code == 404


# --- The list -------------------------------------------------------------------------


def _team_queries(client, admin_user, n, django_assert_max_num_queries):
    for i in range(n):
        make_user(roles=[Role.EDITOR, Role.ADMIN] if i % 2 else [Role.REVIEWER])
    client.force_login(admin_user)
    with django_assert_max_num_queries(12) as captured:
        response = client.get(reverse("team"))
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_team_page_lists_people_in_constant_queries(
    client, admin_user, django_assert_max_num_queries
):
    small = _team_queries(client, admin_user, 3, django_assert_max_num_queries)
    large = _team_queries(client, admin_user, 30, django_assert_max_num_queries)

    assert small == large
    page = client.get(reverse("team")).content.decode()
    assert "Editor and admin" in page and "never" in page


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin():
    """Row locks serialise the last-admin check (PostgreSQL; SQLite serialises)."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions are proven on PostgreSQL")
    first = make_user(role=Role.ADMIN, username="ada")
    second = make_user(role=Role.ADMIN, username="ade")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor, target):
        try:
            barrier.wait()
            people.set_roles(target, actor=actor, roles=[Role.EDITOR])
            outcomes.append("demoted")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(first, second)),
        threading.Thread(target=demote, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["demoted", "refused"]
    admins = User.objects.filter(groups__name="Admin", is_active=True)
    assert admins.count() == 1


def test_deactivate_asks_for_confirmation_and_is_not_offered_on_ones_own_row(
    client, admin_user
):
    other = make_user(username="omar")
    client.force_login(admin_user)

    page = client.get(reverse("team")).content.decode()

    own_row = page.split(f'id="user-{admin_user.pk}"')[1].split("</tr>")[0]
    other_row = page.split(f'id="user-{other.pk}"')[1].split("</tr>")[0]
    assert reverse("team-deactivate", args=[admin_user.pk]) not in own_row
    assert reverse("team-deactivate", args=[other.pk]) in other_row
    assert "<summary>Deactivate…</summary>" in other_row
    assert "Deactivate omar?" in other_row
