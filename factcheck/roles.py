"""Roles are Django groups whose permissions are defined here, in code.

``sync_roles()`` makes the groups match this table exactly; it runs after every
migrate (permissions for new models exist only after post_migrate, Django #29843).
Code asks for permissions or ``workflow.can()``, never for group names.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import models

REVIEWER_PERMISSIONS = {
    "factcheck.view_article",
    "factcheck.add_article",
    "factcheck.view_claim",
    "factcheck.review_claim",
}


class Role(models.TextChoices):
    REVIEWER = "reviewer", "Reviewer"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Admin"


ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.REVIEWER: REVIEWER_PERMISSIONS,
    Role.EDITOR: REVIEWER_PERMISSIONS
    | {
        "factcheck.approve_verdict",
        "factcheck.publish_article",
        "factcheck.view_auditevent",
        "factcheck.view_errorreport",
    },
    # The admin role alone reads the desk and runs the team; editorial actions need
    # the editor role as well.
    Role.ADMIN: {
        "factcheck.view_article",
        "factcheck.view_claim",
        "factcheck.view_auditevent",
        "factcheck.manage_users",
    },
}

GROUP_NAMES = {role: role.label for role in Role}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def sync_roles() -> dict[Role, Group]:
    """Create the role groups if missing and set their permissions exactly."""
    groups = {}
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=GROUP_NAMES[role])
        group.permissions.set([_permission(p) for p in sorted(perms)])
        groups[role] = group
    return groups


def group_for(role: Role | str) -> Group:
    return Group.objects.get(name=GROUP_NAMES[Role(role)])


def roles_of(user) -> list[Role]:
    """The roles a user holds, for display; decisions use permissions instead."""
    if not getattr(user, "is_authenticated", False):
        return []
    names = {g.name for g in user.groups.all()}
    return [role for role in Role if GROUP_NAMES[role] in names]


def is_staff_member(user) -> bool:
    """Anyone with a desk role (or the emergency superuser) may see internal pages."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_perm("factcheck.view_article")
    )


def on_post_migrate(sender, **kwargs) -> None:
    if sender.name == "factcheck":
        sync_roles()
