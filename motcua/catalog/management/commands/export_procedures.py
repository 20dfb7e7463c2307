"""``manage.py export_procedures FILE``: write the catalogue as .json or .xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.catalog.importing import export_json, export_xlsx, procedures_for_export


class Command(BaseCommand):
    help = "Export every procedure's current version to a .json or .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        suffix = path.suffix.lower()
        if suffix not in {".json", ".xlsx"}:
            raise CommandError("the file must end in .json or .xlsx")
        procedures = list(procedures_for_export())
        data = export_json(procedures) if suffix == ".json" else export_xlsx(procedures)
        path.write_bytes(data)
        self.stdout.write(f"{len(procedures)} procedures written to {path}")
