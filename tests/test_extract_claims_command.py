"""The ``extract_claims`` contract (DESIGN §4): JSON lines, then the body object.

No test here touches the database: the command must not need one.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

SEED = Path(settings.BASE_DIR) / "seeds" / "000_cb454b6630152dc4.txt"
KEYS = {"text", "start", "end", "score", "checkable", "kind", "reasons", "heading"}


def run(*args: str, stdin: bytes | None = None, monkeypatch=None) -> list[dict]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    out = io.StringIO()
    call_command("extract_claims", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_sample_article_follows_the_contract():
    rows = run(str(SEED), "--format", "jsonl")

    *sentences, final = rows
    assert set(final) == {"body", "warnings"}
    body = final["body"]
    assert len([w for w in final["warnings"] if w["kind"] == "damaged-character"]) == 6
    assert sentences
    for row in sentences:
        assert set(row) == KEYS
        assert body[row["start"] : row["end"]] == row["text"]
        assert 0 <= row["score"] <= 1 and isinstance(row["checkable"], bool)
        assert isinstance(row["reasons"], list) and row["reasons"]
    headings = [r for r in sentences if r["kind"] == "heading"]
    assert headings and not any(r["checkable"] for r in headings)
    assert any(r["checkable"] for r in sentences)
    assert [r["start"] for r in sentences] == sorted(r["start"] for r in sentences)


def test_stdin_and_lines_mode(monkeypatch):
    text = (
        "Exports rose 12 percent in 2025, the ministry said. Imports fell.\n"
        "It may rain.\n"
    )

    split = run("-", "--format", "jsonl", stdin=text.encode(), monkeypatch=monkeypatch)
    lines = run(
        "-",
        "--format",
        "jsonl",
        "--lines",
        stdin=text.encode(),
        monkeypatch=monkeypatch,
    )

    assert [r["text"] for r in lines[:-1]] == [
        "Exports rose 12 percent in 2025, the ministry said. Imports fell.",
        "It may rain.",
    ]
    assert len(split) - 1 == 3
    for rows in (split, lines):
        body = rows[-1]["body"]
        assert all(body[r["start"] : r["end"]] == r["text"] for r in rows[:-1])


def test_threshold_decides_checkable(monkeypatch):
    text = b"Exports rose 12 percent in 2025, the ministry said.\n"

    none = run(
        "-", "--lines", "--threshold", "1.0", stdin=text, monkeypatch=monkeypatch
    )
    everything = run(
        "-", "--lines", "--threshold", "0", stdin=text, monkeypatch=monkeypatch
    )

    assert everything[0]["checkable"] is True
    assert none[0]["checkable"] is (none[0]["score"] >= 1.0)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.txt", "empty"),
        (b"  \n ", "blank.txt", "empty"),
        (b"\x00\x01\x02\x03" * 20, "bin.txt", "binary"),
        (b"caf\x81\x8d\x90", "bad.txt", "not valid UTF-8"),
        (b"words", "doc.docx", "only .txt, .md and .html"),
    ],
)
def test_bad_input_is_refused_with_exit_code_2(tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(CommandError) as refused:
        call_command("extract_claims", str(path), stdout=io.StringIO())

    assert refused.value.returncode == 2
    assert message in str(refused.value)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("extract_claims", str(tmp_path / "nope.txt"))
    assert refused.value.returncode == 2


def test_as_a_process_stdin_stdout_stderr_and_exit_codes():
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "1"}

    good = subprocess.run(
        [*manage, "extract_claims", "-", "--format", "jsonl", "--lines"],
        input=b"The treaty was signed in 2001.\n",
        capture_output=True,
        env=env,
        timeout=120,
    )
    bad = subprocess.run(
        [*manage, "extract_claims", "-", "--format", "jsonl"],
        input=b"\x00\x01\x02\x03" * 20,
        capture_output=True,
        env=env,
        timeout=120,
    )

    assert good.returncode == 0, good.stderr
    rows = [json.loads(line) for line in good.stdout.decode().splitlines()]
    assert rows[0]["text"] == "The treaty was signed in 2001."
    assert rows[-1]["body"] == "The treaty was signed in 2001."
    assert bad.returncode == 2 and b"binary" in bad.stderr and not bad.stdout
