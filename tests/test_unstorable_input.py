"""Input no database column can hold (NUL characters) is refused at the edge."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from factcheck.models import AuditEvent, ClaimState, Note
from tests.factories import make_claim

pytestmark = pytest.mark.django_db


def test_a_nul_in_the_public_search_is_a_clear_400(client):
    response = client.get(reverse("public-index"), {"q": "\x00"})

    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_in_a_desk_query_string_is_a_clear_400(client, reviewer):
    client.force_login(reviewer)

    response = client.get(reverse("search"), {"q": "tax\x00es"})

    assert response.status_code == 400


def test_a_nul_in_a_form_key_writes_nothing(client, reviewer):
    claim = make_claim(state=ClaimState.IN_PROGRESS, reviewer=reviewer)
    client.force_login(reviewer)
    before = AuditEvent.objects.count()

    response = client.post(
        reverse("note-add", args=[claim.pk]), {"body": "Call them", "x\x00": "1"}
    )

    assert response.status_code == 400
    assert not Note.objects.exists() and AuditEvent.objects.count() == before


def test_ordinary_input_passes(client):
    assert client.get(reverse("public-index"), {"q": "exports"}).status_code == 200


def test_postgresql_connections_are_health_checked():
    """Settings for DATABASE_URL (production): persistent connections, checked
    before reuse, so a killed backend costs only the requests in flight."""
    root = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://desk@db.example:5432/desk",
        "DJANGO_SETTINGS_MODULE": "factcheck.settings",
        "DEBUG": "1",
    }
    code = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True
    )

    assert out.stdout.split() == ["60", "True"], out.stderr
