"""The shape the code promises: domain writes happen only in the write path.

Views, forms and template tags never save, create, update or delete rows; only
``audit.py`` creates audit events; only the workflow and ``people`` record them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "factcheck"
READ_ONLY_LAYERS = [PACKAGE / "views", PACKAGE / "forms", PACKAGE / "templatetags"]
ALWAYS_WRITES = {"save", "delete", "bulk_create", "bulk_update"}
QUERYSET_WRITES = {"create", "update", "get_or_create", "update_or_create"}


def _python_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*.py"))


def _writes(path: Path) -> list[str]:
    source = path.read_text()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        attr = node.func.attr
        target = ast.get_source_segment(source, node.func.value) or ""
        is_queryset = "objects" in target or "filter(" in target
        if attr in ALWAYS_WRITES or (attr in QUERYSET_WRITES and is_queryset):
            found.append(f"{path.name}:{node.lineno} .{attr}()")
    return found


@pytest.mark.parametrize("path", _python_files(*READ_ONLY_LAYERS), ids=str)
def test_views_forms_and_tags_never_write_rows(path):
    assert _writes(path) == []


def test_the_checker_sees_a_write(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f(c):\n    Claim.objects.filter(pk=1).update(x=1)\n")

    assert _writes(sample) == ["sample.py:2 .update()"]


def test_only_audit_module_creates_audit_events():
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in _python_files(PACKAGE)
        if p.name != "audit.py"
        and "migrations" not in p.parts
        and (
            "AuditEvent(" in p.read_text()
            or "AuditEvent.objects.create" in p.read_text()
        )
    ]

    assert offenders == []


def test_only_the_write_path_records_audit_events():
    writers = {
        str(p.relative_to(PACKAGE))
        for p in _python_files(PACKAGE)
        if p.name != "audit.py" and "audit.record(" in p.read_text()
    }

    assert writers
    assert all(w.startswith("workflow/") or w == "people.py" for w in writers), writers
