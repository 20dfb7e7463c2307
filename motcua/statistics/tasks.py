"""The statistics' background jobs: thin, over the services."""

from __future__ import annotations

from django_tasks import task

from .services import statistics_reconcile, statistics_refresh


@task()
def refresh_task() -> int:
    """Bring facts and rollups up to date (every minute); return the facts changed."""
    return statistics_refresh().changed


@task()
def reconcile_task() -> int:
    """Re-sync the dossiers changed in the last two days (once a day); return the facts changed."""
    return statistics_reconcile().changed
