"""Bring the statistics up to date now (``--rebuild``: recompute every fact and rollup)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.statistics.services import statistics_rebuild, statistics_refresh


class Command(BaseCommand):
    help = (
        "Update the statistics' facts and rollups from the dossiers' timelines "
        "(--rebuild: recompute all of them from the dossiers and imported facts)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="Recompute everything.")

    def handle(self, *args: Any, rebuild: bool, **options: Any) -> None:
        started = time.perf_counter()
        report = statistics_rebuild() if rebuild else statistics_refresh()
        self.stdout.write(
            f"dossiers read: {report.dossiers}, facts changed: {report.changed}, "
            f"rollup rows written: {report.rows} in {time.perf_counter() - started:.1f} s"
        )
