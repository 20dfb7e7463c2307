"""Fees requested at the moment the procedure's rules say; the dossier waits, then moves once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from motcua.catalog.models import FeeDue
from motcua.core.errors import Conflict, Forbidden
from motcua.dossiers.models import DossierEvent, DossierFee, DossierState, EventKind, Status
from motcua.outbox.models import Message, MessageKind
from motcua.payments.models import Method, Payment, PaymentLine, PaymentState
from motcua.testing import Cast, pdf_upload
from motcua.workflow import services
from motcua.workflow.actions import action_run
from motcua.workflow.rules import NOT_WAITING_FOR_PAYMENT, NOTHING_TO_PAY, Action
from motcua.workflow.selectors import dossier_for_staff

from .conftest import add_fee, submitted, waiting

pytestmark = pytest.mark.django_db


def test_a_before_fee_is_requested_at_acceptance_and_the_clock_stops(cast: Cast) -> None:
    dossier = waiting(cast)
    assert dossier.state == DossierState.PAYMENT_REQUESTED
    assert dossier.status == Status.PAYMENT_REQUESTED
    assert dossier.paused_at is not None
    event = DossierEvent.objects.filter(dossier=dossier).order_by("-id").first()
    assert event is not None and event.kind == EventKind.FEES_REQUESTED
    assert "8.000 đồng" in event.note
    assert event.from_state == DossierState.ACCEPTED
    kinds = set(Message.objects.filter(dossier=dossier).values_list("kind", flat=True))
    assert MessageKind.FEE_REQUESTED in kinds


def test_the_clock_keeps_running_when_the_setting_says_so(cast: Cast, settings: Any) -> None:
    settings.PAYMENTS_PAUSE_CLOCK = False
    assert waiting(cast).paused_at is None


def test_no_fee_exempt_or_nought_no_request(cast: Cast) -> None:
    plain = submitted(cast)
    exempt = submitted(cast)
    add_fee(exempt, amount=0)
    add_fee(exempt, code="P2", amount=5000, due=FeeDue.EXEMPT)
    for dossier in (plain, exempt):
        services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
        dossier.refresh_from_db()
        assert dossier.state == DossierState.ACCEPTED


def test_automatic_requests_can_be_switched_off(cast: Cast, settings: Any) -> None:
    settings.PAYMENTS_REQUEST_AUTOMATICALLY = False
    dossier = submitted(cast)
    add_fee(dossier)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED
    services.dossier_request_payment(dossier=dossier, actor=cast.receiving_officer, note="Nộp")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.PAYMENT_REQUESTED


def test_an_uncounted_fee_is_not_requested_by_itself_and_refused_by_hand(cast: Cast) -> None:
    dossier = submitted(cast)
    add_fee(dossier, amount=None)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED
    with pytest.raises(Conflict) as caught:
        services.dossier_request_payment(dossier=dossier, actor=cast.receiving_officer)
    assert caught.value.message == services.FEES_UNCOUNTED


def test_requesting_with_nothing_owed_or_without_the_role_is_refused(cast: Cast) -> None:
    dossier = submitted(cast)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    with pytest.raises(Conflict) as caught:
        services.dossier_request_payment(dossier=dossier, actor=cast.receiving_officer)
    assert caught.value.message == services.NOTHING_TO_PAY
    with pytest.raises(Forbidden):
        services.dossier_request_payment(dossier=dossier, actor=cast.specialist)


def test_the_fee_request_is_offered_only_when_counted_fees_are_unpaid(cast: Cast) -> None:
    def offered(dossier: Any) -> bool:
        seen = dossier_for_staff(user=cast.receiving_officer, code=dossier.code)
        return Action.REQUEST_PAYMENT in seen.actions

    nothing = submitted(cast)
    services.dossier_accept(dossier=nothing, actor=cast.receiving_officer)
    assert not offered(nothing)
    with pytest.raises(Conflict) as caught:  # the page and the API: the rules' words, a 409
        action_run(
            Action.REQUEST_PAYMENT,
            dossier=nothing.code,
            actor=cast.receiving_officer,
            data={},
            revision="*",
        )
    assert caught.value.message == NOTHING_TO_PAY
    add_fee(nothing, amount=None)
    assert not offered(nothing)  # an amount still to count: counted first
    DossierFee.objects.filter(dossier=nothing).update(amount=12_000)
    assert offered(nothing)
    services.dossier_request_payment(dossier=nothing, actor=cast.receiving_officer)
    nothing.refresh_from_db()
    assert nothing.state == DossierState.PAYMENT_REQUESTED
    assert not offered(nothing)  # asked already: it waits for the payment
    # Paid at the counter: nothing is owed any more, so nothing is offered again.
    action_run(
        Action.RECORD_PAYMENT,
        dossier=nothing.code,
        actor=cast.receiving_officer,
        data={"method": "cash", "receipt_number": "B1"},
        revision="*",
    )
    nothing.refresh_from_db()
    assert nothing.state == DossierState.ACCEPTED and not offered(nothing)


def _processed(cast: Cast, dossier: Any) -> None:
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    services.dossier_result_record(
        dossier=dossier, actor=cast.specialist, name="Kết quả", upload=pdf_upload()
    )
    services.dossier_forward(dossier=dossier, actor=cast.specialist)
    services.dossier_mark_processed(dossier=dossier, actor=cast.leader)
    dossier.refresh_from_db()


def test_an_after_fee_is_requested_when_processed_and_the_result_waits(cast: Cast) -> None:
    dossier = submitted(cast)
    add_fee(dossier, due=FeeDue.AFTER, amount=50_000)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED
    _processed(cast, dossier)
    assert dossier.state == DossierState.PAYMENT_REQUESTED
    assert dossier.paused_at is None  # processing is over: no clock to stop
    with pytest.raises(Conflict):
        services.dossier_return_result(dossier=dossier, actor=cast.receiving_officer, to_whom="An")
    action_run(
        Action.RECORD_PAYMENT,
        dossier=dossier.code,
        actor=cast.receiving_officer,
        data={"method": "cash", "receipt_number": "BL-001"},
        revision="*",
    )
    dossier.refresh_from_db()
    assert dossier.state == DossierState.PROCESSED
    services.dossier_return_result(dossier=dossier, actor=cast.receiving_officer, to_whom="An")


def test_the_counter_payment_moves_the_dossier_on_once_and_resumes_the_clock(cast: Cast) -> None:
    dossier = waiting(cast)
    due_before = dossier.due_at
    action_run(
        Action.RECORD_PAYMENT,
        dossier=dossier.code,
        actor=cast.receiving_officer,
        data={"method": "cash", "receipt_number": "0001234", "revision": dossier.revision},
    )
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED
    assert dossier.paused_at is None
    assert dossier.due_at >= due_before
    payment = Payment.objects.get()
    assert (payment.method, payment.state, payment.amount) == (Method.CASH, PaymentState.PAID, 8000)
    assert payment.receipt.number == 1
    assert payment.receipt_number == "0001234"
    paid = DossierEvent.objects.get(dossier=dossier, kind=EventKind.FEES_PAID)
    assert "0001234" in paid.note
    assert Message.objects.filter(dossier=dossier, kind=MessageKind.PAYMENT_RECEIVED).exists()
    # Paid: a second record is refused, and changes nothing.
    with pytest.raises(Conflict) as caught:
        action_run(
            Action.RECORD_PAYMENT,
            dossier=dossier.code,
            actor=cast.receiving_officer,
            data={"method": "transfer", "receipt_number": "UNC-9"},
            revision="*",
        )
    assert caught.value.message == NOT_WAITING_FOR_PAYMENT
    assert Payment.objects.count() == 1


def test_counter_payment_needs_a_method_a_number_and_the_role(cast: Cast) -> None:
    from motcua.core.errors import ValidationFailed

    dossier = waiting(cast)
    with pytest.raises(ValidationFailed) as caught:
        action_run(
            Action.RECORD_PAYMENT,
            dossier=dossier.code,
            actor=cast.receiving_officer,
            data={"method": "cheque", "receipt_number": " "},
            revision="*",
        )
    assert set(caught.value.field_errors) == {"method", "receipt_number"}
    with pytest.raises(Forbidden):
        action_run(
            Action.RECORD_PAYMENT,
            dossier=dossier.code,
            actor=cast.specialist,
            data={"method": "cash", "receipt_number": "1"},
            revision="*",
        )
    assert Payment.objects.count() == 0


def test_a_payment_is_recorded_only_while_the_dossier_waits_for_it(cast: Cast) -> None:
    dossier = submitted(cast)
    add_fee(dossier)
    with pytest.raises(Conflict):
        action_run(
            Action.RECORD_PAYMENT,
            dossier=dossier.code,
            actor=cast.receiving_officer,
            data={"method": "cash", "receipt_number": "1"},
            revision="*",
        )
    assert Payment.objects.count() == 0


def test_the_database_refuses_a_fee_settled_twice(cast: Cast) -> None:
    dossier = waiting(cast)
    rows = []
    for n in range(2):
        payment = Payment.objects.create(
            reference=f"REF0000{n}X",
            method=Method.CASH,
            state=PaymentState.PAID,
            amount=8000,
            collecting_agency=cast.unit,
            payer_name="A",
            payer_id_number="1",
            created_at=timezone.now(),
            paid_at=timezone.now(),
        )
        rows.append(payment)
    PaymentLine.objects.create(
        payment=rows[0],
        dossier=dossier,
        fee_code="LP",
        kind="charge",
        name="x",
        amount=8000,
        settled=True,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            payment=rows[1],
            dossier=dossier,
            fee_code="LP",
            kind="charge",
            name="x",
            amount=8000,
            settled=True,
        )
    # Unsettled (refunded), the fee may be paid again.
    PaymentLine.objects.filter(payment=rows[0]).update(settled=False)
    PaymentLine.objects.create(
        payment=rows[1],
        dossier=dossier,
        fee_code="LP",
        kind="charge",
        name="x",
        amount=8000,
        settled=True,
    )


@pytest.mark.parametrize("reference", ["short", "has-dash-123", "x" * 35])
def test_the_database_refuses_a_malformed_reference(cast: Cast, reference: str) -> None:
    # PostgreSQL refuses a too long one for its length (DataError), SQLite by the check.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Payment.objects.create(
            reference=reference,
            method=Method.CASH,
            amount=1,
            collecting_agency=cast.unit,
            payer_name="A",
            payer_id_number="1",
            created_at=timezone.now(),
        )


def test_a_leader_may_stop_a_dossier_that_waits_for_payment(cast: Cast) -> None:
    dossier = waiting(cast)
    services.dossier_stop(dossier=dossier, actor=cast.leader, reason="Không nộp phí")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.STOPPED
