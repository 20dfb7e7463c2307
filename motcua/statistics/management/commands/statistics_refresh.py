"""Bring the statistics up to date now (``--reconcile``: the daily sweep; ``--rebuild``: all)."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.statistics.services import (
    statistics_rebuild,
    statistics_reconcile,
    statistics_refresh,
)

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Update the statistics' facts and rollups from the dossiers' timelines "
        "(--reconcile: re-read every dossier changed in the last two days, as the daily job "
        "does; --rebuild: recompute all of them from the dossiers and imported facts)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="Recompute everything.")
        parser.add_argument(
            "--rollups",
            action="store_true",
            help="With --rebuild: recompute the rollups and open counts from the facts as they "
            "are, without re-reading every dossier (all in the database).",
        )
        parser.add_argument(
            "--reconcile", action="store_true", help="Re-read the dossiers of the last two days."
        )
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help="Refresh every this many seconds until stopped (the demo's loop; a deployment "
            "runs `run_reminders`, which enqueues the refresh for the task workers).",
        )

    def handle(
        self,
        *args: Any,
        rebuild: bool,
        rollups: bool,
        reconcile: bool,
        every: int,
        **options: Any,
    ) -> None:
        while every > 0:
            try:
                statistics_refresh()
            except Exception:  # a failed round is logged and tried again next round
                logger.exception("statistics refresh failed; trying again")
            time.sleep(every)
        started = time.perf_counter()
        if rebuild:
            report = statistics_rebuild(facts=not rollups)
        elif reconcile:
            report = statistics_reconcile()
        else:
            report = statistics_refresh()
        self.stdout.write(
            f"dossiers read: {report.dossiers}, facts changed: {report.changed}, "
            f"rollup rows written: {report.rows} in {time.perf_counter() - started:.1f} s"
        )
