"""What a gateway's notification (IPN) costs in queries: a replay, a first confirmation.

Measured as in production: the settlement is queued for the payments
worker (``DatabaseBackend``), not run in the request.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.applicants.tests.factories import signed_in
from motcua.dossiers.models import Dossier, DossierEvent, DossierState, EventKind
from motcua.payments.models import Notification, Payment, PaymentState, Receipt
from motcua.payments.services import payment_settle
from motcua.testing import Cast

from .conftest import add_fee, waiting
from .gateway import signed

pytestmark = pytest.mark.django_db
IPN = "/thanh-toan/ipn/fake/"


@pytest.fixture(autouse=True)
def _queued(settings: Any) -> None:
    """Queue the settlement in the database, as production does."""
    settings.TASKS = {
        **settings.TASKS,
        "payments": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["payments"]},
    }


def _queued_settlements() -> list[Any]:
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(backend_name="payments").values_list("args_kwargs", flat=True)
    )


def _statements(context: CaptureQueriesContext) -> list[str]:
    """The queries run, without the savepoints of the test's own transaction."""
    return [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"].upper()]


def _basket(client: Client, dossier: Dossier) -> Payment:
    client.post("/thanh-toan/", {"dossiers": [dossier.code], "gateway": "fake"})
    payment: Payment = Payment.objects.filter(lines__dossier=dossier).distinct().get()
    return payment


def _notify(body: dict[str, Any], expected: str) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        assert Client().post(IPN, body).json()["RspCode"] == expected
    savepoints = [q for q in context.captured_queries if q["sql"].upper().startswith("SAVEPOINT")]
    assert len(savepoints) <= 1  # payment_report's transaction (a savepoint in a test), no other
    return _statements(context)


def test_a_replay_is_one_read_and_one_insert(client: Client, cast: Cast) -> None:
    signed_in(client)
    payment = _basket(client, waiting(cast))
    body = signed(payment.reference, payment.amount)
    _notify(body, "00")
    payment_settle(payment.pk)  # the worker
    queries = _notify(body, "02")
    assert len(queries) == 2, queries  # the payment's state, the raw record with its answer
    notification = Notification.objects.order_by("-pk").first()
    assert notification is not None
    assert (notification.answer, notification.payment_id, notification.reference) == (
        "already_confirmed",
        payment.pk,
        payment.reference,
    )
    assert notification.raw["form"]["ref"] == payment.reference
    assert DossierEvent.objects.filter(kind=EventKind.FEES_PAID).count() == 1
    assert Receipt.objects.count() == 1
    # A failed report of a paid payment is a replay too; another amount is not.
    assert len(_notify(signed(payment.reference, payment.amount, status="51"), "02")) == 2
    _notify(signed(payment.reference, payment.amount + 1), "04")


def test_a_first_confirmation_is_a_few_writes_and_the_worker_moves_the_dossier(
    client: Client, cast: Cast
) -> None:
    signed_in(client)
    counts = []
    for extra in (0, 0, 2):  # the first warms the process's caches
        dossier = waiting(cast)
        for n in range(extra):
            add_fee(dossier, code=f"P{n}", amount=1000)
        payment = _basket(client, dossier)
        assert payment.lines.count() == 1 + extra
        counts.append(len(_notify(signed(payment.reference, payment.amount), "00")))
        payment.refresh_from_db()
        assert (payment.state, payment.settled_at) == (PaymentState.PAID, None)
        dossier.refresh_from_db()
        assert dossier.state == DossierState.PAYMENT_REQUESTED  # until the worker settles it
        assert not Receipt.objects.filter(payment=payment).exists()
        assert {"args": [payment.pk], "kwargs": {}} in _queued_settlements()
        assert payment_settle(payment.pk)
        assert not payment_settle(payment.pk)  # once
        dossier.refresh_from_db()
        assert dossier.state != DossierState.PAYMENT_REQUESTED
        assert Receipt.objects.filter(payment=payment).count() == 1
    assert counts[1] == counts[2], counts
    # The replay check, the payment locked, updated, its audit entry, the queued settlement,
    # the notification with its answer.
    assert counts[2] <= 6, counts


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when done
def test_the_payments_worker_settles_what_the_notification_queued(client: Client) -> None:
    from motcua.testing import cast_create

    cast = cast_create()
    signed_in(client)
    dossier = waiting(cast)
    payment = _basket(client, dossier)
    assert Client().post(IPN, signed(payment.reference, payment.amount)).json()["RspCode"] == "00"
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--backend",
        "payments",
        "--queue-name",
        "payments",
    )
    dossier.refresh_from_db()
    payment.refresh_from_db()
    assert payment.settled_at is not None
    assert dossier.state != DossierState.PAYMENT_REQUESTED
    assert Receipt.objects.filter(payment=payment).count() == 1


def test_the_periodic_sweep_settles_what_no_worker_took(client: Client, cast: Cast) -> None:
    import datetime as dt

    from django.utils import timezone

    from motcua.payments.reconciliation import reconcile, unsettled_sweep

    signed_in(client)
    dossier = waiting(cast)
    payment = _basket(client, dossier)
    _notify(signed(payment.reference, payment.amount), "00")
    assert unsettled_sweep() == 0  # just confirmed: the worker's to take
    later = timezone.now() + dt.timedelta(minutes=5)
    assert reconcile(now=later)["settled"] == 1
    assert reconcile(now=later)["settled"] == 0
    dossier.refresh_from_db()
    assert dossier.state != DossierState.PAYMENT_REQUESTED
    assert Receipt.objects.filter(payment=payment).count() == 1


def test_a_failure_while_acting_records_the_notification_alone_and_changes_nothing(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.payments import services

    signed_in(client)
    payment = _basket(client, waiting(cast))

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "_report_on", boom)
    assert Client().post(IPN, signed(payment.reference, payment.amount)).json()["RspCode"] == "99"
    payment.refresh_from_db()
    assert (payment.state, payment.settled_at) == (PaymentState.PENDING, None)
    notification = Notification.objects.get()
    assert (notification.answer, notification.payment_id) == ("other", None)
    assert notification.raw["form"]["ref"] == payment.reference
    assert _queued_settlements() == []
