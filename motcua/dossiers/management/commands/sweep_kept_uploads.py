"""Remove kept uploads past their time, and files under pending/ that no row holds."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.dossiers.uploads import pending_uploads_sweep


class Command(BaseCommand):
    help = (
        "Delete the files kept from refused submissions once MOTCUA_KEPT_UPLOADS_HOURS have "
        "passed, and files under pending/ left without a row. `run_reminders` runs it hourly."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = pending_uploads_sweep()
        self.stdout.write(f"kept uploads expired: {report.expired}, orphan files: {report.orphans}")
