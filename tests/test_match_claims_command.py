"""The ``match_claims`` contract: one JSON object per query, best match first.

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

from factcheck import matching

ARCHIVE = (
    "\tvclaim\ttitle\n"
    "10\tThe city council raised the minimum wage to 15 dollars an hour.\t"
    "Did the Council Raise the Minimum Wage?\n"
    "11\tThe old railway bridge over the river was closed for repairs.\t"
    "Railway Bridge Closed\n"
    '12\t"A new flu vaccine cut hospital admissions\nby half last winter."\t\n'
    "13\tThe local football club lost its third match in a row.\tFootball Losses\n"
)
QUERIES = (
    "\ttweet_content\n"
    "q1\tBREAKING: council lifts minimum wage to $15 an hour https://t.co/abc\n"
    "q2\tRailway bridge over the river shut for repairs, says the council\n"
    "q3\tflu vaccine halves hospital admissions\n"
)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(tmp_path: Path, *extra: str, archive=ARCHIVE, queries=QUERIES) -> list[dict]:
    out = io.StringIO()
    call_command(
        "match_claims",
        "--archive",
        write(tmp_path, "archive.tsv", archive),
        "--queries",
        write(tmp_path, "queries.tsv", queries),
        "--format",
        "jsonl",
        *extra,
        stdout=out,
    )
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_object_per_query_in_order_with_the_right_match_first(tmp_path):
    rows = run(tmp_path)

    assert [r["id"] for r in rows] == ["q1", "q2", "q3"]
    for row in rows:
        assert set(row) == {"id", "matches"}
        assert 1 <= len(row["matches"]) <= 4
        for match in row["matches"]:
            assert set(match) == {"vclaim_id", "score"}
            assert isinstance(match["vclaim_id"], str)
            assert 0.0 < match["score"] <= 1.0
        scores = [m["score"] for m in row["matches"]]
        assert scores == sorted(scores, reverse=True)
    assert [r["matches"][0]["vclaim_id"] for r in rows] == ["10", "11", "12"]


def test_the_scores_are_the_matchers(tmp_path):
    rows = run(tmp_path)

    matcher = matching.Matcher.build(
        ["10", "11", "12", "13"],
        [
            "The city council raised the minimum wage to 15 dollars an hour.",
            "The old railway bridge over the river was closed for repairs.",
            "A new flu vaccine cut hospital admissions\nby half last winter.",
            "The local football club lost its third match in a row.",
        ],
        [
            "Did the Council Raise the Minimum Wage?",
            "Railway Bridge Closed",
            "",
            "Football Losses",
        ],
    )
    [expected] = matcher.top(["flu vaccine halves hospital admissions"], k=5)
    assert rows[2]["matches"] == [
        {"vclaim_id": m.doc_id, "score": round(m.score, 4)} for m in expected
    ]


def test_top_and_min_score_limit_the_matches(tmp_path):
    one = run(tmp_path, "--top", "1")
    assert [len(r["matches"]) for r in one] == [1, 1, 1]

    everything = run(tmp_path, "--top", "50")
    assert all(len(r["matches"]) <= 4 for r in everything)

    best = everything[0]["matches"][0]["score"]
    strict = run(tmp_path, "--min-score", str(min(best + 0.01, 1.0)))
    assert strict[0] == {"id": "q1", "matches": []}


@pytest.mark.parametrize(
    ("archive", "queries", "message"),
    [
        ("", QUERIES, "is empty"),
        ("\tvclaim\ttitle\n", QUERIES, "is empty"),
        (ARCHIVE, "", "is empty"),
        (ARCHIVE + "14\tonly two fields\n", QUERIES, "line 7: 2 fields"),
        (ARCHIVE, QUERIES + "q4\ttext\textra\n", "line 5: 3 fields"),
        (ARCHIVE, QUERIES + "\tno id here\n", "empty id"),
        (ARCHIVE, QUERIES + "q1\tagain\n", "'q1' appears twice"),
        ("id\tvclaim\n1\tx\n", QUERIES, "header has 2 columns"),
        (ARCHIVE + '15\t"never closed\tt\n', QUERIES, "malformed TSV"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, archive, queries, message):
    with pytest.raises(CommandError, match=message) as caught:
        run(tmp_path, archive=archive, queries=queries)
    assert caught.value.returncode == 2


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file") as caught:
        call_command(
            "match_claims",
            "--archive",
            str(tmp_path / "nowhere.tsv"),
            "--queries",
            write(tmp_path, "queries.tsv", QUERIES),
        )
    assert caught.value.returncode == 2


def test_bad_options_are_refused(tmp_path):
    with pytest.raises(CommandError, match="--top"):
        run(tmp_path, "--top", "0")
    with pytest.raises(CommandError, match="--min-score"):
        run(tmp_path, "--min-score", "1.5")


def test_from_the_shell_an_error_is_one_line_and_exit_code_2(tmp_path):
    queries = write(tmp_path, "queries.tsv", "")
    archive = write(tmp_path, "archive.tsv", ARCHIVE)

    done = subprocess.run(
        [sys.executable, "manage.py", "match_claims"]
        + ["--archive", archive, "--queries", queries, "--format", "jsonl"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == f"CommandError: {queries} is empty: " + (
        "expected a header line and rows of id\ttext."
    )
