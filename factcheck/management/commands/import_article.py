"""``manage.py import_article PATH... [--as USERNAME]``: ingest files and folders.

Folders are searched recursively for .txt, .md and .html files. Each file goes
through ``workflow.create_article`` (the same path as the web form, so each import
is audited); a bad file is reported and skipped, the others still go in. With more
than one file a progress bar is drawn on stderr.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ... import workflow
from ...ingest import FORMATS, max_bytes
from ...models import User
from ..acting import acting_user

BAR_WIDTH = 20


def collect(paths: list[str]) -> tuple[list[Path], list[str]]:
    """The files to import, in a stable order, and the paths that do not exist."""
    files: list[Path] = []
    missing: list[str] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in FORMATS
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(name)
    return files, missing


class Command(BaseCommand):
    help = "Import article files (.txt, .md, .html) or folders of them."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--as",
            dest="username",
            help="who ingests the articles (default: the only superuser)",
        )
        parser.add_argument("--outlet", default="", help="outlet of every article")

    def handle(self, *args, paths, username, outlet, **options):
        actor = acting_user(username, doing="imports the articles")
        files, missing = collect(paths)
        for name in missing:
            self.stderr.write(f"skipped {name}: no such file or folder")
        if not files:
            raise CommandError("No .txt, .md or .html files to import.")
        imported = claims = 0
        failures: list[tuple[Path, str]] = []
        show_bar = len(files) > 1
        for n, path in enumerate(files, start=1):
            if show_bar:
                self._bar(n - 1, len(files), path.name)
            try:
                article = self._import(path, actor, outlet)
            except (ValidationError, PermissionDenied) as exc:
                failures.append((path, " ".join(getattr(exc, "messages", [str(exc)]))))
            else:
                imported += 1
                claims += article.claims.count()
        if show_bar:
            self._bar(len(files), len(files), "done")
            self.stderr.write("")
        for path, message in failures:
            self.stderr.write(f"skipped {path}: {message}")
        self.stdout.write(
            f"Imported {imported} of {len(files)} file{'s' if len(files) != 1 else ''}"
            f" ({claims} claims); {len(failures) + len(missing)} skipped."
        )
        if failures or missing:
            raise CommandError("Some files could not be imported.", returncode=1)

    def _import(self, path: Path, actor: User, outlet: str):
        if path.stat().st_size > max_bytes():
            raise ValidationError(
                f"{path.stat().st_size / 1000:,.0f} KB is over the "
                f"{max_bytes() / 1000:,.0f} KB limit"
            )
        return workflow.create_article(
            actor=actor,
            raw=path.read_bytes(),
            filename=path.name,
            metadata={"outlet": outlet},
        )

    def _bar(self, done: int, total: int, name: str) -> None:
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + " " * (BAR_WIDTH - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total} {name[:40]:<40}", ending="")
        self.stderr.flush()
