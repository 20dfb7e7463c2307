"""The history imports' background job: thin, over the service."""

from __future__ import annotations

from django_tasks import task

from .services import import_batch_run


@task()
def import_task(batch_id: int) -> str:
    """Run the import of batch ``batch_id``; return its final state."""
    batch = import_batch_run(batch_id=batch_id)
    return batch.state if batch is not None else "not queued"
