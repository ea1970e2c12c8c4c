"""Roles are groups with permissions in code; combining roles adds their powers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from factcheck import workflow
from factcheck.roles import ROLE_PERMISSIONS, Role, sync_roles

from .factories import make_claim, make_user

pytestmark = pytest.mark.django_db


def _perms(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_groups_match_the_table_after_migrate():
    for role, perms in ROLE_PERMISSIONS.items():
        assert _perms(Group.objects.get(name=role.label)) == perms


def test_sync_roles_is_idempotent_and_repairs_drift():
    editor = Group.objects.get(name="Editor")
    editor.permissions.clear()

    sync_roles()
    sync_roles()
    call_command("migrate", verbosity=0)

    assert Group.objects.filter(name__in=[r.label for r in Role]).count() == 3
    assert _perms(Group.objects.get(name="Editor")) == ROLE_PERMISSIONS[Role.EDITOR]


@pytest.mark.parametrize(
    ("roles", "may_take", "may_dismiss", "may_manage"),
    [
        ([Role.REVIEWER], True, False, False),
        ([Role.EDITOR], True, True, False),
        ([Role.ADMIN], False, False, True),
        ([Role.EDITOR, Role.ADMIN], True, True, True),
        ([], False, False, False),
    ],
)
def test_what_each_role_may_do(roles, may_take, may_dismiss, may_manage):
    user = make_user(roles=roles)
    claim = make_claim()

    assert workflow.can(user, "claim.take", claim) is may_take
    assert workflow.can(user, "claim.dismiss", claim) is may_dismiss
    assert user.has_perm("factcheck.manage_users") is may_manage


def test_inactive_users_may_do_nothing(reviewer):
    claim = make_claim()
    reviewer.is_active = False

    assert not workflow.can(reviewer, "claim.take", claim)
