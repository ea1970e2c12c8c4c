"""``import_article``: files and folders through the same workflow as the web form."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from factcheck.audit import AuditAction
from factcheck.models import Article, AuditEvent

pytestmark = pytest.mark.django_db

STORY = b"Rail report\nExports rose 12 percent in 2025, the ministry said.\n"


def test_a_folder_is_imported_recursively_and_bad_files_are_skipped(tmp_path, reviewer):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_bytes(STORY)
    (tmp_path / "b.md").write_bytes(b"# Markdown\n\n" + STORY)
    (tmp_path / "sub" / "c.html").write_bytes(
        b"<html><body><article><p>Officials said 3,400 wagons entered service in "
        b"2024.</p></article></body></html>"
    )
    (tmp_path / "broken.txt").write_bytes(b"\x00\x01\x02\x03" * 20)
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF-1.7")
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command(
            "import_article", str(tmp_path), "--as", "rae", stdout=out, stderr=err
        )

    assert failed.value.returncode == 1
    assert Article.objects.count() == 3
    assert set(Article.objects.values_list("source_filename", flat=True)) == {
        "a.txt",
        "b.md",
        "c.html",
    }
    assert AuditEvent.objects.filter(action=AuditAction.ARTICLE_CREATED).count() == 3
    assert "\r[" in err.getvalue() and "4/4" in err.getvalue()
    assert "skipped" in err.getvalue() and "broken.txt" in err.getvalue()
    assert "Imported 3 of 4 files" in out.getvalue()


def test_one_file_needs_no_progress_bar(tmp_path, reviewer):
    path = tmp_path / "one.txt"
    path.write_bytes(STORY)
    out, err = io.StringIO(), io.StringIO()

    call_command("import_article", str(path), "--as", "rae", stdout=out, stderr=err)

    assert Article.objects.get().ingested_by == reviewer
    assert "[" not in err.getvalue()
    assert "Imported 1 of 1 file" in out.getvalue()


def test_an_unknown_user_is_refused(tmp_path):
    (tmp_path / "one.txt").write_bytes(STORY)

    with pytest.raises(CommandError, match="No active user"):
        call_command("import_article", str(tmp_path), "--as", "nobody")
    assert not Article.objects.exists()
