"""The real VNPAY adapter against the VNPAY simulator over HTTP (the live server), not a mock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from django.test import override_settings
from django.utils import timezone

from motcua.payments.gateways.base import BadSignature, GatewayError, Outcome, RefundResult
from motcua.payments.gateways.vnpay import VnpayGateway
from motcua.simulators import test_receiver
from motcua.simulators.payment_delivery import deliver_due
from motcua.simulators.testing import checkout_request, pay_through
from motcua.simulators.vnpay.models import SimNotification, SimRefund, SimTransaction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live(live_server: Any) -> Iterator[str]:
    url = live_server.url
    test_receiver.RECEIVED.clear()
    test_receiver.REFUSED.clear()
    with override_settings(
        ROOT_URLCONF="motcua.simulators.test_receiver",
        VNPAY_PAY_URL=f"{url}/sim/vnpay/paymentv2/vpcpay.html",
        VNPAY_API_URL=f"{url}/sim/vnpay/merchant_webapi/api/transaction",
        VNPAY_STATEMENT_URL=f"{url}/sim/vnpay/statement",
        PAYMENTS_SIMULATOR_IPN_URLS={
            "vnpay": f"{url}/test-ipn/vnpay/",
            "dvcqg": f"{url}/test-ipn/dvcqg/",
        },
    ):
        yield url


CREATED: dict[str, dt.datetime] = {}  # each reference's checkout moment (query and refund need it)


def start(live: str, reference: str, amount: int = 50_000) -> tuple[VnpayGateway, str]:
    gateway = VnpayGateway()
    request = checkout_request(live, reference, amount=amount)
    CREATED[reference] = request.created_at
    return gateway, gateway.checkout(request).redirect_url


def test_a_payment_is_accepted_paid_returned_and_notified(live: str) -> None:
    gateway, url = start(live, "MC20260001")
    fields = dict(parse_qsl(urlsplit(url).query))
    assert fields["vnp_Amount"] == "5000000" and fields["vnp_Version"] == "2.1.0"
    assert fields["vnp_OrderInfo"] == "Le phi ho so H12.34-250101-0001"
    back = pay_through(url, "pay")
    returned = gateway.read_return(back)
    assert (returned.reference, returned.amount, returned.outcome) == (
        "MC20260001",
        50_000,
        Outcome.PAID,
    )
    # The IPN was verified by the receiver (the real adapter) before the payer came back.
    [ipn] = test_receiver.RECEIVED
    assert (ipn.reference, ipn.amount, ipn.outcome) == ("MC20260001", 50_000, Outcome.PAID)
    assert ipn.gateway_transaction == returned.gateway_transaction
    assert ipn.paid_at is not None
    note = SimNotification.objects.get()
    assert note.delivered_at is not None and '"RspCode": "00"' in note.answer


def test_a_tampered_checkout_url_is_refused_with_code_70(live: str) -> None:
    _, url = start(live, "MC20260002")
    forged = url.replace("vnp_Amount=5000000", "vnp_Amount=100000")
    answer = httpx.get(forged)
    assert answer.status_code == 400
    assert '<strong class="vnpay-error-code">70</strong>' in answer.text
    assert not SimTransaction.objects.exists()


def test_a_foreign_terminal_is_refused_with_code_72(live: str) -> None:
    with override_settings(VNPAY_TMN_CODE="OTHER001"):
        _, url = start(live, "MC20260003")
    assert '"vnpay-error-code">72<' in httpx.get(url).text


def test_a_forged_return_and_a_forged_ipn_raise_bad_signature(live: str) -> None:
    gateway, url = start(live, "MC20260004")
    back = pay_through(url, "fail")
    assert gateway.read_return(back).outcome == Outcome.FAILED
    with pytest.raises(BadSignature):
        gateway.read_return({**back, "vnp_ResponseCode": "00", "vnp_TransactionStatus": "00"})
    forged = {**back, "vnp_Amount": "100"}
    answer = httpx.get(f"{live}/test-ipn/vnpay/", params=forged).json()
    assert answer == {"RspCode": "97", "Message": "Invalid signature"}
    assert test_receiver.REFUSED and len(test_receiver.RECEIVED) == 1


def test_cancel_fail_and_late_payments_read_as_such(live: str) -> None:
    gateway, url = start(live, "MC20260005")
    assert gateway.read_return(pay_through(url, "cancel")).outcome == Outcome.CANCELLED
    gateway, url = start(live, "MC20260006")
    late = gateway.read_return(pay_through(url, "late"))
    assert late.outcome == Outcome.PENDING
    assert test_receiver.RECEIVED[-1].reference == "MC20260005"  # no IPN yet for the late one
    created = CREATED["MC20260006"]
    assert gateway.query(
        reference="MC20260006", created_at=created, client_ip="127.0.0.1"
    ).outcome == (Outcome.PENDING)
    assert deliver_due(SimNotification, timezone.now() + dt.timedelta(minutes=5)) == 1
    assert test_receiver.RECEIVED[-1].outcome == Outcome.PAID
    SimTransaction.objects.filter(txn_ref="MC20260006").update(settled_at=timezone.now())
    paid = gateway.query(reference="MC20260006", created_at=created, client_ip="127.0.0.1")
    assert (paid.outcome, paid.amount) == (Outcome.PAID, 50_000)


def test_the_ipn_can_be_delayed_sent_twice_or_after_the_return(live: str) -> None:
    gateway, url = start(live, "MC20260007")
    gateway.read_return(pay_through(url, "pay", ipn="after_return", twice="on"))
    assert test_receiver.RECEIVED == []  # the payer came back first
    assert deliver_due(SimNotification, timezone.now() + dt.timedelta(seconds=10)) == 2
    first, second = test_receiver.RECEIVED
    assert first.reference == second.reference == "MC20260007"
    answers = list(SimNotification.objects.values_list("answer", flat=True))
    assert '"RspCode": "00"' in answers[0] and '"RspCode": "02"' in answers[1]
    _, url = start(live, "MC20260008")
    pay_through(url, "pay", ipn="delay", delay="120")
    assert deliver_due(SimNotification, timezone.now() + dt.timedelta(seconds=60)) == 0
    assert deliver_due(SimNotification, timezone.now() + dt.timedelta(seconds=121)) == 1
    _, url = start(live, "MC20260009")
    pay_through(url, "pay", ipn="none")
    assert not SimNotification.objects.filter(transaction__txn_ref="MC20260009").exists()


def test_query_of_an_unknown_payment_is_a_final_refusal(live: str) -> None:
    with pytest.raises(GatewayError) as refused:
        VnpayGateway().query(reference="NOPE0000", created_at=timezone.now(), client_ip="::1")
    assert (refused.value.code, refused.value.retry) == ("91", False)


def test_a_wrong_secret_is_refused_by_the_api_with_97(live: str) -> None:
    with override_settings(VNPAY_HASH_SECRET="wrong"):
        gateway = VnpayGateway()
    with pytest.raises(GatewayError) as refused:  # the answer is signed with the right secret
        gateway.query(reference="NOPE0000", created_at=timezone.now(), client_ip="::1")
    assert refused.value.code == "97"


def test_refunds_partial_then_the_rest_and_never_more(live: str) -> None:
    gateway, url = start(live, "MC20260010", amount=100_000)
    paid = gateway.read_return(pay_through(url, "pay"))
    assert paid.paid_at is not None

    def refund(amount: int, *, full: bool) -> RefundResult:
        return gateway.refund(
            reference="MC20260010",
            amount=amount,
            full=full,
            gateway_transaction=paid.gateway_transaction,
            created_at=CREATED["MC20260010"],
            actor="Kế toán Trần Thị Bình",
            client_ip="127.0.0.1",
        )

    part = refund(30_000, full=False)
    assert part.ok and part.response_code == "00" and part.gateway_transaction
    too_much = refund(80_000, full=False)
    assert (too_much.ok, too_much.response_code) == (False, "03")
    full_after_part = refund(70_000, full=True)
    assert (full_after_part.ok, full_after_part.response_code) == (False, "95")
    rest = refund(70_000, full=False)
    assert rest.ok
    assert list(SimRefund.objects.values_list("amount", "created_by").order_by("id")) == [
        (30_000, "Ke toan Tran Thi Binh"),
        (70_000, "Ke toan Tran Thi Binh"),
    ]


def test_a_full_refund_and_no_refund_of_an_unpaid_payment(live: str) -> None:
    gateway, url = start(live, "MC20260011")
    paid = gateway.read_return(pay_through(url, "pay"))
    assert paid.paid_at is not None
    full = gateway.refund(
        reference="MC20260011",
        amount=50_000,
        full=True,
        gateway_transaction=paid.gateway_transaction,
        created_at=CREATED["MC20260011"],
        actor="ketoan",
        client_ip="127.0.0.1",
    )
    assert full.ok
    gateway, url = start(live, "MC20260012")
    failed = gateway.read_return(pay_through(url, "fail"))
    refused = gateway.refund(
        reference="MC20260012",
        amount=50_000,
        full=True,
        gateway_transaction=failed.gateway_transaction,
        created_at=CREATED["MC20260012"],
        actor="ketoan",
        client_ip="127.0.0.1",
    )
    assert (refused.ok, refused.response_code) == (False, "95")


def test_the_daily_statement_lists_payments_and_refunds(live: str) -> None:
    gateway, url = start(live, "MC20260013", amount=80_000)
    paid = gateway.read_return(pay_through(url, "pay"))
    _, url = start(live, "MC20260014")
    pay_through(url, "cancel")
    assert paid.paid_at is not None
    gateway.refund(
        reference="MC20260013",
        amount=20_000,
        full=False,
        gateway_transaction=paid.gateway_transaction,
        created_at=CREATED["MC20260013"],
        actor="ketoan",
        client_ip="127.0.0.1",
    )
    lines = gateway.statement(paid.paid_at.date())
    assert [(x.reference, x.kind, x.amount, x.outcome) for x in lines] == [
        ("MC20260013", "payment", 80_000, Outcome.PAID),
        ("MC20260013", "refund", 20_000, Outcome.PAID),
    ]
    assert lines[0].gateway_transaction == paid.gateway_transaction
    assert gateway.statement(paid.paid_at.date() - dt.timedelta(days=1)) == []


def test_a_statement_request_with_a_bad_signature_is_refused(live: str) -> None:
    with override_settings(VNPAY_HASH_SECRET="wrong"):
        gateway = VnpayGateway()
    with pytest.raises(GatewayError):
        gateway.statement(timezone.now().date())


def test_a_used_reference_is_refused_with_94(live: str) -> None:
    _, url = start(live, "MC20260015")
    pay_through(url, "pay")
    assert '"vnpay-error-code">94<' in httpx.get(url).text


def test_an_unreachable_gateway_is_retried_later() -> None:
    with override_settings(VNPAY_API_URL="http://127.0.0.1:9/api", PAYMENTS_HTTP_TIMEOUT=1):
        gateway = VnpayGateway()
    with pytest.raises(GatewayError) as failed:
        gateway.query(reference="MC20260016", created_at=timezone.now(), client_ip="::1")
    assert failed.value.retry


def test_an_ipn_the_merchant_does_not_accept_is_sent_again(live: str) -> None:
    with override_settings(PAYMENTS_SIMULATOR_IPN_URLS={"vnpay": f"{live}/nowhere/"}):
        _, url = start(live, "MC20260017")
        pay_through(url, "pay")
    note = SimNotification.objects.get()
    assert (note.delivered_at, note.attempts, note.status_code) == (None, 1, 404)
    SimNotification.objects.update(url=f"{live}/test-ipn/vnpay/")
    assert deliver_due(SimNotification, timezone.now() + dt.timedelta(minutes=2)) == 1
    note.refresh_from_db()
    assert note.delivered_at is not None and note.attempts == 2
    assert [r.reference for r in test_receiver.RECEIVED] == ["MC20260017"]


def test_query_and_refund_find_the_payment_by_its_checkout_date_not_its_pay_date(
    live: str,
) -> None:
    gateway, url = start(live, "MC20260017", amount=60_000)
    paid = gateway.read_return(pay_through(url, "pay"))
    assert paid.paid_at is not None
    created = CREATED["MC20260017"]
    another = created - dt.timedelta(minutes=3)  # e.g. the pay date, or a later "now"
    with pytest.raises(GatewayError) as refused:
        gateway.query(reference="MC20260017", created_at=another, client_ip="::1")
    assert refused.value.code == "91"
    assert gateway.query(reference="MC20260017", created_at=created, client_ip="::1").outcome == (
        Outcome.PAID
    )
    wrong = gateway.refund(
        reference="MC20260017",
        amount=60_000,
        full=True,
        gateway_transaction=paid.gateway_transaction,
        created_at=another,
        actor="ketoan",
        client_ip="127.0.0.1",
    )
    assert (wrong.ok, wrong.response_code) == (False, "91")
    right = gateway.refund(
        reference="MC20260017",
        amount=60_000,
        full=True,
        gateway_transaction=paid.gateway_transaction,
        created_at=created,
        actor="ketoan",
        client_ip="127.0.0.1",
    )
    assert right.ok
