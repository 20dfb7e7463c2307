"""Reconciliation: pending payments asked about again, statements compared, mismatches listed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from motcua.applicants.tests.factories import signed_in
from motcua.dossiers.models import DossierState
from motcua.payments.gateways.base import Outcome, Report, StatementLine
from motcua.payments.models import Mismatch, MismatchKind, Payment, PaymentState, StatementImport
from motcua.payments.reconciliation import pending_requery, reconcile, statement_import
from motcua.testing import Cast

from .conftest import waiting
from .gateway import FakeGateway

pytestmark = pytest.mark.django_db


def _pending(client: Client, cast: Cast, amount: int = 8000) -> Payment:
    signed_in(client)
    dossier = waiting(cast, amount=amount)
    client.post("/thanh-toan/", {"dossiers": [dossier.code], "gateway": "fake"})
    payment = Payment.objects.order_by("-id").first()
    assert payment is not None and payment.state == PaymentState.PENDING
    return payment


def test_a_pending_payment_is_asked_about_after_15_minutes_then_daily(
    client: Client, cast: Cast
) -> None:
    payment = _pending(client, cast)
    FakeGateway.queries[payment.reference] = Report(payment.reference, 8000, Outcome.PENDING)
    assert pending_requery(now=timezone.now() + dt.timedelta(minutes=5)) == 0
    later = timezone.now() + dt.timedelta(minutes=16)
    assert pending_requery(now=later) == 1
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING and payment.checks == 1
    assert payment.next_check_at is not None
    assert payment.next_check_at - later == dt.timedelta(days=1)
    # Paid after all: the query settles it as a notification would.
    FakeGateway.queries[payment.reference] = Report(
        payment.reference, 8000, Outcome.PAID, gateway_transaction="T9"
    )
    assert pending_requery(now=later + dt.timedelta(days=1, minutes=1)) == 1
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID and payment.gateway_transaction == "T9"
    dossier = payment.lines.get().dossier
    assert dossier.state == DossierState.ACCEPTED
    assert payment.receipt.number == 1


def test_an_unreachable_gateway_is_asked_again_later(client: Client, cast: Cast) -> None:
    payment = _pending(client, cast)
    later = timezone.now() + dt.timedelta(minutes=20)
    assert pending_requery(now=later) == 1  # no scripted answer: GatewayError
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert payment.next_check_at is not None and payment.next_check_at > later


def test_a_query_with_another_amount_is_a_mismatch(client: Client, cast: Cast) -> None:
    payment = _pending(client, cast)
    FakeGateway.queries[payment.reference] = Report(payment.reference, 9000, Outcome.PAID)
    pending_requery(now=timezone.now() + dt.timedelta(minutes=20))
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert Mismatch.objects.get().kind == MismatchKind.AMOUNT_DIFFERS


def test_a_statement_that_disagrees_lists_each_mismatch_once(client: Client, cast: Cast) -> None:
    pending = _pending(client, cast)
    paid = _pending(client, cast, amount=20_000)
    client.get("/thanh-toan/ipn/fake/", {"ref": paid.reference})  # unsigned: ignored
    from .gateway import signed

    client.get("/thanh-toan/ipn/fake/", signed(paid.reference, 20_000))
    now = timezone.now()
    FakeGateway.lines = [
        StatementLine(pending.reference, "T1", 8000, "payment", now, Outcome.PAID),
        StatementLine(paid.reference, "T2", 20_000, "payment", now, Outcome.PAID),
        StatementLine(paid.reference, "T3", 20_000, "payment", now, Outcome.PAID),
        StatementLine("MCUNKNOWN0001", "T4", 5000, "payment", now, Outcome.PAID),
        StatementLine(pending.reference, "T5", 7000, "payment", now, Outcome.PAID),
        StatementLine(paid.reference, "R1", 20_000, "refund", now, Outcome.PAID),
    ]
    day = timezone.localdate()
    found = statement_import(gateway_code="fake", day=day)
    kinds = sorted(m.kind for m in found)
    assert kinds == sorted(
        [
            MismatchKind.PAID_NOT_HERE,
            MismatchKind.PAID_TWICE,
            MismatchKind.UNKNOWN,
            MismatchKind.AMOUNT_DIFFERS,
        ]
    )
    assert statement_import(gateway_code="fake", day=day) == []
    assert Mismatch.objects.count() == 4
    assert StatementImport.objects.get(gateway="fake", day=day).lines == 6


def test_the_periodic_job_imports_yesterday_once(client: Client, cast: Cast) -> None:
    counts = reconcile()
    assert counts == {"settled": 0, "queried": 0, "mismatches": 0}
    assert StatementImport.objects.count() == 1
    FakeGateway.lines = [
        StatementLine("MCUNKNOWN0001", "T4", 5000, "payment", timezone.now(), Outcome.PAID)
    ]
    assert reconcile()["mismatches"] == 0  # yesterday is done
    call_command(
        "reconcile_payments", "--gateway", "fake", "--day", timezone.localdate().isoformat()
    )
    assert Mismatch.objects.count() == 1
