"""The payments app and the real VNPAY adapter against the VNPAY simulator over HTTP.

No browser and no test gateway: the payer's side is ``pay_through`` (plain
HTTP to the simulator's page on the live server), the simulator's IPNs,
querydr, refund and statement travel over HTTP to and from the same live
server, as they do under `make run`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from motcua.dossiers.models import Dossier, DossierState
from motcua.payments.gateways.vnpay import VnpayGateway
from motcua.payments.models import (
    Mismatch,
    MismatchKind,
    Payment,
    PaymentState,
    Receipt,
    Refund,
    RefundState,
)
from motcua.payments.reconciliation import reconcile, statement_import
from motcua.payments.services import payment_refund, payment_start
from motcua.simulators.testing import pay_through
from motcua.simulators.vnpay import protocol
from motcua.simulators.vnpay.models import SimRefund, SimTransaction
from motcua.staff.models import Role
from motcua.testing import Cast, StaffRoleFactory, UserFactory

from .conftest import ID_NUMBER, waiting

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live(live_server: LiveServer, settings: Any) -> Iterator[str]:
    """The real VNPAY adapter, its simulator and our IPN endpoint, all on the live server."""
    url = live_server.url
    settings.PAYMENTS_GATEWAYS = ["vnpay"]
    settings.PAYMENTS_GATEWAY_CLASSES = {"vnpay": "motcua.payments.gateways.vnpay.VnpayGateway"}
    settings.VNPAY_PAY_URL = f"{url}/sim/vnpay/paymentv2/vpcpay.html"
    settings.VNPAY_API_URL = f"{url}/sim/vnpay/merchant_webapi/api/transaction"
    settings.VNPAY_STATEMENT_URL = f"{url}/sim/vnpay/statement"
    settings.PAYMENTS_SIMULATOR_IPN_URLS = {
        "vnpay": f"{url}/thanh-toan/ipn/vnpay/",
        "dvcqg": f"{url}/thanh-toan/ipn/dvcqg/",
    }
    yield url


def _start(live: str, *dossiers: Dossier, ago: int = 2) -> tuple[Payment, str]:
    """Start a VNPAY payment ``ago`` minutes back (its checkout date is not its pay date)."""
    started = payment_start(
        payer_id_number=ID_NUMBER,
        payer_name="Nguyễn Thị Hoa",
        dossier_codes=[d.code for d in dossiers],
        gateway_code="vnpay",
        client_ip="127.0.0.1",
        return_url=f"{live}/thanh-toan/ket-qua/vnpay/",
        ipn_url=f"{live}/thanh-toan/ipn/vnpay/",
        now=timezone.now() - dt.timedelta(minutes=ago),
    )
    return started.payment, started.redirect_url


def _state(payment: Payment) -> str:
    payment.refresh_from_db()
    return str(payment.state)


def test_a_pending_payment_is_settled_by_querydr_when_no_ipn_came(live: str, cast: Cast) -> None:
    paid_there, waits = waiting(cast, amount=30_000), waiting(cast, amount=12_000)
    payment, url = _start(live, paid_there)
    pay_through(url, "pay", ipn="none")  # paid, but VNPAY never notifies
    abandoned, url2 = _start(live, waits)
    assert httpx.get(url2, follow_redirects=True).status_code == 200  # opened, never chosen
    assert (_state(payment), _state(abandoned)) == ("pending", "pending")

    later = timezone.now() + dt.timedelta(minutes=20)
    counts = reconcile(now=later)
    assert counts == {"settled": 0, "queried": 2, "mismatches": 0}
    assert _state(payment) == PaymentState.PAID
    assert (
        payment.gateway_transaction
        == SimTransaction.objects.get(txn_ref=payment.reference).transaction_no
    )
    assert Receipt.objects.filter(payment=payment).count() == 1
    paid_there.refresh_from_db()
    assert paid_there.state == DossierState.ACCEPTED
    # Still pending at VNPAY (01): asked again a day later, nothing moved.
    assert _state(abandoned) == PaymentState.PENDING
    assert abandoned.next_check_at == later + dt.timedelta(days=1)
    assert abandoned.checks == 1
    waits.refresh_from_db()
    assert waits.state == DossierState.PAYMENT_REQUESTED


def test_a_statement_that_disagrees_is_listed_as_mismatches(live: str, cast: Cast) -> None:
    agreed, _ = _start(live, waiting(cast, amount=20_000))
    pay_through(_, "pay")
    differs, url = _start(live, waiting(cast, amount=15_000))
    pay_through(url, "pay", ipn="none")
    SimTransaction.objects.filter(txn_ref=differs.reference).update(amount=16_000)
    not_here, url = _start(live, waiting(cast, amount=9_000))
    pay_through(url, "pay", ipn="none")
    stranger = SimTransaction.objects.get(txn_ref=agreed.reference)
    stranger.pk, stranger.txn_ref, stranger.transaction_no = None, "XX0000000001", "99000001"
    stranger.save()  # a payment at VNPAY of a reference we never issued
    assert _state(agreed) == PaymentState.PAID

    day = timezone.now().astimezone(protocol.GMT7).date()
    found = statement_import(gateway_code="vnpay", day=day)
    assert sorted((m.kind, m.reference, m.gateway_amount, m.our_amount) for m in found) == sorted(
        [
            (MismatchKind.UNKNOWN, "XX0000000001", 20_000, None),
            (MismatchKind.AMOUNT_DIFFERS, differs.reference, 16_000, 15_000),
            (MismatchKind.PAID_NOT_HERE, not_here.reference, 9_000, 9_000),
        ]
    )
    assert statement_import(gateway_code="vnpay", day=day) == []  # once only


def test_a_double_payment_is_refunded_through_the_vnpay_adapter(live: str, cast: Cast) -> None:
    dossier = waiting(cast, amount=45_000)
    first, first_url = _start(live, dossier, ago=5)
    second, second_url = _start(live, dossier, ago=3)  # a second tab, before the first is paid
    pay_through(first_url, "pay")
    pay_through(second_url, "pay")
    assert (_state(first), _state(second)) == ("paid", "paid")
    assert second.duplicate and not first.duplicate
    twice = Mismatch.objects.get(kind=MismatchKind.PAID_TWICE)
    assert twice.payment == second and twice.resolved_at is None
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED

    accountant = UserFactory(username="ketoan")
    StaffRoleFactory(user=accountant, role=Role.ACCOUNTANT, agency=cast.unit)
    refund = payment_refund(payment=second, actor=accountant, reason="Nộp trùng")
    assert refund.ok and refund.response_code == "00"
    at_vnpay = SimRefund.objects.get()
    assert (at_vnpay.transaction.txn_ref, at_vnpay.amount, at_vnpay.transaction_type) == (
        second.reference,
        45_000,
        "02",
    )
    assert refund.gateway_transaction == at_vnpay.transaction_no
    assert _state(second) == PaymentState.REFUNDED
    twice.refresh_from_db()
    assert twice.resolved_at is not None
    assert _state(first) == PaymentState.PAID
    assert Refund.objects.count() == 1


class Crash(BaseException):
    """The process dies between asking VNPAY and recording its answer."""


@pytest.mark.parametrize("reached", [True, False])
def test_a_refund_left_waiting_is_settled_by_querydr(
    live: str, cast: Cast, monkeypatch: pytest.MonkeyPatch, reached: bool
) -> None:
    dossier = waiting(cast, amount=25_000)
    first, first_url = _start(live, dossier, ago=5)
    second, second_url = _start(live, dossier, ago=3)
    pay_through(first_url, "pay")
    pay_through(second_url, "pay")
    asked = VnpayGateway.refund

    def dies(self: VnpayGateway, **kwargs: Any) -> Any:
        if reached:  # VNPAY refunds; the answer is lost with the process
            asked(self, **kwargs)
        raise Crash

    monkeypatch.setattr(VnpayGateway, "refund", dies)
    accountant = UserFactory(username="ketoan")
    StaffRoleFactory(user=accountant, role=Role.ACCOUNTANT, agency=cast.unit)
    with pytest.raises(Crash):
        payment_refund(payment=second, actor=accountant, reason="Nộp trùng")
    assert Refund.objects.get().state == RefundState.WAITING
    assert SimRefund.objects.count() == (1 if reached else 0)

    counts = reconcile(now=timezone.now() + dt.timedelta(minutes=10))
    assert counts["refunds_asked"] == 1
    refund = Refund.objects.get()
    second.refresh_from_db()
    if reached:
        assert (refund.state, refund.response_code) == (RefundState.DONE, "06")
        assert (second.state, second.refunded_amount) == (PaymentState.REFUNDED, 25_000)
        assert Mismatch.objects.get().resolved_at is not None
    else:
        assert (refund.state, refund.response_code) == (RefundState.REFUSED, "00")
        assert (second.state, second.refunded_amount) == (PaymentState.PAID, 0)
        assert Mismatch.objects.get().resolved_at is None
    assert _state(first) == PaymentState.PAID
