"""``manage.py import_sector_figures FILE.csv|.xlsx [--user NAME]``: import, print the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import DomainError
from motcua.sector.importing import read_rows, sector_figures_import


class Command(BaseCommand):
    help = (
        "Import sector figures from a CSV or XLSX file (columns: docs/imports.md) and print "
        "what happened to each rejected row."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user",
            default="",
            help="Import as this statistician (checked and audited); the system by default.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        try:
            rows = read_rows(path.name, path.read_bytes())
            report = sector_figures_import(rows=rows, actor=actor)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(report.as_text())
