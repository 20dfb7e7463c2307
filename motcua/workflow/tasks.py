"""Background tasks of the workflow, run by the database task worker (``manage.py db_worker``)."""

from __future__ import annotations

from dataclasses import asdict

from django_tasks import task

from .reminders import reminders_run


@task()
def reminders_task() -> dict[str, int]:
    """Warn about steps due soon, escalate overdue ones, send the e-mails."""
    return asdict(reminders_run())
