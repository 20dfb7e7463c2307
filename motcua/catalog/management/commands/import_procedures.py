"""``manage.py import_procedures FILE [--dry-run]``: import a catalogue file, print the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.importing import ImportFileError, catalog_import_file


class Command(BaseCommand):
    help = "Import procedures from a .json or .xlsx file and print what happened to each row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; save nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            report = catalog_import_file(
                name=path.name, data=path.read_bytes(), dry_run=options["dry_run"]
            )
        except (OSError, ImportFileError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.as_text())
