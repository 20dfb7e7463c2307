"""Background tasks of payments, run by the database task workers (``manage.py db_worker``).

``settle_task`` runs on the ``payments`` backend (its own worker: a paid
dossier moves on without waiting behind the reminders); the tests run it
in place (``ImmediateBackend``, conftest.py).
"""

from __future__ import annotations

from django_tasks import task


@task(backend="payments", queue_name="payments")
def settle_task(payment_id: int) -> bool:
    """Settle a payment the gateway confirmed (queued with the confirmation)."""
    from .services import payment_settle

    return payment_settle(payment_id)


@task()
def reconcile_task() -> dict[str, int]:
    """Re-query pending payments; import yesterday's statements (``run_reminders`` enqueues it)."""
    from .reconciliation import reconcile

    return reconcile()
