"""The post's events: kept once, in any order; a delivered result is returned, or set aside."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict
from motcua.dossiers.models import (
    Delivery,
    DossierEvent,
    DossierState,
    EventKind,
    Status,
)
from motcua.outbox.models import Message, MessageKind
from motcua.postal import tracking
from motcua.postal.carriers.base import CarrierError
from motcua.postal.models import (
    Order,
    OrderState,
    TrackingCursor,
    TrackingEvent,
    TrackingReview,
)
from motcua.testing import Cast, DossierFactory, PostalOrderFactory, cast_create
from motcua.workflow import services

from .carrier_support import FakeCarrier, at, delivery_order, event, processed_dossier

pytestmark = pytest.mark.django_db

PULL = TrackingEvent.Source.PULL
WEBHOOK = TrackingEvent.Source.WEBHOOK


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeCarrier:
    carrier = FakeCarrier()
    monkeypatch.setattr(tracking, "carrier_of", lambda code: carrier)
    return carrier


def ingest(events: list[Any], source: str = PULL) -> tracking.Ingested:
    return tracking.events_ingest(carrier="vnpost", events=events, source=source)


def test_an_event_is_kept_once_whatever_the_repeats_and_sources() -> None:
    order = PostalOrderFactory(state=OrderState.REGISTERED)
    collecting = event(order, OrderState.COLLECTING, at(8, 9))

    first = ingest([collecting, collecting])
    again = ingest([collecting], source=WEBHOOK)

    assert (first.stored, first.applied) == (1, 1)
    assert (again.stored, again.applied) == (0, 0)
    assert TrackingEvent.objects.filter(order=order).count() == 1
    order.refresh_from_db()
    assert (order.state, order.last_event_at) == (OrderState.COLLECTING, at(8, 9))


def test_a_row_written_meanwhile_by_another_ingester_is_no_error() -> None:
    order = PostalOrderFactory(state=OrderState.REGISTERED)
    collecting = event(order, OrderState.COLLECTING, at(8, 9))
    TrackingEvent.objects.create(
        order=order,
        source=PULL,
        external_id=collecting.external_id,
        code="2",
        happened_at=at(8, 9),
        received_at=at(8, 9),
    )
    TrackingEvent.objects.bulk_create(  # the constraint holds: a conflict is ignored, not raised
        [
            TrackingEvent(
                order=order,
                source=PULL,
                external_id=collecting.external_id,
                code="2",
                happened_at=at(8, 9),
                received_at=at(8, 9),
            )
        ],
        ignore_conflicts=True,
    )
    assert ingest([collecting]).stored == 0
    assert TrackingEvent.objects.filter(order=order).count() == 1


def test_events_out_of_order_leave_the_order_at_its_latest() -> None:
    order = PostalOrderFactory(state=OrderState.REGISTERED)
    collected = event(order, OrderState.COLLECTED, at(8, 10))
    collecting = event(order, OrderState.COLLECTING, at(8, 9))

    ingest([collected])
    ingest([collecting])

    order.refresh_from_db()
    assert (order.state, order.last_event_at) == (OrderState.COLLECTED, at(8, 10))
    assert order.collected_at == at(8, 10)
    states = list(order.events.values_list("state", flat=True))
    assert states == [OrderState.COLLECTING, OrderState.COLLECTED]  # the history, by time


def test_a_batch_in_any_order_is_applied_by_time() -> None:
    order = delivery_order(None)
    ingest(
        [
            event(order, OrderState.FAILED, at(9, 15), notes="Không có người nhận"),
            event(order, OrderState.IN_TRANSIT, at(9, 8)),
            event(order, OrderState.COLLECTED, at(9, 7)),
        ]
    )
    order.refresh_from_db()
    assert (order.state, order.failure_reason) == (OrderState.FAILED, "Không có người nhận")


def test_a_final_state_is_not_overwritten_by_an_older_or_a_newer_event(cast: Cast) -> None:
    order = delivery_order(processed_dossier(cast))
    ingest([event(order, OrderState.DELIVERED, at(9, 10), notes="Nguyễn Văn An")])

    ingest([event(order, OrderState.FAILED, at(9, 9), notes="Vắng nhà")])
    ingest([event(order, OrderState.IN_TRANSIT, at(9, 11))])

    order.refresh_from_db()
    assert (order.state, order.failure_reason) == (OrderState.DELIVERED, "")
    assert order.events.count() == 3


def test_failed_delivery_records_the_reason_then_returned() -> None:
    order = delivery_order(None)
    ingest([event(order, OrderState.FAILED, at(9, 9), notes="Sai địa chỉ")])
    order.refresh_from_db()
    assert (order.state, order.failure_reason) == (OrderState.FAILED, "Sai địa chỉ")

    ingest([event(order, OrderState.RETURNED, at(10, 9))])
    order.refresh_from_db()
    assert order.state == OrderState.RETURNED


def test_an_event_for_an_unknown_order_is_refused_and_kept_for_review() -> None:
    stray = event("KHONGCO0001", OrderState.DELIVERED, at(9, 9), notes="Ai đó")

    done = ingest([stray], source=WEBHOOK)

    assert (done.stored, done.applied, done.reviews) == (
        0,
        0,
        [(stray.external_id, "unknown_order")],
    )
    assert not TrackingEvent.objects.exists()
    review = TrackingReview.objects.get()
    assert (review.order_number, review.reason, review.order) == (
        "KHONGCO0001",
        TrackingReview.Reason.UNKNOWN_ORDER,
        None,
    )
    assert review.raw["OrderNumber"] == "KHONGCO0001"
    ingest([stray])  # again: still one review
    assert TrackingReview.objects.count() == 1


def test_delivered_for_a_dossier_with_no_result_is_flagged_and_not_applied(cast: Cast) -> None:
    dossier = processed_dossier(cast)
    unprocessed = delivery_order(
        None, procedure=dossier.procedure, unit=dossier.receiving_unit, state=OrderState.IN_TRANSIT
    )
    in_process = DossierFactory(procedure=dossier.procedure, receiving_unit=cast.unit)
    unprocessed.dossier = in_process
    unprocessed.save(update_fields=["dossier"])
    orphan = delivery_order(None, procedure=dossier.procedure, unit=dossier.receiving_unit)

    done = ingest(
        [
            event(unprocessed, OrderState.DELIVERED, at(9, 9), notes="An"),
            event(orphan, OrderState.DELIVERED, at(9, 9), notes="An"),
        ]
    )

    assert sorted(r for _, r in done.reviews) == ["no_result", "no_result"]
    for order in (unprocessed, orphan):
        order.refresh_from_db()
        assert order.state != OrderState.DELIVERED and order.delivered_at is None
    in_process.refresh_from_db()
    assert (in_process.state, in_process.result_returned_via) == (DossierState.SUBMITTED, "")
    assert TrackingReview.objects.filter(reason="no_result", order=unprocessed).exists()


def test_delivered_returns_the_result_by_post_as_a_system_step(cast: Cast) -> None:
    dossier = processed_dossier(cast)
    order = delivery_order(dossier, state=OrderState.IN_TRANSIT)
    messages_before = Message.objects.filter(dossier=dossier).count()

    done = ingest([event(order, OrderState.DELIVERED, at(9, 14, 30), notes="Trần Thị Bình")])

    assert done.applied == 1
    order.refresh_from_db()
    assert (order.state, order.delivered_at, order.recipient) == (
        OrderState.DELIVERED,
        at(9, 14, 30),
        "Trần Thị Bình",
    )
    dossier.refresh_from_db()
    assert (dossier.state, dossier.status) == (DossierState.RESULT_RETURNED, Status.RESULT_RETURNED)
    assert (dossier.result_returned_via, dossier.result_returned_to) == (
        Delivery.POST,
        "Trần Thị Bình",
    )
    last = DossierEvent.objects.filter(dossier=dossier).latest("id")
    assert (last.kind, last.actor_id, last.actor_label) == (
        EventKind.RESULT_RETURNED,
        None,
        "Dịch vụ bưu chính công ích",
    )
    assert "09/01/2026" in last.note and order.number in last.note and "bưu chính" in last.note
    returned = Message.objects.filter(dossier=dossier, kind=MessageKind.RESULT_RETURNED)
    assert returned.exists()
    assert Message.objects.filter(dossier=dossier).count() > messages_before
    audit = AuditEntry.objects.filter(action="postal.order_event", object_id=str(order.pk)).get()
    assert (audit.before or {})["state"] == OrderState.IN_TRANSIT
    assert (audit.after or {})["state"] == OrderState.DELIVERED


def test_result_delivered_refuses_a_dossier_not_processed(cast: Cast) -> None:
    dossier = DossierFactory(receiving_unit=cast.unit)
    with pytest.raises(Conflict):
        services.dossier_result_delivered(
            dossier=dossier, at=at(9, 9), recipient="An", order_number="X"
        )
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED


def test_collection_events_move_only_the_collection_order() -> None:
    collection = PostalOrderFactory(state=OrderState.REGISTERED)
    other = PostalOrderFactory(state=OrderState.REGISTERED)

    done = ingest(
        [
            event(collection, OrderState.HANDED_OVER, at(8, 15)),
            event(collection, OrderState.DELIVERED, at(8, 16), notes="?"),
        ]
    )

    collection.refresh_from_db()
    other.refresh_from_db()
    assert (collection.state, collection.handed_over_at) == (OrderState.HANDED_OVER, at(8, 15))
    assert other.state == OrderState.REGISTERED
    assert [r for _, r in done.reviews] == ["unknown_code"]


def test_a_received_collection_is_not_moved_back_by_the_post() -> None:
    order = PostalOrderFactory(state=OrderState.RECEIVED)
    ingest([event(order, OrderState.COLLECTED, at(8, 9))])
    order.refresh_from_db()
    assert order.state == OrderState.RECEIVED


def test_an_unknown_status_code_is_kept_and_set_aside() -> None:
    order = PostalOrderFactory(state=OrderState.REGISTERED)
    done = ingest([event(order, "", at(8, 9), code="77")])
    order.refresh_from_db()
    assert order.state == OrderState.REGISTERED
    assert done.stored == 1 and [r for _, r in done.reviews] == ["unknown_code"]


def test_an_order_change_is_audited_in_its_transaction() -> None:
    order = PostalOrderFactory(state=OrderState.REGISTERED)
    ingest([event(order, OrderState.COLLECTING, at(8, 9))])
    entry = AuditEntry.objects.get(action="postal.order_event")
    assert ((entry.before or {})["state"], (entry.after or {})["state"]) == (
        "registered",
        "collecting",
    )


# Registering and cancelling ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_register_records_the_tracking_number_once(fake: FakeCarrier) -> None:
    order = PostalOrderFactory()

    tracking.order_register(order=order)
    tracking.order_register(order=order)  # already registered: the carrier is not called

    order.refresh_from_db()
    assert (order.state, order.tracking_number) == (OrderState.REGISTERED, "EB000000001VN")
    assert len(fake.registered) == 1
    shipment = fake.registered[0]
    assert shipment.order_number == order.number
    assert shipment.sender.name == order.person_name  # a collection: from the applicant
    assert shipment.receiver.name == order.unit.name
    assert AuditEntry.objects.filter(action="postal.order_register").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_delivery_goes_from_the_unit_and_collects_what_is_owed(
    fake: FakeCarrier, cast: Cast
) -> None:
    dossier = processed_dossier(cast)
    order = delivery_order(
        dossier, state=OrderState.REQUESTED, fees_amount=50_000, charge_amount=22_000
    )
    tracking.order_register(order=order)
    shipment = fake.registered[0]
    assert (shipment.sender.name, shipment.receiver.name) == (cast.unit.name, order.person_name)
    assert shipment.cod_amount == 72_000
    assert dossier.code in shipment.sender_desc


@pytest.mark.django_db(transaction=True)
def test_register_after_a_timeout_leaves_the_order_requested_then_succeeds(
    fake: FakeCarrier,
) -> None:
    order = PostalOrderFactory()
    fake.fail = CarrierError("timeout", code="timeout")
    with pytest.raises(CarrierError):
        tracking.order_register(order=order)
    assert Order.objects.get(pk=order.pk).state == OrderState.REQUESTED

    fake.fail = None
    fake.registered.append(_shipment(order))  # the timed-out call had reached the post
    tracking.order_register(order=order)  # it answers "exists": still one order there
    assert Order.objects.get(pk=order.pk).state == OrderState.REGISTERED
    assert AuditEntry.objects.get(action="postal.order_register").note.endswith(
        "already registered"
    )


def _shipment(order: Order) -> Any:
    return tracking.shipment_of(Order.objects.select_related("unit", "procedure").get(pk=order.pk))


def test_the_carrier_is_never_called_inside_a_transaction(fake: FakeCarrier) -> None:
    order = PostalOrderFactory()
    with transaction.atomic(), pytest.raises(RuntimeError):
        tracking.order_register(order=order)
    assert fake.registered == []


@pytest.mark.django_db(transaction=True)
def test_periodic_registration_stops_when_the_carrier_is_down(fake: FakeCarrier) -> None:
    PostalOrderFactory()
    PostalOrderFactory()
    fake.fail = CarrierError("down", code="unreachable")
    assert tracking.orders_register_requested() == {"registered": 0, "failed": 1}
    fake.fail = None
    assert tracking.orders_register_requested() == {"registered": 2, "failed": 0}
    assert not Order.objects.filter(state=OrderState.REQUESTED).exists()


@pytest.mark.django_db(transaction=True)
def test_cancel_before_collection_and_not_after(fake: FakeCarrier) -> None:
    requested = PostalOrderFactory()
    registered = PostalOrderFactory(state=OrderState.REGISTERED)
    collected = PostalOrderFactory(state=OrderState.COLLECTED)

    tracking.order_cancel(order=requested)
    tracking.order_cancel(order=registered, reason="Người dân tự nộp")
    with pytest.raises(Conflict) as caught:
        tracking.order_cancel(order=collected)

    assert caught.value.message == tracking.ORDER_NOT_CANCELLABLE
    assert fake.cancelled == [registered.number]  # a requested one was never at the post
    states = dict(Order.objects.values_list("pk", "state"))
    assert states == {
        requested.pk: OrderState.CANCELLED,
        registered.pk: OrderState.CANCELLED,
        collected.pk: OrderState.COLLECTED,
    }
    assert AuditEntry.objects.filter(action="postal.order_cancel").count() == 2


@pytest.mark.django_db(transaction=True)
def test_cancel_refused_by_the_post_changes_nothing(fake: FakeCarrier) -> None:
    order = PostalOrderFactory(state=OrderState.COLLECTING)
    fake.fail = CarrierError("Bưu tá đã nhận hàng", code="104", retry=False)
    with pytest.raises(Conflict):
        tracking.order_cancel(order=order)
    order.refresh_from_db()
    assert order.state == OrderState.COLLECTING


@pytest.mark.django_db(transaction=True)
def test_cancel_while_the_post_is_down_says_so_and_changes_nothing(fake: FakeCarrier) -> None:
    order = PostalOrderFactory(state=OrderState.REGISTERED)
    fake.fail = CarrierError("timeout", code="timeout")
    with pytest.raises(tracking.CarrierUnavailable) as caught:
        tracking.order_cancel(order=order)
    assert (caught.value.status, caught.value.message) == (503, tracking.CARRIER_UNAVAILABLE)
    assert Order.objects.get(pk=order.pk).state == OrderState.REGISTERED
    assert not AuditEntry.objects.filter(action="postal.order_cancel").exists()


# Pulling ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_pull_pages_the_events_and_moves_the_cursor_with_each_page(fake: FakeCarrier) -> None:
    orders = [PostalOrderFactory(state=OrderState.REGISTERED) for _ in range(3)]
    fake.feed = [
        event(o, state, at(8, 9 + i), external_id=f"{n:024x}")
        for n, (i, o, state) in enumerate(
            [(0, orders[0], OrderState.COLLECTING), (1, orders[1], OrderState.COLLECTING),
             (2, orders[0], OrderState.COLLECTED), (3, orders[2], OrderState.CANCELLED),
             (4, orders[1], OrderState.COLLECTED)],
            start=1,
        )
    ]  # fmt: skip

    assert tracking.tracking_pull(size=2) == 5

    assert fake.asked == ["", f"{2:024x}", f"{4:024x}"]
    assert TrackingCursor.objects.get(carrier="vnpost").last_event_id == f"{5:024x}"
    states = [Order.objects.get(pk=o.pk).state for o in orders]
    assert states == [OrderState.COLLECTED, OrderState.COLLECTED, OrderState.CANCELLED]
    assert tracking.tracking_pull(size=2) == 0  # nothing new after the cursor
    assert TrackingEvent.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_failed_pull_keeps_the_cursor(fake: FakeCarrier) -> None:
    TrackingCursor.objects.create(carrier="vnpost", last_event_id="ab")
    fake.fail = CarrierError("down")
    report = tracking.tracking_run()
    assert report["events"] == -1
    assert TrackingCursor.objects.get().last_event_id == "ab"


@pytest.mark.django_db(transaction=True)
def test_a_page_read_while_another_puller_moved_the_cursor_is_dropped(
    fake: FakeCarrier, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = PostalOrderFactory(state=OrderState.REGISTERED)
    fake.feed = [event(order, OrderState.COLLECTING, at(8, 9), external_id=f"{1:024x}")]
    real = fake.events

    def racing(*, after: str, size: int) -> Any:
        page = real(after=after, size=size)
        if after == "":  # another puller ingests the same page meanwhile
            TrackingCursor.objects.filter(carrier="vnpost").update(last_event_id=f"{1:024x}")
        return page

    monkeypatch.setattr(fake, "events", racing)
    assert tracking.tracking_pull(size=10) == 0
    assert not TrackingEvent.objects.exists()


def test_the_periodic_loop_enqueues_the_postal_task_once() -> None:
    from django_tasks_db.models import DBTaskResult

    from motcua.postal.tasks import tracking_task
    from motcua.workflow.management.commands.run_reminders import Command

    Command().enqueue()
    assert DBTaskResult.objects.filter(task_path=tracking_task.module_path).exists()
    Command().enqueue()  # one waiting already: not another
    assert DBTaskResult.objects.filter(task_path=tracking_task.module_path).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_postal_task_registers_and_pulls(fake: FakeCarrier) -> None:
    from motcua.postal.tasks import tracking_task

    order = PostalOrderFactory()
    fake.feed = [event(order, OrderState.COLLECTING, at(8, 9), external_id=f"{9:024x}")]
    assert tracking_task.call() == {"registered": 1, "failed": 0, "events": 1}
    order.refresh_from_db()
    assert order.state == OrderState.COLLECTING
