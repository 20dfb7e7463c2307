"""The national portal's payment platform, end to end: the applicant's basket, the real adapter,
the platform's simulator, its signed notification and statement, all over HTTP (the live server).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from motcua.applicants.tests.factories import signed_in
from motcua.core.errors import Conflict
from motcua.dossiers.models import DossierEvent, DossierState, EventKind
from motcua.payments import services
from motcua.payments.gateways.base import GatewayError
from motcua.payments.gateways.dvcqg import GMT7, NO_REFUND, UNSUPPORTED, PlatformGateway
from motcua.payments.models import (
    Mismatch,
    MismatchKind,
    Notification,
    Payment,
    PaymentState,
    Receipt,
    Refund,
    RefundState,
    StatementImport,
)
from motcua.payments.reconciliation import reconcile
from motcua.simulators.dvcqg_payment.models import PlatformTransaction
from motcua.simulators.testing import pay_through
from motcua.staff.models import Role
from motcua.testing import Cast, StaffRoleFactory, UserFactory

from .conftest import waiting

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live(live_server: LiveServer, settings: Any) -> Iterator[str]:
    """The real platform adapter, its simulator and our IPN endpoint, all on the live server."""
    url = live_server.url
    settings.PAYMENTS_GATEWAYS = ["dvcqg"]
    settings.PAYMENTS_GATEWAY_CLASSES = {"dvcqg": "motcua.payments.gateways.dvcqg.PlatformGateway"}
    settings.DVCQG_PAYMENT_URL = f"{url}/sim/dvcqg/api/"
    settings.PAYMENTS_SIMULATOR_IPN_URLS = {
        "vnpay": f"{url}/thanh-toan/ipn/vnpay/",
        "dvcqg": f"{url}/thanh-toan/ipn/dvcqg/",
    }
    yield url


def _checkout(client: Client, live: str, *codes: str) -> str:
    """Pay ``codes`` from the basket page; return the platform's payment URL it sends to."""
    page = client.post("/thanh-toan/", {"dossiers": list(codes), "gateway": "dvcqg"})
    assert page.status_code == 200, page.content[:500]
    url = page.context["url"]
    assert url.startswith(f"{live}/sim/dvcqg/")
    return str(url)


def test_a_basket_paid_at_the_platform_moves_both_dossiers_and_agrees_with_its_statement(
    client: Client, live: str, cast: Cast
) -> None:
    signed_in(client)
    one, two = waiting(cast, amount=30_000), waiting(cast, amount=12_000)
    url = _checkout(client, live, one.code, two.code)
    payment = Payment.objects.get()
    txn = PlatformTransaction.objects.get()
    assert (txn.transaction_id, txn.trans_amount) == (payment.reference, 42_000)
    assert sorted(b["MaHoSo"] for b in txn.bills) == sorted([one.code, two.code])

    back = pay_through(url, "pay")  # the platform notifies (signed) before the payer is back
    assert back["transaction_id"] == payment.reference
    payment.refresh_from_db()
    assert (payment.state, payment.gateway_transaction) == (
        PaymentState.PAID,
        txn.transaction_code,
    )
    note = Notification.objects.get(gateway="dvcqg")
    assert (note.answer, note.payment_id) == ("confirmed", payment.pk)
    for dossier in (one, two):
        dossier.refresh_from_db()
        assert dossier.state == DossierState.ACCEPTED
        assert DossierEvent.objects.filter(dossier=dossier, kind=EventKind.FEES_PAID).count() == 1
    assert Receipt.objects.get().payment == payment
    # The return page says what is known: paid.
    shown = client.get("/thanh-toan/ket-qua/dvcqg/", back)
    assert shown.status_code == 200 and shown.context["outcome"] == "paid"

    # Next day, reconciliation imports the platform's statement of the day: it agrees.
    day = timezone.now().astimezone(GMT7).date()
    counts = reconcile(now=timezone.now() + dt.timedelta(days=1))
    assert counts["mismatches"] == 0
    imported = StatementImport.objects.get(gateway="dvcqg")
    assert (imported.day, imported.lines, imported.mismatches) == (day, 1, 0)


def test_a_payment_the_platform_never_notified_is_listed_from_its_statement(
    client: Client, live: str, cast: Cast
) -> None:
    signed_in(client)
    dossier = waiting(cast, amount=9_000)
    pay_through(_checkout(client, live, dossier.code), "pay", ipn="none")
    payment = Payment.objects.get()
    assert payment.state == PaymentState.PENDING
    counts = reconcile(now=timezone.now() + dt.timedelta(days=1))
    # The detail query settles it first (paid there); the statement then agrees.
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID and counts["queried"] == 1
    assert counts["mismatches"] == 0
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED


def test_the_platform_has_no_refund_so_only_a_refund_paid_back_outside_is_recorded(
    client: Client, live: str, cast: Cast
) -> None:
    signed_in(client)
    dossier = waiting(cast, amount=20_000)
    first_url = _checkout(client, live, dossier.code)
    second_url = _checkout(client, live, dossier.code)  # a second tab
    pay_through(first_url, "pay")
    pay_through(second_url, "pay")
    first, second = Payment.objects.order_by("id")
    assert (first.state, second.state, second.duplicate) == ("paid", "paid", True)
    assert Mismatch.objects.get().kind == MismatchKind.PAID_TWICE

    adapter = PlatformGateway()
    assert adapter.can_refund is False
    with pytest.raises(GatewayError) as said:
        adapter.refund(
            reference=second.reference,
            amount=20_000,
            full=True,
            gateway_transaction=second.gateway_transaction,
            created_at=second.created_at,
            actor="ketoan",
            client_ip="127.0.0.1",
        )
    assert (str(said.value), said.value.code, said.value.retry) == (NO_REFUND, UNSUPPORTED, False)

    accountant = UserFactory(username="ketoan")
    StaffRoleFactory(user=accountant, role=Role.ACCOUNTANT, agency=cast.unit)
    with pytest.raises(Conflict) as refused:
        services.payment_refund(payment=second, actor=accountant, reason="Nộp trùng")
    assert refused.value.message == services.REFUND_OUTSIDE_ONLY
    assert not Refund.objects.exists()
    staff = Client()
    staff.force_login(accountant)
    page = staff.get("/can-bo/doi-soat/").content.decode()
    assert 'value="refund_outside"' in page and 'value="refund"' not in page
    staff.post(
        "/can-bo/doi-soat/",
        {"mismatch": Mismatch.objects.get().pk, "do": "refund_outside", "resolution": "KBNN"},
    )
    refund = Refund.objects.get()
    assert (refund.state, refund.outside_gateway) == (RefundState.DONE, True)
    second.refresh_from_db()
    assert second.state == PaymentState.REFUNDED
