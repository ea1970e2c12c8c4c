"""Template context every page needs: the desk's name and the user's navigation."""

from __future__ import annotations

from django.conf import settings

from .roles import roles_of


def desk(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "desk_name": settings.FACTCHECK["ORGANISATION_NAME"],
        "user_roles": roles_of(user) if user is not None else [],
    }
