"""Remove stored files that no row holds, and temporary uploads, that a crash left."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.dossiers.sweep import orphan_files_sweep


class Command(BaseCommand):
    help = (
        "Delete stored files that no row holds and temporary uploads, once they are older than "
        "MOTCUA_ORPHAN_GRACE_MINUTES (what a process killed between writing a file and "
        "committing its row left). Reads the dated folders of the last days unless --all. "
        "`run_reminders` runs it hourly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="Read every folder, not only recent ones."
        )
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=None,
            help="Leave files younger than this (default MOTCUA_ORPHAN_GRACE_MINUTES).",
        )

    def handle(self, *args: Any, all: bool, grace_minutes: int | None, **options: Any) -> None:
        grace = None if grace_minutes is None else dt.timedelta(minutes=grace_minutes)
        report = orphan_files_sweep(grace=grace, everything=all)
        self.stdout.write(
            f"stored files without a row: {report.stored}, temporary uploads: {report.temporary}"
        )
