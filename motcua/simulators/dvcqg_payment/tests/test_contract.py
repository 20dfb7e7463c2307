"""The real national-platform adapter against its simulator over HTTP (the live server)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.test import override_settings
from django.utils import timezone

from motcua.payments.gateways.base import BadSignature, GatewayError, Outcome
from motcua.payments.gateways.dvcqg import PlatformGateway, pay_checksum
from motcua.simulators import test_receiver
from motcua.simulators.dvcqg_payment.models import PlatformNotification, PlatformTransaction
from motcua.simulators.payment_delivery import deliver_due
from motcua.simulators.testing import checkout_request, pay_through

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live(live_server: Any) -> Iterator[str]:
    url = live_server.url
    test_receiver.RECEIVED.clear()
    test_receiver.REFUSED.clear()
    with override_settings(
        ROOT_URLCONF="motcua.simulators.test_receiver",
        DVCQG_PAYMENT_URL=f"{url}/sim/dvcqg/api/",
        PAYMENTS_SIMULATOR_IPN_URLS={
            "vnpay": f"{url}/test-ipn/vnpay/",
            "dvcqg": f"{url}/test-ipn/dvcqg/",
        },
    ):
        yield url


def test_a_basket_of_two_bills_is_created_paid_returned_and_notified(live: str) -> None:
    gateway = PlatformGateway()
    checkout = gateway.checkout(checkout_request(live, "DV20260001", amount=60_000, bills=2))
    txn = PlatformTransaction.objects.get()
    assert [b["MaHoSo"] for b in txn.bills] == ["H12.34-250101-0001", "H12.34-250101-0002"]
    assert txn.bills[0]["PhiLePhi"] == [
        {"LoaiPhiLePhi": 2, "MaPhiLePhi": "LP01", "TenPhiLePhi": "Lệ phí", "SoTien": 30_000}
    ]
    assert txn.bills[0]["SoCMNDNguoiNop"] == "001090000001"
    back = gateway.read_return(pay_through(checkout.redirect_url, "pay"))
    assert (back.reference, back.amount, back.outcome) == ("DV20260001", 60_000, Outcome.PAID)
    [ipn] = test_receiver.RECEIVED
    assert (ipn.outcome, ipn.gateway_transaction) == (Outcome.PAID, txn.transaction_code)
    assert '"return_code": 0' in PlatformNotification.objects.get().answer


def test_a_bad_checksum_or_client_is_refused(live: str) -> None:
    with override_settings(DVCQG_PAYMENT_HASH_KEY_1="wrong"):
        gateway = PlatformGateway()
    with pytest.raises(GatewayError) as refused:
        gateway.checkout(checkout_request(live, "DV20260002"))
    assert (refused.value.code, refused.value.retry) == ("1", False)
    with override_settings(DVCQG_PAYMENT_CLIENT_ID="someone-else"):
        gateway = PlatformGateway()
    with pytest.raises(GatewayError) as refused:
        gateway.checkout(checkout_request(live, "DV20260002"))
    assert refused.value.code == "4"
    assert not PlatformTransaction.objects.exists()


def test_a_repeated_transaction_id_is_refused(live: str) -> None:
    gateway = PlatformGateway()
    gateway.checkout(checkout_request(live, "DV20260003"))
    with pytest.raises(GatewayError) as refused:
        gateway.checkout(checkout_request(live, "DV20260003"))
    assert refused.value.code == "3"


def test_a_forged_notification_raises_bad_signature(live: str) -> None:
    gateway = PlatformGateway()
    checkout = gateway.checkout(checkout_request(live, "DV20260004"))
    back = pay_through(checkout.redirect_url, "cancel")
    assert gateway.read_return(back).outcome == Outcome.CANCELLED
    forged = {**back, "trans_amount": "1"}
    answer = httpx.post(f"{live}/test-ipn/dvcqg/", json=forged).json()
    assert answer == {"return_code": -1, "return_msg": "invalid_signature"}
    with pytest.raises(BadSignature):
        gateway.read_return(forged)


def test_late_and_repeated_notifications_and_the_status_query(live: str) -> None:
    gateway = PlatformGateway()
    checkout = gateway.checkout(checkout_request(live, "DV20260005"))
    back = gateway.read_return(pay_through(checkout.redirect_url, "late", twice="on"))
    assert back.outcome == Outcome.PENDING and test_receiver.RECEIVED == []
    now = timezone.now()
    assert gateway.query(reference="DV20260005", created_at=now, client_ip="").outcome == (
        Outcome.PENDING
    )
    PlatformTransaction.objects.update(settled_at=now)  # the bank confirmed it
    assert deliver_due(PlatformNotification, now + dt.timedelta(minutes=5)) == 2
    assert [r.outcome for r in test_receiver.RECEIVED] == [Outcome.PAID, Outcome.PAID]
    assert gateway.query(reference="DV20260005", created_at=now, client_ip="").outcome == (
        Outcome.PAID
    )
    with pytest.raises(GatewayError) as missing:
        gateway.query(reference="DV99999999", created_at=now, client_ip="")
    assert missing.value.code == "5"


def test_the_statement_lists_the_days_payments_and_refunds_are_not_offered(live: str) -> None:
    gateway = PlatformGateway()
    for reference, action in (("DV20260006", "pay"), ("DV20260007", "fail")):
        checkout = gateway.checkout(checkout_request(live, reference, amount=25_000))
        paid = gateway.read_return(pay_through(checkout.redirect_url, action))
    day = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    lines = gateway.statement(day)
    assert [(x.reference, x.amount, x.outcome, x.kind) for x in lines] == [
        ("DV20260006", 25_000, Outcome.PAID, "payment")
    ]
    with pytest.raises(GatewayError) as refused:
        gateway.refund(
            reference="DV20260006",
            amount=25_000,
            full=True,
            gateway_transaction=paid.gateway_transaction,
            created_at=timezone.now(),
            actor="ketoan",
            client_ip="",
        )
    assert (refused.value.code, refused.value.retry) == ("unsupported", False)


def test_the_checksum_is_over_the_documented_fields_in_order() -> None:
    fields = {
        "addition_fee": "0",
        "client_id": "c",
        "command": "PAY",
        "trans_amount": "1000",
        "transaction_id": "T1",
        "version": "3.0",
    }
    import hashlib
    import hmac

    expected = hmac.new(b"k", b"0|c|PAY|1000|T1|3.0", hashlib.sha256).hexdigest()
    assert pay_checksum("k", fields) == expected


def test_a_failed_payments_fields_with_the_status_changed_are_not_believed(live: str) -> None:
    gateway = PlatformGateway()
    checkout = gateway.checkout(checkout_request(live, "DV20260008"))
    back = pay_through(checkout.redirect_url, "fail", ipn="none")
    assert gateway.read_return(back).outcome == Outcome.FAILED
    forged = {**back, "status": "0"}  # the checksum does not cover the status
    answer = httpx.post(f"{live}/test-ipn/dvcqg/", json=forged).json()
    assert answer["return_code"] == -1
    assert test_receiver.REFUSED == ["the platform does not confirm this payment"]
    assert test_receiver.RECEIVED == []
