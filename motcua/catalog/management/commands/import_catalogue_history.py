"""``manage.py import_catalogue_history FILE --year 2019``: the catalogue as it was, imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.history_import import catalogue_history_import_file
from motcua.catalog.importing import ImportFileError
from motcua.core.errors import ValidationFailed


class Command(BaseCommand):
    help = (
        "Import the procedure catalogue as it was in a year (.csv or .xlsx; columns in "
        "docs/imports.md) and print what happened to each row."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True, help="The year the file describes.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; save nothing."
        )
        parser.add_argument(
            "--every", type=int, default=500, help="Print the progress every N rows."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"{done}/{total} rows")

        try:
            report = catalogue_history_import_file(
                name=path.name,
                data=path.read_bytes(),
                year=options["year"],
                dry_run=options["dry_run"],
                progress=progress,
                every=max(1, options["every"]),
            )
        except (OSError, ImportFileError) as exc:
            raise CommandError(str(exc)) from exc
        except ValidationFailed as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(report.as_text())
