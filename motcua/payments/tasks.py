"""Background tasks of payments, run by the database task worker (``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from .reconciliation import reconcile


@task()
def reconcile_task() -> dict[str, int]:
    """Re-query pending payments; import yesterday's statements (``run_reminders`` enqueues it)."""
    return reconcile()
