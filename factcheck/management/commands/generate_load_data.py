"""``manage.py generate_load_data --claims N``: a large archive for benchmarks.

Only parses the arguments; ``factcheck.load_data`` builds the archive. Refuses to
run with DEBUG off unless ``--force``: it is for benchmarks and staging, never for
a production desk.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ... import load_data


class Command(BaseCommand):
    help = (
        "Add N claims of realistic desk history (bulk inserts, a valid audit "
        "chain) for benchmarks and staging. Never on a production desk."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--claims",
            type=int,
            default=1000,
            help="how many claims to add (default 1000)",
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="the same seed builds the same archive"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even with DEBUG off (a staging or benchmark database)",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar on stderr"
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: this may be a production desk. generate_load_data "
                "fills the database with invented work; pass --force on a "
                "benchmark or staging database."
            )
        if options["claims"] < load_data.MIN_CLAIMS:
            raise CommandError(f"--claims must be at least {load_data.MIN_CLAIMS}.")
        report = load_data.generate(
            options["claims"],
            seed=options["seed"],
            progress=not options["no_progress"],
        )
        self.stdout.write(
            f"Added {report.claims:,} claims in {report.articles:,} articles and "
            f"{report.events:,} audit events in {report.seconds:.1f} s."
        )
        self.stdout.write(str(report.head))
