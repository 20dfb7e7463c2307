"""The statistics' background job: thin, over the service."""

from __future__ import annotations

from django_tasks import task

from .services import statistics_refresh


@task()
def refresh_task() -> int:
    """Bring facts and rollups up to date; return the facts changed."""
    return statistics_refresh().changed
