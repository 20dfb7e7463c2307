"""Delete the audit entries older than the province keeps them (``run_reminders`` does it daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.audit.services import audit_purge


class Command(BaseCommand):
    help = (
        "Delete reads of personal data older than MOTCUA_AUDIT_READ_RETENTION_DAYS (and changes "
        "older than MOTCUA_AUDIT_CHANGE_RETENTION_DAYS when set); each purge is itself recorded."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reports = audit_purge()
        if not reports:
            self.stdout.write("audit log: nothing is purged (no retention set)")
        for report in reports:
            self.stdout.write(
                f"audit log: {report.deleted} {'/'.join(report.kinds)} entries before "
                f"{report.before:%Y-%m-%d %H:%M} deleted"
            )
