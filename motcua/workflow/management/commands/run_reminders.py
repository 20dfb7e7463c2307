"""Run the reminders now (``--once``), or enqueue them for the task worker every few minutes.

The loop also does the housekeeping of the worker: pruning old task rows and
purging the audit log's old reads (``purge_audit_log``) once a day, sweeping
expired kept uploads (``sweep_kept_answers``, ``sweep_kept_uploads``) and the files a crash left
(``sweep_orphan_files``) once an hour; and it enqueues the payments' reconciliation
(``payments.tasks.reconcile_task``) with each round. The statistics have their own cadence:
their refresh is enqueued every ``--statistics-every`` seconds (default 60; the loop wakes
at the shorter of the two cadences), their reconciliation sweep once a day.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django_tasks_db.models import DBTaskResult

from motcua.payments.tasks import reconcile_task
from motcua.postal.tasks import tracking_task
from motcua.statistics.tasks import reconcile_task as statistics_reconcile_task
from motcua.statistics.tasks import refresh_task
from motcua.workflow.reminders import reminders_run
from motcua.workflow.tasks import reminders_task

# Finished task rows are deleted after this many days, checked once a day.
KEEP_TASK_RESULTS_DAYS = 14
DAY = 24 * 60 * 60
# Kept uploads of refused submissions are swept this often (they expire after hours).
SWEEP_KEPT_UPLOADS_EVERY = 60 * 60
logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Warn assignees before their steps are due and escalate overdue steps to leaders. "
        "--once runs it here; otherwise a reminders task is enqueued every --every seconds "
        "for `manage.py db_worker` (safe with several enqueuers and workers)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run once, here, and exit.")
        parser.add_argument(
            "--every", type=int, default=300, help="Seconds between two runs (default 300)."
        )
        parser.add_argument(
            "--times", type=int, default=0, help="Stop after this many rounds (0: never)."
        )
        parser.add_argument(
            "--statistics-every",
            type=int,
            default=60,
            help="Seconds between two refreshes of the statistics (default 60).",
        )

    def handle(
        self,
        *args: Any,
        once: bool,
        every: int,
        times: int,
        statistics_every: int,
        **options: Any,
    ) -> None:
        if once:
            report = reminders_run()
            self.stdout.write(
                f"due soon: {report.due_soon}, overdue: {report.overdue}, e-mails: {report.emailed}"
            )
            return
        done = 0
        pruned_at = -float(DAY)
        swept_at = -float(SWEEP_KEPT_UPLOADS_EVERY)
        round_at = refreshed_at = reconciled_at = -float(DAY)
        every, statistics_every = max(1, every), max(1, statistics_every)
        while True:
            if time.monotonic() - round_at >= every:
                round_at = time.monotonic()
                self.enqueue()
                if time.monotonic() - pruned_at >= DAY:
                    call_command(
                        "prune_db_task_results", min_age_days=KEEP_TASK_RESULTS_DAYS, verbosity=0
                    )
                    self.purge_audit_log()
                    pruned_at = time.monotonic()
                if time.monotonic() - swept_at >= SWEEP_KEPT_UPLOADS_EVERY:
                    self.sweep()
                    swept_at = time.monotonic()
                done += 1
            now = time.monotonic()
            if now - refreshed_at >= statistics_every:
                reconcile = now - reconciled_at >= DAY
                self.enqueue_statistics(reconcile=reconcile)
                refreshed_at = now
                if reconcile:
                    reconciled_at = now
            if times and done >= times:
                return
            wake = min(round_at + every, refreshed_at + statistics_every)
            time.sleep(max(1.0, wake - time.monotonic()))

    def purge_audit_log(self) -> None:
        """Purge the audit log's expired entries; a failure is logged and tried again tomorrow."""
        try:
            call_command("purge_audit_log", stdout=self.stdout)
        except Exception:
            logger.exception("purging the audit log failed; trying again tomorrow")

    def sweep(self) -> None:
        """Sweep expired kept uploads and orphan files; a failure is logged, never fatal."""
        for command in ("sweep_kept_answers", "sweep_kept_uploads", "sweep_orphan_files"):
            try:
                call_command(command, stdout=self.stdout)
            except Exception:
                logger.exception("%s failed; trying again next hour", command)

    def enqueue(self) -> None:
        """Enqueue a run unless one is already waiting (workers down: no pile of runs)."""
        waiting = DBTaskResult.objects.ready().filter(task_path=reminders_task.module_path)
        if waiting.exists():
            self.stdout.write("reminders already waiting for a worker")
            return
        result = reminders_task.enqueue()
        self.stdout.write(f"reminders enqueued: {result.id}")
        # Payments: pending ones re-queried when due, yesterday's statements imported.
        if not DBTaskResult.objects.ready().filter(task_path=reconcile_task.module_path).exists():
            reconcile_task.enqueue()
        # The post: orders still REQUESTED registered, tracking events pulled (webhook fallback).
        if not DBTaskResult.objects.ready().filter(task_path=tracking_task.module_path).exists():
            tracking_task.enqueue()

    def enqueue_statistics(self, *, reconcile: bool) -> None:
        """Enqueue the statistics' refresh (and, once a day, their reconciliation) unless waiting.

        The refresh brings facts and rollups up to date with the dossiers' timelines; the
        reconciliation re-reads the dossiers changed in the last two days.
        """
        if not DBTaskResult.objects.ready().filter(task_path=refresh_task.module_path).exists():
            refresh_task.enqueue()
        waiting = DBTaskResult.objects.ready().filter(
            task_path=statistics_reconcile_task.module_path
        )
        if reconcile and not waiting.exists():
            statistics_reconcile_task.enqueue()
