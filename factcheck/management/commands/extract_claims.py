"""``manage.py extract_claims PATH|- --format jsonl [--lines] [--threshold X]``.

The command-line contract of DESIGN §4: one JSON object per sentence (``text, start,
end, score, checkable, kind, reasons, heading``), then ``{"body", "warnings"}``: the
normalised text the offsets point into (``body[start:end] == text``) and the
text-quality warnings. ``heading`` is the heading of the section the sentence sits
in (null before the first heading). Reads bytes from the file or stdin, writes
nothing to the database, and refuses bad input on stderr with exit code 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ... import ingest

EXIT_BAD_INPUT = 2


class Command(BaseCommand):
    help = "Print an article's sentences with their check-worthiness as JSON lines."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .txt, .md or .html file, or - for stdin")
        parser.add_argument("--format", choices=["jsonl"], default="jsonl")
        parser.add_argument(
            "--lines",
            action="store_true",
            help="score each input line as one unit, unsplit",
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="score at or above which a sentence is checkable",
        )

    def handle(self, *args, path: str, lines: bool, threshold, **options):
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise CommandError(
                "--threshold must be between 0 and 1.", returncode=EXIT_BAD_INPUT
            )
        raw, filename = self._read(path)
        try:
            prepared = ingest.prepare(raw, filename)
        except ingest.TextRefused as exc:
            raise CommandError(exc.message, returncode=EXIT_BAD_INPUT) from None
        drafts = ingest.extract(prepared, lines=lines, threshold=threshold)
        write = self.stdout.write
        for d in drafts:
            write(
                _json(
                    {
                        "text": d.text,
                        "start": d.start,
                        "end": d.end,
                        "score": round(d.score, 4),
                        "checkable": d.checkable,
                        "kind": d.kind,
                        "reasons": list(d.reasons),
                        "heading": d.heading,
                    }
                )
            )
        write(_json({"body": prepared.body, "warnings": prepared.warnings}))

    def _read(self, path: str) -> tuple[bytes, str | None]:
        if path == "-":
            return sys.stdin.buffer.read(), None
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}", returncode=EXIT_BAD_INPUT)
        # The size is checked before reading, so a huge file is never loaded.
        if file.stat().st_size > ingest.max_bytes():
            raise CommandError(
                f"{path} is {file.stat().st_size / 1000:,.0f} KB; the limit is "
                f"{ingest.max_bytes() / 1000:,.0f} KB.",
                returncode=EXIT_BAD_INPUT,
            )
        try:
            return file.read_bytes(), file.name
        except OSError as exc:
            raise CommandError(
                f"Cannot read {path}: {exc.strerror}", returncode=EXIT_BAD_INPUT
            ) from None


def _json(obj) -> str:
    # ASCII escapes keep the output valid whatever the terminal's encoding;
    # json.loads gives back exactly the characters the offsets count.
    return json.dumps(obj, ensure_ascii=True)
