"""Shared fixtures: personas with real roles, a fast password hasher."""

from __future__ import annotations

import pytest

from factcheck.roles import Role

from .factories import make_user


@pytest.fixture(autouse=True)
def _empty_cache():
    """Public pages are cached per version; ids repeat across rolled-back tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_rating_scale(request):
    """Transactional tests flush every table, the data migration's rating scale too:
    put it back, so tests pass in any order."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from importlib import import_module

    from django.apps import apps

    import_module("factcheck.migrations.0002_default_rating_scale").create_scale(
        apps, None
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
