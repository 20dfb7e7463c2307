"""``manage.py import_dossiers FILE [--dry-run]``: import a previous system's dossiers now."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import DomainError
from motcua.history.models import ImportRejection
from motcua.history.services import Outcome, import_file


class Command(BaseCommand):
    help = (
        "Import dossiers of a previous system (CSV or XLSX, columns in docs/imports.md) into "
        "statistics, printing the progress; --dry-run checks every row and writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def _progress(self, out: Outcome, total: int | None) -> None:
        of = f"/{total:,}" if total else ""
        self.stdout.write(
            f"  {out.rows:,}{of} rows: {out.created:,} created, {out.updated:,} updated, "
            f"{out.unchanged:,} unchanged, {out.rejected:,} rejected"
        )

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        try:
            batch, out = import_file(path=file, dry_run=dry_run, progress=self._progress)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        shown = out.rejections[:50] or list(
            ImportRejection.objects.filter(batch_id=batch.pk)
            .order_by("row")
            .values_list("row", "code", "reason")[:50]
        )
        for row, code, reason in shown:
            self.stdout.write(f"  row {row} {code}: {reason}")
        rate = out.rows / out.seconds if out.seconds else 0
        self.stdout.write(
            ("dry run, nothing written: " if dry_run else f"batch {batch.pk}: ")
            + f"{out.rows:,} rows, {out.created:,} created, {out.updated:,} updated, "
            f"{out.unchanged:,} unchanged, {out.rejected:,} rejected in {out.seconds:.1f} s "
            f"({rate:,.0f} rows/s)"
        )
