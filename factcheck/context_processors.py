"""Template context every page needs: the desk's name and the user's navigation.

On the public site (``/fact-checks/…``) ``desk_name`` is the effective publisher's
name (``organisation.publisher()``, cached), the name readers and ClaimReview see;
``organisation_ld`` is its schema.org markup as JSON-LD. Both are lazy, so a page
that shows neither reads nothing. Desk pages show the deployment's name from the
settings and never read the publisher, so their query counts stay as they were.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.functional import lazy

from . import organisation
from .claimreview import json_ld
from .roles import roles_of


def _publisher_name() -> str:
    return organisation.publisher().name


_lazy_name = lazy(_publisher_name, str)


def desk(request) -> dict:
    user = getattr(request, "user", None)
    public = request.path.startswith(reverse("public-index"))
    return {
        "desk_name": _lazy_name()
        if public
        else settings.FACTCHECK["ORGANISATION_NAME"],
        "organisation_ld": lazy(lambda: json_ld(organisation.markup(request)), str)(),
        "user_roles": roles_of(user) if user is not None else [],
    }
