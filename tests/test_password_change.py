"""A logged-in person changes their own password: audited, and they stay logged in."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from factcheck import people
from factcheck.audit import AuditAction
from factcheck.models import AuditEvent

pytestmark = pytest.mark.django_db

OLD = "correct-horse-battery-staple"
NEW = "another-long-passphrase-42"


def _events():
    return list(AuditEvent.objects.filter(action=AuditAction.USER_PASSWORD_SET))


def test_change_is_audited_and_keeps_this_session(client, reviewer):
    client.force_login(reviewer)
    elsewhere = Client()
    elsewhere.force_login(reviewer)

    response = client.post(
        reverse("password_change"),
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    reviewer.refresh_from_db()
    assert reviewer.check_password(NEW)
    [event] = _events()
    assert event.actor == reviewer and event.subject_user == reviewer
    assert event.data == {"via": "change"}
    # This session's auth hash was refreshed; another session of theirs has ended.
    assert client.get(reverse("dashboard")).status_code == 200
    assert elsewhere.get(reverse("dashboard")).status_code == 302


def test_wrong_old_password_changes_nothing(client, reviewer):
    client.force_login(reviewer)

    response = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 400
    reviewer.refresh_from_db()
    assert reviewer.check_password(OLD)
    assert _events() == []


def test_nobody_changes_someone_elses_password(admin_user, reviewer):
    with pytest.raises(PermissionDenied):
        people.change_password(reviewer, actor=admin_user, password=NEW)

    reviewer.refresh_from_db()
    assert reviewer.check_password(OLD)
    assert _events() == []
