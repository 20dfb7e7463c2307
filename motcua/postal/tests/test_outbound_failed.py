"""Failed deliveries: the result comes back to the unit, then is re-sent or handed over at the
counter; it is never marked returned without a delivery confirmation or a counter hand-over."""

from __future__ import annotations

import pytest

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from motcua.dossiers.models import Delivery, Dossier, DossierState, Status
from motcua.postal import outbound
from motcua.postal.models import Order, OrderState, TrackingEvent
from motcua.postal.outbound_selectors import dispatch_candidates, failed_deliveries
from motcua.testing import Cast, cast_create

from .outbound_helpers import ADDRESS, processed, set_state, tariff_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db: None) -> Cast:
    tariff_add()
    return cast_create()


def _out(cast: Cast, dossier: Dossier | None = None) -> Order:
    """A result handed over to the post, whose delivery then failed."""
    dossier = dossier or processed(cast)
    [order] = outbound.dispatch_prepare(
        unit=cast.unit, dossiers=[dossier.code], officer=cast.receiving_officer
    ).orders
    return set_state(order, OrderState.FAILED, failure_reason="Người nhận vắng nhà")


def _status(order: Order) -> int:
    return Dossier.objects.values_list("status", flat=True).get(postal_orders=order)


def test_a_failed_delivery_comes_back_to_the_unit_and_waits_for_a_decision(cast: Cast) -> None:
    order = _out(cast)
    assert failed_deliveries(unit=cast.unit) == [order]

    back = outbound.order_return_receive(
        order=order.number, officer=cast.receiving_officer, note="Bưu tá mang về"
    )

    assert back.state == OrderState.RETURNED
    assert _status(order) == Status.PROCESSED
    event = TrackingEvent.objects.get(order=order, source=TrackingEvent.Source.UNIT)
    assert (event.code, event.state) == (outbound.RETURNED_CODE, OrderState.RETURNED)
    entry = AuditEntry.objects.get(action="postal.order.return_receive", object_id=str(order.pk))
    assert entry.before == {"state": OrderState.FAILED}
    assert entry.actor_id == cast.receiving_officer.pk
    assert failed_deliveries(unit=cast.unit) == [back]
    # Not offered for a new dispatch: it is decided from the failed deliveries.
    assert dispatch_candidates(unit=cast.unit).dossiers == []


def test_the_posts_event_can_say_it_came_back(cast: Cast) -> None:
    order = _out(cast)
    back = outbound.order_return_receive(order=order, officer=None)
    assert back.state == OrderState.RETURNED
    entry = AuditEntry.objects.get(action="postal.order.return_receive", object_id=str(order.pk))
    assert entry.actor is None and entry.after == {"state": "returned", "by": "post"}
    assert not TrackingEvent.objects.filter(order=order).exists()  # the carrier keeps the post's


@pytest.mark.parametrize("state", [OrderState.REQUESTED, OrderState.DELIVERED, OrderState.RETURNED])
def test_only_a_result_the_post_holds_can_come_back(cast: Cast, state: str) -> None:
    order = set_state(_out(cast), state)
    with pytest.raises(Conflict) as caught:
        outbound.order_return_receive(order=order, officer=cast.receiving_officer)
    assert caught.value.message == outbound.NOT_OUT_WITH_THE_POST


def test_a_result_that_came_back_is_re_sent_to_a_corrected_address(cast: Cast) -> None:
    failed = outbound.order_return_receive(order=_out(cast), officer=cast.receiving_officer)

    resent = outbound.order_resend(
        order=failed,
        officer=cast.receiving_officer,
        changes={"address": "Số 5 Trần Phú, phường Hải Châu", "phone": failed.phone},
    )

    resent.refresh_from_db()
    assert resent.previous_id == failed.pk
    assert resent.state == OrderState.REQUESTED
    assert resent.number.endswith("-BP2")
    assert resent.address == "Số 5 Trần Phú, phường Hải Châu"
    assert resent.person_name == failed.person_name
    entry = AuditEntry.objects.get(action="postal.order.resend", object_id=str(resent.pk))
    assert entry.before == {"address": ADDRESS}
    assert entry.after is not None and entry.after["previous"] == failed.number
    assert _status(failed) == Status.PROCESSED
    # It leaves with the next hand-over; the failed one is decided.
    assert failed_deliveries(unit=cast.unit) == []
    assert [o.pk for o in dispatch_candidates(unit=cast.unit).waiting] == [resent.pk]
    with pytest.raises(Conflict) as caught:
        outbound.order_resend(order=failed, officer=cast.receiving_officer)
    assert caught.value.message == outbound.ALREADY_RESENT


def test_a_re_send_needs_the_result_back_and_a_receiver(cast: Cast) -> None:
    order = _out(cast)
    with pytest.raises(Conflict) as caught:
        outbound.order_resend(order=order, officer=cast.receiving_officer)
    assert caught.value.message == outbound.NOT_BACK
    outbound.order_return_receive(order=order, officer=cast.receiving_officer)
    for field, message in (
        ("address", outbound.ADDRESS_REQUIRED),
        ("phone", outbound.PHONE_REQUIRED),
        ("person_name", outbound.NAME_REQUIRED),
    ):
        with pytest.raises(ValidationFailed) as refused:
            outbound.order_resend(
                order=order, officer=cast.receiving_officer, changes={field: "  "}
            )
        assert refused.value.field_errors == {field: [message]}
    with pytest.raises(ValidationFailed):
        outbound.order_resend(
            order=order, officer=cast.receiving_officer, changes={"address": "x" * 501}
        )
    assert Order.objects.filter(previous=order).count() == 0


def test_a_result_that_came_back_is_handed_over_at_the_counter(cast: Cast) -> None:
    order = outbound.order_return_receive(order=_out(cast), officer=cast.receiving_officer)

    outbound.order_counter_hand_over(
        order=order, officer=cast.receiving_officer, to_whom="Nguyễn Văn An"
    )

    dossier = Dossier.objects.get(postal_orders=order)
    assert dossier.status == Status.RESULT_RETURNED
    assert dossier.result_returned_via == Delivery.COUNTER
    assert dossier.result_returned_to == "Nguyễn Văn An"
    assert TrackingEvent.objects.filter(order=order, code=outbound.COUNTER_CODE).exists()
    assert AuditEntry.objects.filter(
        action="postal.order.counter_hand_over", object_id=str(order.pk)
    ).exists()
    assert failed_deliveries(unit=cast.unit) == []
    with pytest.raises(Conflict) as caught:
        outbound.order_resend(order=order, officer=cast.receiving_officer)
    assert caught.value.message == outbound.RESULT_NOT_WAITING


def test_the_counter_needs_the_result_back_and_a_name(cast: Cast) -> None:
    order = _out(cast)
    with pytest.raises(Conflict):
        outbound.order_counter_hand_over(order=order, officer=cast.receiving_officer, to_whom="An")
    outbound.order_return_receive(order=order, officer=cast.receiving_officer)
    with pytest.raises(ValidationFailed):
        outbound.order_counter_hand_over(order=order, officer=cast.receiving_officer, to_whom=" ")
    assert _status(order) == Status.PROCESSED
    assert not AuditEntry.objects.filter(action="postal.order.counter_hand_over").exists()


def test_another_units_officer_can_do_nothing_with_the_order(cast: Cast) -> None:
    order = _out(cast)
    with pytest.raises(Forbidden):
        outbound.order_return_receive(order=order, officer=cast.outsider)
    outbound.order_return_receive(order=order, officer=cast.receiving_officer)
    with pytest.raises(Forbidden):
        outbound.order_resend(order=order, officer=cast.outsider)
    with pytest.raises(Forbidden):
        outbound.order_counter_hand_over(order=order, officer=cast.outsider, to_whom="An")
    assert Order.objects.get(pk=order.pk).state == OrderState.RETURNED
    assert _status(order) == Status.PROCESSED


def test_unknown_orders_and_collections_are_refused(cast: Cast) -> None:
    with pytest.raises(NotFound):
        outbound.order_return_receive(order="KHONG-CO", officer=cast.receiving_officer)
    from motcua.testing import PostalOrderFactory

    collection = PostalOrderFactory(unit=cast.unit)
    with pytest.raises(Conflict) as caught:
        outbound.order_return_receive(order=collection, officer=cast.receiving_officer)
    assert caught.value.message == outbound.NOT_DELIVERY


def test_no_step_of_the_post_marks_the_result_returned(cast: Cast) -> None:
    """Preparing, handing over, transit, failure, return and re-send leave the dossier
    processed: only the post's delivery confirmation or the counter returns a result."""
    dossier = processed(cast)
    [order] = outbound.dispatch_prepare(
        unit=cast.unit, dossiers=[dossier.code], officer=cast.receiving_officer
    ).orders
    seen = [_status(order)]
    for state in (OrderState.HANDED_OVER, OrderState.IN_TRANSIT, OrderState.FAILED):
        set_state(order, state)
        seen.append(_status(order))
    outbound.order_return_receive(order=order, officer=cast.receiving_officer)
    seen.append(_status(order))
    resent = outbound.order_resend(order=order, officer=cast.receiving_officer)
    seen.append(_status(resent))
    assert set(seen) == {Status.PROCESSED}
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.PROCESSED
    assert Dossier.objects.get(pk=dossier.pk).result_returned_via == ""


def test_the_posts_delivery_confirmation_of_a_re_sent_result_returns_it(cast: Cast) -> None:
    """The other way a result is returned: the post confirms the re-sent delivery (the
    carrier's ``events_ingest``, which calls the workflow's ``dossier_result_delivered``)."""
    from django.utils import timezone

    from motcua.postal.carriers.base import CarrierEvent
    from motcua.postal.tracking import events_ingest

    failed = outbound.order_return_receive(order=_out(cast), officer=cast.receiving_officer)
    resent = set_state(
        outbound.order_resend(order=failed, officer=cast.receiving_officer),
        OrderState.HANDED_OVER,
    )
    assert _status(resent) == Status.PROCESSED

    events_ingest(
        carrier=resent.carrier,
        events=[
            CarrierEvent(
                external_id="E-1",
                order_number=resent.number,
                code="delivered",
                state=OrderState.DELIVERED,
                happened_at=timezone.now(),
                notes="Nguyễn Văn An",
            )
        ],
    )

    dossier = Dossier.objects.get(postal_orders=resent)
    assert dossier.status == Status.RESULT_RETURNED
    assert dossier.result_returned_via == Delivery.POST
    assert Order.objects.get(pk=resent.pk).state == OrderState.DELIVERED
    assert failed_deliveries(unit=cast.unit) == []
