"""Two notifications of the same payment at once (PostgreSQL): one settles, one is a replay."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from motcua.applicants.tests.factories import signed_in
from motcua.dossiers.models import DossierEvent, DossierState, EventKind
from motcua.payments.models import Payment, PaymentState, Receipt
from motcua.testing import cast_create

from .conftest import waiting
from .gateway import signed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_payment_notified_twice_at_once_moves_its_dossiers_once() -> None:
    cast = cast_create()
    client = Client()
    signed_in(client)
    first, second = waiting(cast), waiting(cast)
    client.post("/thanh-toan/", {"dossiers": [first.code, second.code], "gateway": "fake"})
    payment = Payment.objects.get()
    barrier = threading.Barrier(4)
    answers: list[str] = []

    def notify() -> None:
        try:
            barrier.wait()
            response = Client().post("/thanh-toan/ipn/fake/", signed(payment.reference, 16_000))
            answers.append(response.json()["RspCode"])
        finally:
            connection.close()

    threads = [threading.Thread(target=notify) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == ["00", "02", "02", "02"]
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID
    assert Receipt.objects.count() == 1
    for dossier in (first, second):
        dossier.refresh_from_db()
        assert dossier.state == DossierState.ACCEPTED
        assert DossierEvent.objects.filter(dossier=dossier, kind=EventKind.FEES_PAID).count() == 1
