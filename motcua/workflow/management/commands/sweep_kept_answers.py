"""Remove the files kept from refused online supplement answers past their time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.workflow.services.applicant import kept_answer_files_sweep


class Command(BaseCommand):
    help = (
        "Delete the files kept from refused online supplement answers once "
        "MOTCUA_KEPT_UPLOADS_HOURS have passed. `run_reminders` runs it hourly."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        removed = kept_answer_files_sweep()
        self.stdout.write(f"kept answer files expired: {removed}")
