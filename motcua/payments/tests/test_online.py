"""Online payment: the basket, checkout, the return page, the notification (IPN), receipts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.applicants.tests.factories import BINH, signed_in
from motcua.audit.models import AuditEntry
from motcua.dossiers.models import DossierEvent, DossierState, EventKind
from motcua.outbox.models import Message, MessageKind
from motcua.payments.models import (
    Mismatch,
    MismatchKind,
    Notification,
    Payment,
    PaymentState,
    Receipt,
    Refund,
    RefundState,
)
from motcua.payments.receipts import amount_in_words
from motcua.payments.services import payment_refund
from motcua.staff.models import Role
from motcua.testing import Cast, OneStopUnitFactory, StaffRoleFactory, UserFactory

from .conftest import waiting
from .gateway import FakeGateway, sign, signed

pytestmark = pytest.mark.django_db
BASKET = "/thanh-toan/"
IPN = "/thanh-toan/ipn/fake/"


def _pay(client: Client, *codes: str, gateway: str = "fake") -> Any:
    return client.post(BASKET, {"dossiers": list(codes), "gateway": gateway})


def test_the_applicant_pays_two_dossiers_in_one_basket(client: Client, cast: Cast) -> None:
    signed_in(client)
    first, second = waiting(cast), waiting(cast, amount=200_000)
    page = client.get(BASKET)
    assert page.status_code == 200
    assert first.code in page.content.decode() and second.code in page.content.decode()
    response = _pay(client, first.code, second.code)
    assert response.status_code == 200  # a page that goes on (form-action allows this site only)
    payment = Payment.objects.get()
    html = response.content.decode()
    assert f'content="0;url=https://pay.example/{payment.reference}"' in html
    assert f'href="https://pay.example/{payment.reference}"' in html
    assert (payment.state, payment.amount, payment.gateway) == (
        PaymentState.PENDING,
        208_000,
        "fake",
    )
    assert payment.next_check_at is not None
    request = FakeGateway.checkouts[0]
    assert [b.dossier_code for b in request.bills] == sorted([first.code, second.code])
    assert request.ipn_url.endswith(IPN)
    # The return alone moves nothing, and says the payment is not confirmed yet.
    back = client.get("/thanh-toan/ket-qua/fake/", signed(payment.reference, 208_000))
    assert 'data-outcome="pending"' in back.content.decode()
    first.refresh_from_db()
    assert first.state == DossierState.PAYMENT_REQUESTED
    # The notification confirms it: both dossiers move on once, one receipt.
    answer = client.get(IPN, signed(payment.reference, 208_000))
    assert answer.json()["RspCode"] == "00"
    for dossier in (first, second):
        dossier.refresh_from_db()
        assert dossier.state == DossierState.ACCEPTED
        assert dossier.paused_at is None
        assert (
            Message.objects.filter(dossier=dossier, kind=MessageKind.PAYMENT_RECEIVED).count() == 1
        )
    back = client.get("/thanh-toan/ket-qua/fake/", signed(payment.reference, 208_000))
    assert 'data-outcome="paid"' in back.content.decode()
    # A replay, by GET or POST, is "already confirmed" and changes nothing.
    events = DossierEvent.objects.count()
    assert client.get(IPN, signed(payment.reference, 208_000)).json()["RspCode"] == "02"
    assert client.post(IPN, signed(payment.reference, 208_000)).json()["RspCode"] == "02"
    assert DossierEvent.objects.count() == events
    assert Receipt.objects.count() == 1
    assert Notification.objects.count() == 3
    # The receipt: the dossier's page links it; the applicant downloads it.
    page = client.get(reverse("applicants:dossier", args=[first.code]))
    receipt_url = reverse("payments:receipt", args=[payment.reference])
    assert receipt_url in page.content.decode()
    pdf = client.get(receipt_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        (lambda ref: {**signed(ref, 8000), "sig": "0" * 64}, "97"),
        (lambda ref: signed("MC000000UNKNOWN", 8000), "01"),
        (lambda ref: signed(ref, 7000), "04"),
        (lambda ref: {**signed(ref, 8000), "boom": "1"}, "99"),
        (lambda ref: {"ref": ref}, "97"),
    ],
    ids=["bad-signature", "unknown", "amount-differs", "error", "unsigned"],
)
def test_a_bad_notification_is_answered_with_the_gateway_code_and_moves_nothing(
    client: Client, cast: Cast, fields: Any, code: str
) -> None:
    signed_in(client)
    dossier = waiting(cast)
    _pay(client, dossier.code)
    payment = Payment.objects.get()
    response = client.post(IPN, fields(payment.reference))
    assert response.status_code == 200
    assert response.json()["RspCode"] == code
    dossier.refresh_from_db()
    assert dossier.state == DossierState.PAYMENT_REQUESTED
    payment.refresh_from_db()
    assert payment.state == PaymentState.PENDING
    assert Receipt.objects.count() == 0
    notification = Notification.objects.get()  # recorded, raw, before anything else
    assert notification.answer and notification.raw


def test_a_failed_payment_is_recorded_and_a_late_success_still_counts(
    client: Client, cast: Cast
) -> None:
    signed_in(client)
    dossier = waiting(cast)
    _pay(client, dossier.code)
    payment = Payment.objects.get()
    assert client.get(IPN, signed(payment.reference, 8000, status="51")).json()["RspCode"] == "00"
    payment.refresh_from_db()
    assert payment.state == PaymentState.FAILED
    back = client.get("/thanh-toan/ket-qua/fake/", signed(payment.reference, 8000, status="51"))
    assert 'data-outcome="failed"' in back.content.decode()
    assert client.get(IPN, signed(payment.reference, 8000)).json()["RspCode"] == "00"
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED


def test_an_unknown_gateway_ipn_is_404(client: Client) -> None:
    assert client.post("/thanh-toan/ipn/nope/", {}).status_code == 404


def test_the_return_page_of_a_forged_or_foreign_return(client: Client, cast: Cast) -> None:
    signed_in(client)
    dossier = waiting(cast)
    _pay(client, dossier.code)
    payment = Payment.objects.get()
    forged = client.get(
        "/thanh-toan/ket-qua/fake/", {**signed(payment.reference, 8000), "sig": "x"}
    )
    assert forged.status_code == 200
    assert 'data-outcome="unknown"' in forged.content.decode()
    other = Client()
    signed_in(other, BINH)
    assert (
        other.get("/thanh-toan/ket-qua/fake/", signed(payment.reference, 8000)).status_code == 404
    )
    assert Client().get("/thanh-toan/ket-qua/fake/").status_code == 302  # sign in first


def test_the_basket_refuses_what_is_not_payable(client: Client, cast: Cast) -> None:
    assert client.get(BASKET).status_code == 302  # anonymous: sign in
    signed_in(client)
    mine = waiting(cast)
    theirs = waiting(cast, id_number=BINH.id_number)
    other_unit = OneStopUnitFactory()
    officer = StaffRoleFactory(role=Role.RECEIVING_OFFICER, agency=other_unit).user
    elsewhere = waiting(cast, unit=other_unit, officer=officer)
    assert _pay(client, theirs.code).status_code == 409
    assert _pay(client, mine.code, elsewhere.code).status_code == 400
    assert _pay(client, mine.code, gateway="nope").status_code == 400
    assert _pay(client).status_code == 400
    FakeGateway.down = True
    refused = _pay(client, mine.code)
    assert refused.status_code == 409
    assert Payment.objects.get().state == PaymentState.FAILED
    mine.refresh_from_db()
    assert mine.state == DossierState.PAYMENT_REQUESTED


def test_my_dossiers_shows_what_is_owed(client: Client, cast: Cast) -> None:
    signed_in(client)
    dossier = waiting(cast, amount=15_000)
    page = client.get(reverse("applicants:my-dossiers")).content.decode()
    assert "15.000" in page  # grouped as Vietnamese write it
    detail = client.get(reverse("applicants:dossier", args=[dossier.code])).content.decode()
    assert 'id="nop-phi"' in detail and "Mức thu 8000" not in detail
    assert "Mức thu 15000 đồng/hồ sơ" in detail  # the rule that gave the line


def _paid_twice(client: Client, cast: Cast) -> tuple[Any, Payment, Payment]:
    signed_in(client)
    dossier = waiting(cast)
    _pay(client, dossier.code)
    _pay(client, dossier.code)  # a second tab, before the first was confirmed
    first, second = Payment.objects.order_by("id")
    assert client.get(IPN, signed(first.reference, 8000, txn="T1")).json()["RspCode"] == "00"
    assert client.get(IPN, signed(second.reference, 8000, txn="T2")).json()["RspCode"] == "00"
    first.refresh_from_db()
    second.refresh_from_db()
    return dossier, first, second


def test_a_double_payment_moves_the_dossier_once_and_is_listed_for_a_refund(
    client: Client, cast: Cast
) -> None:
    dossier, first, second = _paid_twice(client, cast)
    assert (first.duplicate, second.duplicate) == (False, True)
    assert DossierEvent.objects.filter(dossier=dossier, kind=EventKind.FEES_PAID).count() == 1
    assert Receipt.objects.count() == 1
    mismatch = Mismatch.objects.get()
    assert (mismatch.kind, mismatch.payment) == (MismatchKind.PAID_TWICE, second)
    # An accountant of the collecting unit refunds it; others may not.
    from motcua.core.errors import Forbidden

    with pytest.raises(Forbidden):
        payment_refund(payment=second, actor=cast.receiving_officer, reason="Nộp trùng")
    accountant = UserFactory(username="ketoan")
    StaffRoleFactory(user=accountant, role=Role.ACCOUNTANT, agency=cast.unit)
    refund = payment_refund(payment=second, actor=accountant, reason="Nộp trùng")
    assert refund.ok and refund.amount == 8000
    second.refresh_from_db()
    assert second.state == PaymentState.REFUNDED
    assert FakeGateway.refunds[0]["reference"] == second.reference
    mismatch.refresh_from_db()
    assert mismatch.resolved_at is not None
    assert AuditEntry.objects.filter(action="payment.refund").count() == 1
    first.refresh_from_db()
    assert first.lines.filter(settled=True).count() == 1  # the first payment still pays the fee


def test_a_refused_refund_is_on_record_and_changes_nothing(client: Client, cast: Cast) -> None:
    _dossier, _first, second = _paid_twice(client, cast)
    accountant = UserFactory(username="ketoan")
    StaffRoleFactory(user=accountant, role=Role.ACCOUNTANT, agency=cast.unit)
    FakeGateway.refund_ok = False
    from motcua.core.errors import Conflict

    with pytest.raises(Conflict):
        payment_refund(payment=second, actor=accountant, reason="Nộp trùng")
    second.refresh_from_db()
    assert second.state == PaymentState.PAID
    assert second.refunded_amount == 0  # the reservation given back
    assert Refund.objects.get().ok is False


@pytest.mark.django_db(transaction=True)
def test_the_gateway_is_asked_for_a_refund_with_no_transaction_open_and_the_amount_reserved(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    from motcua.core.errors import ValidationFailed
    from motcua.payments.gateways.base import RefundResult

    _dossier, _first, second = _paid_twice(client, cast)
    accountant = UserFactory(username="ketoan")
    StaffRoleFactory(user=accountant, role=Role.ACCOUNTANT, agency=cast.unit)
    seen: list[tuple[bool, int, str]] = []

    def refund(self: FakeGateway, **kwargs: Any) -> RefundResult:
        reserved = Payment.objects.get(pk=second.pk).refunded_amount
        seen.append((connection.in_atomic_block, reserved, Refund.objects.get().state))
        with pytest.raises(ValidationFailed):  # meanwhile, nothing is left to refund
            payment_refund(payment=second.pk, actor=accountant, amount=1, reason="Lần nữa")
        assert kwargs["created_at"] == second.created_at  # the checkout's moment, not paid_at
        return RefundResult(True, "R1", "00", "")

    monkeypatch.setattr(FakeGateway, "refund", refund)
    done = payment_refund(payment=second, actor=accountant, reason="Nộp trùng")
    assert seen == [(False, 8000, RefundState.WAITING)]
    assert (done.state, done.gateway_transaction, done.message) == (RefundState.DONE, "R1", "")
    second.refresh_from_db()
    assert (second.state, second.refunded_amount) == (PaymentState.REFUNDED, 8000)
    assert Refund.objects.count() == 1


def test_the_accountant_page(client: Client, cast: Cast) -> None:
    _dossier, _first, second = _paid_twice(client, cast)
    mismatch = Mismatch.objects.get()
    staff = Client()
    staff.force_login(cast.receiving_officer)
    assert staff.get("/can-bo/doi-soat/").status_code == 403
    accountant = UserFactory(username="ketoan")
    StaffRoleFactory(user=accountant, role=Role.ACCOUNTANT, agency=cast.unit)
    staff.force_login(accountant)
    page = staff.get("/can-bo/doi-soat/")
    assert page.status_code == 200 and second.reference in page.content.decode()
    blank = staff.post("/can-bo/doi-soat/", {"mismatch": mismatch.pk, "do": "refund"})
    assert blank.status_code == 400
    done = staff.post(
        "/can-bo/doi-soat/", {"mismatch": mismatch.pk, "do": "refund", "resolution": "Hoàn"}
    )
    assert done.status_code == 302
    second.refresh_from_db()
    assert second.state == PaymentState.REFUNDED


def test_the_receipt_is_the_payers_and_staff_who_see_the_dossier(
    client: Client, cast: Cast
) -> None:
    signed_in(client)
    dossier = waiting(cast)
    _pay(client, dossier.code)
    payment = Payment.objects.get()
    client.get(IPN, signed(payment.reference, 8000))
    url = reverse("payments:receipt", args=[payment.reference])
    other = Client()
    signed_in(other, BINH)
    assert other.get(url).status_code == 404
    assert Client().get(url).status_code == 302
    officer = Client()
    officer.force_login(cast.receiving_officer)
    assert officer.get(url).status_code == 200
    assert AuditEntry.objects.filter(
        action="dossier.receipt", object_type="payments.receipt"
    ).exists()
    outsider = Client()
    outsider.force_login(cast.outsider)
    assert outsider.get(url).status_code == 404
    assert client.get(reverse("payments:receipt", args=["MCNOSUCHREF1"])).status_code == 404


def test_receipts_are_numbered_without_gaps_per_agency_and_year(client: Client, cast: Cast) -> None:
    signed_in(client)
    for _n in range(3):
        dossier = waiting(cast)
        _pay(client, dossier.code)
        payment = Payment.objects.order_by("-id").first()
        assert payment is not None
        client.get(IPN, signed(payment.reference, 8000))
    assert list(Receipt.objects.order_by("number").values_list("number", flat=True)) == [1, 2, 3]
    year = timezone.localdate().year % 100
    assert Receipt.objects.first().series == f"AA-{year:02d}E"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (8000, "Tám nghìn đồng"),
        (15000, "Mười lăm nghìn đồng"),
        (200_000, "Hai trăm nghìn đồng"),
        (1_250_500, "Một triệu hai trăm năm mươi nghìn năm trăm đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (105_000, "Một trăm lẻ năm nghìn đồng"),
    ],
)
def test_amounts_in_vietnamese_words(amount: int, words: str) -> None:
    assert amount_in_words(amount) == words


def test_a_signature_over_other_fields_fails(client: Client, cast: Cast) -> None:
    signed_in(client)
    dossier = waiting(cast)
    _pay(client, dossier.code)
    payment = Payment.objects.get()
    fields = signed(payment.reference, 8000)
    fields["amount"] = "1"
    assert client.get(IPN, fields).json()["RspCode"] == "97"
    assert sign({"a": "1"})["sig"] != sign({"a": "2"})["sig"]
    assert dt.date.today()  # noqa: DTZ011 - sanity


def test_a_gateway_whose_adapter_is_missing_is_not_on_offer(
    client: Client, cast: Cast, settings: Any
) -> None:
    settings.PAYMENTS_GATEWAYS = ["fake", "broken"]
    settings.PAYMENTS_GATEWAY_CLASSES = {
        "fake": "motcua.payments.tests.gateway.FakeGateway",
        "broken": "motcua.payments.gateways.nowhere.Gateway",
    }
    signed_in(client)
    dossier = waiting(cast)
    page = client.get(BASKET).content.decode()
    assert 'value="fake"' in page and 'value="broken"' not in page
    assert _pay(client, dossier.code, gateway="broken").status_code == 400
    assert client.post("/thanh-toan/ipn/broken/", {}).status_code == 404
    assert Payment.objects.count() == 0


def test_the_payable_dossiers_cost_three_queries_however_many(cast: Cast) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.payments.selectors import payable_dossiers

    first = waiting(cast, amount=8000)
    with CaptureQueriesContext(connection) as one:
        payable = payable_dossiers(first.applicant_id_number)
    assert [(p.dossier.code, p.amount) for p in payable] == [(first.code, 8000)]

    waiting(cast, amount=5000)
    waiting(cast, amount=3000)
    with CaptureQueriesContext(connection) as three:
        payable = payable_dossiers(first.applicant_id_number)

    assert sorted(p.amount for p in payable) == [3000, 5000, 8000]
    assert len(one.captured_queries) == len(three.captured_queries) == 3
