"""What a gateway's notification (IPN) costs in queries: a replay, a first confirmation."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.applicants.tests.factories import signed_in
from motcua.dossiers.models import Dossier, DossierEvent, EventKind
from motcua.payments.models import Notification, Payment, PaymentState, Receipt
from motcua.testing import Cast

from .conftest import add_fee, waiting
from .gateway import signed

pytestmark = pytest.mark.django_db
IPN = "/thanh-toan/ipn/fake/"


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


def test_a_first_confirmation_costs_the_same_whatever_the_fee_lines(
    client: Client, cast: Cast
) -> None:
    signed_in(client)
    counts = []
    for extra in (0, 0, 2):  # the first warms the process's caches (calendar, templates)
        dossier = waiting(cast)
        for n in range(extra):
            add_fee(dossier, code=f"P{n}", amount=1000)
        payment = _basket(client, dossier)
        assert payment.lines.count() == 1 + extra
        counts.append(len(_notify(signed(payment.reference, payment.amount), "00")))
        payment.refresh_from_db()
        assert payment.state == PaymentState.PAID
    assert counts[1] == counts[2], counts
    assert counts[2] <= 23, counts  # and no savepoint of the workflow's own
