"""Background tasks of the postal service, run by the database task worker (``db_worker``)."""

from __future__ import annotations

from django_tasks import task

from .tracking import tracking_run


@task()
def tracking_task() -> dict[str, int]:
    """Register orders still REQUESTED, pull the post's events (``run_reminders`` enqueues it)."""
    return tracking_run()
