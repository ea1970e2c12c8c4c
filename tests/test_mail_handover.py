"""A desk without a real mail backend never claims to have sent a one-time link: the
admin is handed the link to pass on, and ``check --deploy`` warns (W107)."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from factcheck.models import User
from factcheck.security_checks import check_email_delivery

from .factories import make_user

CONSOLE = "django.core.mail.backends.console.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"
PASSWORD = "a long pass phrase 2026"
INVITE = {
    "invite-username": "nia",
    "invite-display_name": "Nia New",
    "invite-email": "nia@desk.example",
    "invite-role": "reviewer",
}


def _link(html: str, kind: str) -> str:
    [link] = re.findall(rf"https?://[^\s<\"]+/{kind}/[^\s<\"]+", html)
    return re.sub(r"^https?://[^/]+", "", link)


@override_settings(EMAIL_BACKEND=CONSOLE)
def test_an_invitation_hands_the_link_to_the_admin_when_no_mail_goes_out(
    client, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("team-invite"), INVITE, follow=True)

    page = response.content.decode()
    assert "Invitation sent" not in page
    assert "nothing was sent" in page
    link = _link(page, "invite")
    visitor = Client()
    assert visitor.get(link).status_code == 200
    visitor.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert User.objects.get(username="nia").check_password(PASSWORD)


@override_settings(EMAIL_BACKEND=CONSOLE)
def test_a_password_reset_hands_the_link_to_the_admin(
    client, admin_user, django_capture_on_commit_callbacks
):
    member = make_user(username="omar")
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("team-reset-password", args=[member.pk]), follow=True
        )

    page = response.content.decode()
    assert "Sent a password reset link" not in page
    assert "nothing was sent" in page
    assert _link(page, "password/reset")


def test_with_a_delivering_backend_the_link_is_mailed_not_shown(
    client, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("team-invite"), INVITE, follow=True)

    page = response.content.decode()
    assert "Invitation sent to nia@desk.example" in page
    assert not re.search(r"https?://[^\s<\"]+/invite/", page)
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("backend", "warned"),
    [
        (CONSOLE, True),
        ("django.core.mail.backends.dummy.EmailBackend", True),
        ("django.core.mail.backends.filebased.EmailBackend", True),
        (SMTP, False),
    ],
)
def test_check_deploy_warns_when_no_mail_is_delivered(backend, warned):
    with override_settings(EMAIL_BACKEND=backend):
        ids = {m.id for m in check_email_delivery()}
    assert ids == ({"factcheck.W107"} if warned else set())
