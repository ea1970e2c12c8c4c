"""``manage.py import_claimreviews FILE [--as USERNAME] [--publisher NAME]
[--no-progress]``: load fact-checks published elsewhere into the "checked before?"
archive.

FILE is ClaimReview JSON-LD (an object, a list, an ``@graph``, our own public
ClaimReview feed, or JSON Lines) or the ``vclaim_id, vclaim, title`` TSV of
``verified_claims.docs.tsv`` (rows labelled ``--publisher``, default Snopes, with no
URL): see ``factcheck.claimreview_import``. Items are matched by key, so running it
again updates rows instead of adding copies. The write is
``workflow.import_fact_checks``: editors only, all or nothing, one audit event.

Items left out (not a ClaimReview, no claim text, no publisher...) are listed on
stderr; a file that cannot be read at all is refused with a one-line error, exit
code 1, and nothing written. A progress bar is drawn on stderr unless
``--no-progress`` or ``--verbosity 0``.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ... import workflow
from ...claimreview_import import TSV_PUBLISHER, ImportFormatError, parse
from ..acting import acting_user

BAR_WIDTH = 20
SHOW_SKIPPED = 10  # reasons listed at the default verbosity (all with -v 2)


class Command(BaseCommand):
    help = (
        "Import fact-checks published elsewhere: ClaimReview JSON-LD (or our own "
        "ClaimReview feed) or the verified-claims TSV."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--as",
            dest="username",
            help="who imports (an editor; default: the only superuser)",
        )
        parser.add_argument(
            "--publisher",
            default=None,
            help=f"publisher of TSV rows (default {TSV_PUBLISHER}), and of JSON "
            "reviews that name no author",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="draw no progress bar"
        )

    def handle(self, *args, file, username, publisher, no_progress, **options):
        verbosity = options.get("verbosity", 1)
        actor = acting_user(username, doing="imports the fact-checks")
        if not workflow.can(actor, "factchecks.import", None):
            raise CommandError(f"{actor} may not import fact-checks (editors only).")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            items, skipped = parse(path, publisher_default=publisher)
        except ImportFormatError as exc:
            raise CommandError(str(exc)) from None
        if not items:
            first = (
                f" (first: {skipped[0].where}: {skipped[0].reason})" if skipped else ""
            )
            raise CommandError(
                f"Nothing to import from {path.name}: all {len(skipped)} items "
                f"were left out{first}."
            )
        bar = _Bar(self.stderr, len(items)) if verbosity and not no_progress else None
        try:
            result = workflow.import_fact_checks(
                items,
                actor=actor,
                source=path.name,
                skipped=len(skipped),
                progress=bar.advance if bar else None,
            )
        except (PermissionDenied, ValidationError) as exc:
            if bar:
                bar.close()
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
        if bar:
            bar.close()
        if verbosity:
            shown = skipped if verbosity > 1 else skipped[:SHOW_SKIPPED]
            for skip in shown:
                self.stderr.write(f"skipped {skip.where}: {skip.reason}")
            if len(skipped) > len(shown):
                self.stderr.write(
                    f"... and {len(skipped) - len(shown)} more skipped (-v 2 lists all)"
                )
            self.stdout.write(
                f"Imported {result.total} fact-checks from {path.name}: "
                f"{result.new} new, {result.updated} updated, "
                f"{result.unchanged} unchanged; {result.skipped} skipped."
            )


class _Bar:
    """``[#####     ] 5000/10375 fact-checks`` redrawn in place on stderr."""

    def __init__(self, stream, total: int):
        self.stream, self.total, self.done = stream, total, 0
        self._draw()

    def advance(self, n: int) -> None:
        if n:
            self.done = min(self.total, self.done + n)
            self._draw()

    def close(self) -> None:
        self.stream.write("")

    def _draw(self) -> None:
        filled = BAR_WIDTH * self.done // self.total
        bar = "#" * filled + " " * (BAR_WIDTH - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} fact-checks", ending="")
        self.stream.flush()
