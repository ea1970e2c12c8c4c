"""Shared fixtures: personas with real roles, a fast password hasher."""

from __future__ import annotations

import pytest

from factcheck.roles import Role

from .factories import make_user


@pytest.fixture(autouse=True)
def _empty_cache():
    """Public pages are cached per version; ids repeat across rolled-back tests.
    Throttle counts (the "throttle" cache) start from zero in every test too."""
    from django.core.cache import caches

    for alias in ("default", "throttle"):
        caches[alias].clear()
    yield
    for alias in ("default", "throttle"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _default_rating_scale(request):
    """Transactional tests flush every table, the data migration's rating scale too:
    put it back, so tests pass in any order."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from importlib import import_module

    from factcheck.models import Rating

    scale = import_module("factcheck.migrations.0002_default_rating_scale")
    # As the migrations leave it: 0009 made each rating that needs no source a
    # non-verdict (a CHECK constraint holds that), so 0002's rows cannot be
    # replayed as they are.
    for order, (label, slug, value, requires_source, colour, description) in enumerate(
        scale.DEFAULT_SCALE, start=1
    ):
        Rating.objects.get_or_create(
            slug=slug,
            defaults={
                "label": label,
                "value": value,
                "requires_source": requires_source,
                "is_verdict": requires_source,
                "colour": colour,
                "description": description,
                "order": order,
            },
        )


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture
def reviewer(db):
    return make_user(role=Role.REVIEWER, username="rae")


@pytest.fixture
def other_reviewer(db):
    return make_user(role=Role.REVIEWER, username="sam")


@pytest.fixture
def editor(db):
    return make_user(role=Role.EDITOR, username="ed")


@pytest.fixture
def other_editor(db):
    return make_user(role=Role.EDITOR, username="eva")


@pytest.fixture
def admin_user(db):
    return make_user(role=Role.ADMIN, username="ada")


@pytest.fixture
def outsider(db):
    """Logged in, but with no role on the desk."""
    return make_user(username="otto")
