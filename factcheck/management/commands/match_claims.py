"""``manage.py match_claims --archive TSV --queries TSV [--top N] --format jsonl``.

The command-line contract of claim matching ("checked before?"): one JSON object
per query, in the queries file's order, ``{"id": ..., "matches": [{"vclaim_id":
..., "score": ...}, ...]}`` with the best match first and at most ``--top``
matches, each scoring above 0 (and at least ``--min-score`` when given). Ids are
printed as the strings the files hold.

Input files are tab-separated UTF-8 with a header line, in the layout of the
CLEF-2020 CheckThat! release: the archive has ``vclaim_id, vclaim, title`` (as
``verified_claims.docs.tsv``; the title may be empty), the queries ``id, text``
(as ``tweets.queries.tsv``); a field may be double-quoted to hold a tab or a line
break. Ranking is ``factcheck.matching``, the desk's own code. Writes nothing to
the database; refuses bad input on stderr with exit code 2.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ... import matching

EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "Rank an archive of verified claims for each query, as JSON lines."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument(
            "--archive",
            required=True,
            help="TSV of verified claims: vclaim_id, vclaim, title (header line)",
        )
        parser.add_argument(
            "--queries", required=True, help="TSV of queries: id, text (header line)"
        )
        parser.add_argument("--top", type=int, default=5, help="matches per query")
        parser.add_argument(
            "--min-score",
            type=float,
            default=None,
            help="leave out matches scoring below this (0 to 1; "
            f"the desk shows matches from {matching.DEFAULT_MIN_SCORE})",
        )
        parser.add_argument("--format", choices=["jsonl"], default="jsonl")

    def handle(self, *args, archive: str, queries: str, top: int, min_score, **opts):
        if top < 1:
            raise CommandError("--top must be at least 1.", returncode=EXIT_BAD_INPUT)
        if min_score is not None and not 0.0 <= min_score <= 1.0:
            raise CommandError(
                "--min-score must be between 0 and 1.", returncode=EXIT_BAD_INPUT
            )
        claims = _read_tsv(archive, ("vclaim_id", "vclaim", "title"))
        asked = _read_tsv(queries, ("id", "text"))
        matcher = matching.Matcher.build(
            [r[0] for r in claims], [r[1] for r in claims], [r[2] for r in claims]
        )
        ranked = matcher.top([r[1] for r in asked], k=top, min_score=min_score)
        write = self.stdout.write
        for (query_id, _), matches in zip(asked, ranked, strict=True):
            write(
                json.dumps(
                    {
                        "id": query_id,
                        "matches": [
                            {"vclaim_id": m.doc_id, "score": round(m.score, 4)}
                            for m in matches
                        ],
                    },
                    ensure_ascii=True,
                )
            )


def _read_tsv(path: str, columns: tuple[str, ...]) -> list[list[str]]:
    """The data rows of a TSV file with a header line, each with ``columns``
    fields and a non-empty, unique id; anything else is a ``CommandError``."""
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"No such file: {path}", returncode=EXIT_BAD_INPUT)
    try:
        with file.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f, delimiter="\t", strict=True)
            # (line where the row ends, fields): a quoted field may span lines.
            rows = [(reader.line_num, row) for row in reader]
    except UnicodeDecodeError:
        raise CommandError(
            f"{path} is not UTF-8 text.", returncode=EXIT_BAD_INPUT
        ) from None
    except csv.Error as exc:
        raise CommandError(
            f"{path}: malformed TSV ({exc}).", returncode=EXIT_BAD_INPUT
        ) from None
    except OSError as exc:
        raise CommandError(
            f"Cannot read {path}: {exc.strerror}", returncode=EXIT_BAD_INPUT
        ) from None
    expected = "\t".join(columns)
    if len(rows) < 2:
        raise CommandError(
            f"{path} is empty: expected a header line and rows of {expected}.",
            returncode=EXIT_BAD_INPUT,
        )
    if len(rows[0][1]) != len(columns):
        raise CommandError(
            f"{path}: the header has {len(rows[0][1])} columns; expected {expected}.",
            returncode=EXIT_BAD_INPUT,
        )
    seen: set[str] = set()
    data = []
    for number, row in rows[1:]:
        if not row:
            continue  # a blank line
        if len(row) != len(columns):
            raise CommandError(
                f"{path}, line {number}: {len(row)} fields; expected {expected}.",
                returncode=EXIT_BAD_INPUT,
            )
        row_id = row[0].strip()
        if not row_id:
            raise CommandError(
                f"{path}, line {number}: empty {columns[0]}.", returncode=EXIT_BAD_INPUT
            )
        if row_id in seen:
            raise CommandError(
                f"{path}, line {number}: {columns[0]} {row_id!r} appears twice.",
                returncode=EXIT_BAD_INPUT,
            )
        seen.add(row_id)
        data.append([row_id, *row[1:]])
    if not data:
        raise CommandError(f"{path} has no data rows.", returncode=EXIT_BAD_INPUT)
    return data
