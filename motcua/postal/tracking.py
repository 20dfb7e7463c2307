"""The post's side of an order: registering it, cancelling it, and what the post says of it.

``order_register`` and ``order_cancel`` call the carrier outside any database
transaction (a slow carrier holds no lock), then record the answer in a short
transaction of their own. Registering is idempotent by our order number: the
carrier keeps it, and answers a second creation of the same number with
"exists" (``Registered.already``), so a retry after a timeout never makes two
post orders.

``events_ingest`` takes the carrier's events (webhook or pull) once each
(``TrackingEvent``'s unique constraint, a bulk insert that ignores conflicts;
an event already kept under another source is not kept twice), in any order:
an order follows its latest event by time, and a final state is never undone
by an event older or newer. What it does not apply is set aside in
``TrackingReview`` (an unknown order, a "delivered" for a dossier with no
result, a code it does not know). A delivered result is returned (status 10)
by ``workflow.services.dossier_result_delivered`` in the same transaction.

``tracking_pull`` is the fallback to webhooks: it pages the carrier's events
after ``TrackingCursor.last_event_id``, ingesting each page and moving the
cursor on in one transaction; ``tracking_run`` (the periodic task) registers the
orders still REQUESTED and pulls.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.audit.context import current_address
from motcua.audit.models import AuditEntry, AuditKind
from motcua.audit.services import audit_record, snapshot
from motcua.core.errors import Conflict, DomainError
from motcua.workflow.services import dossier_result_delivered

from .carriers import carrier as carrier_of
from .carriers.base import CarrierError, CarrierEvent, Party, Registered, Shipment
from .models import (
    Order,
    OrderState,
    Service,
    TrackingCursor,
    TrackingEvent,
    TrackingReview,
)

logger = logging.getLogger(__name__)

ORDER_NOT_CANCELLABLE = _(
    "The post has collected this order already: it can no longer be cancelled."
)
CARRIER_UNAVAILABLE = _("The post's service cannot be reached now; try again in a few minutes.")
IN_TRANSACTION = "the carrier is called outside any database transaction"
PAGE_SIZE = 100
MAX_PAGES = 50
# States the post's events never move an order out of.
FINAL = frozenset(
    {
        OrderState.DELIVERED,
        OrderState.RETURNED,
        OrderState.CANCELLED,
        OrderState.RECEIVED,
        OrderState.REFUSED,
    }
)
# What the post's events may tell of each kind of order (collection-side events move only
# the collection order; a delivery follows its own).
MEANINGFUL = {
    Service.COLLECTION: frozenset(
        {
            OrderState.REGISTERED,
            OrderState.COLLECTING,
            OrderState.COLLECTED,
            OrderState.HANDED_OVER,
            OrderState.CANCELLED,
        }
    ),
    Service.DELIVERY: frozenset(
        {
            OrderState.REGISTERED,
            OrderState.COLLECTED,
            OrderState.IN_TRANSIT,
            OrderState.DELIVERED,
            OrderState.FAILED,
            OrderState.RETURNED,
            OrderState.CANCELLED,
        }
    ),
}
CANCELLABLE = frozenset({OrderState.REQUESTED, OrderState.REGISTERED, OrderState.COLLECTING})
AUDITED = ["state", "tracking_number", "recipient", "failure_reason", "delivered_at"]


class CarrierUnavailable(DomainError):
    """The carrier cannot be reached now: nothing changed, try again later."""

    status = 503
    code = "unavailable"


def _outside_transaction() -> None:
    if transaction.get_connection().in_atomic_block:
        raise RuntimeError(IN_TRANSACTION)


# Registering and cancelling ----------------------------------------------------------------


def _codes(unit: Any) -> tuple[str, str]:
    """The (province, commune) codes of an administrative unit (either may be empty)."""
    if unit is None:
        return "", ""
    parent = unit.parent
    if parent is None:
        return unit.code, ""
    return parent.code, unit.code


def shipment_of(order: Order) -> Shipment:
    """What the carrier needs to register ``order``: who sends, who receives, what to collect.

    A collection goes from the applicant to the one-stop unit; a delivery from
    the unit to the applicant. The cash on delivery is what the applicant
    still owes (fees for the agency and the postal charge not yet collected).
    """
    unit = order.unit
    province, commune = _codes(unit.administrative_unit)
    agency = Party(
        name=unit.name,
        address=unit.address or unit.name,
        phone=unit.phone,
        email=unit.email,
        province=province,
        district=commune,
    )
    province, commune = _codes(order.administrative_unit)
    person = Party(
        name=order.person_name,
        address=order.address,
        phone=order.phone,
        email=order.email,
        province=province,
        district=commune,
    )
    owed = order.fees_amount + order.charge_amount
    cod = max(owed - order.fees_collected - order.charge_collected, 0)
    collection = order.service == Service.COLLECTION
    return Shipment(
        order_number=order.number,
        cod_amount=cod,
        sender=person if collection else agency,
        receiver=agency if collection else person,
        sender_desc=(
            f"Thu gom hồ sơ: {order.procedure.name}"[:255]
            if collection
            else f"Chuyển phát kết quả hồ sơ {order.dossier.code if order.dossier else ''}"
        ),
        description=f"{order.procedure.code} {order.number}"[:255],
    )


def _loaded(order_id: int) -> Order:
    return Order.objects.select_related(
        "unit__administrative_unit__parent",
        "administrative_unit__parent",
        "procedure",
        "dossier",
    ).get(pk=order_id)


def order_register(*, order: Order | int) -> Order:
    """Register a REQUESTED order with its carrier; record the tracking number (REGISTERED).

    Calls the carrier first, outside any transaction (``RuntimeError`` inside
    one); then locks the order (``select_for_update``) and records it unless
    someone else did meanwhile. ``CarrierError`` when the carrier cannot be
    reached (``retry``: the periodic job tries again) or refuses the order.
    """
    _outside_transaction()
    current = _loaded(order if isinstance(order, int) else order.pk)
    if current.state != OrderState.REQUESTED:
        return current
    answer: Registered = carrier_of(current.carrier).register(shipment_of(current))
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=current.pk)
        if locked.state != OrderState.REQUESTED:
            return locked
        before = snapshot(locked, AUDITED)
        locked.state = OrderState.REGISTERED
        if answer.tracking_number:
            locked.tracking_number = answer.tracking_number
        locked.changed_at = timezone.now()
        locked.save(update_fields=["state", "tracking_number", "changed_at"])
        audit_record(
            action="postal.order_register",
            target=locked,
            before=before,
            after=snapshot(locked, AUDITED),
            note=f"{locked.carrier}: {'already registered' if answer.already else 'registered'}",
        )
    return locked


def order_cancel(*, order: Order | int, actor: Any = None, reason: str = "") -> Order:
    """Cancel an order the post has not collected yet, at the carrier first, then here.

    ``Conflict`` once the post has it (collected or further). Calls the carrier
    outside any transaction, then locks the order and records it.
    """
    _outside_transaction()
    current = Order.objects.get(pk=order if isinstance(order, int) else order.pk)
    if current.state == OrderState.CANCELLED:
        return current
    if current.state not in CANCELLABLE:
        raise Conflict(ORDER_NOT_CANCELLABLE)
    if current.state != OrderState.REQUESTED:  # never sent to the post: nothing to cancel there
        try:
            carrier_of(current.carrier).cancel(current.number)
        except CarrierError as exc:
            if exc.retry:
                raise CarrierUnavailable(CARRIER_UNAVAILABLE) from exc
            raise Conflict(ORDER_NOT_CANCELLABLE) from exc
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=current.pk)
        if locked.state == OrderState.CANCELLED:
            return locked
        if locked.state not in CANCELLABLE:
            raise Conflict(ORDER_NOT_CANCELLABLE)
        before = snapshot(locked, AUDITED)
        locked.state = OrderState.CANCELLED
        locked.changed_at = timezone.now()
        locked.save(update_fields=["state", "changed_at"])
        audit_record(
            action="postal.order_cancel",
            target=locked,
            actor=actor,
            before=before,
            after=snapshot(locked, AUDITED),
            note=reason,
        )
    return locked


def orders_register_requested(*, carrier: str = "vnpost", limit: int = 200) -> dict[str, int]:
    """Register the orders still REQUESTED (the periodic job); a failure waits for the next run."""
    ids = list(
        Order.objects.filter(carrier=carrier, state=OrderState.REQUESTED)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    done = failed = 0
    for pk in ids:
        try:
            order_register(order=pk)
        except CarrierError as exc:
            failed += 1
            logger.warning("postal order %s not registered: %s", pk, exc)
            if exc.retry:
                break  # the carrier is down: the others would wait as long
        else:
            done += 1
    return {"registered": done, "failed": failed}


# Ingesting events ----------------------------------------------------------------------------


@dataclass
class Ingested:
    """What one ``events_ingest`` did: events kept, orders moved, events set aside."""

    received: int = 0
    stored: int = 0
    applied: int = 0
    reviews: list[tuple[str, str]] = field(default_factory=list)  # (external_id, reason)

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "stored": self.stored,
            "applied": self.applied,
            "set_aside": len(self.reviews),
        }


def _review(
    carrier: str,
    source: str,
    event: CarrierEvent,
    reason: str,
    now: dt.datetime,
    order: Order | None = None,
) -> TrackingReview:
    return TrackingReview(
        carrier=carrier,
        source=source,
        external_id=event.external_id,
        order_number=event.order_number,
        order=order,
        reason=reason,
        code=event.code,
        message=(f"{event.message} — {event.notes}" if event.notes else event.message)[:500],
        happened_at=event.happened_at,
        received_at=now,
        raw=dict(event.raw),
    )


def events_ingest(
    *,
    carrier: str,
    events: Sequence[CarrierEvent],
    source: str = TrackingEvent.Source.PULL,
    now: dt.datetime | None = None,
) -> Ingested:
    """Keep the carrier's events once each and move their orders on; idempotent, any order.

    In one transaction (the caller's if any). The orders concerned are locked
    (``select_for_update``, id order) before their events are compared with
    what they have: an order takes the state of an event newer than its last
    one, unless it is in a final state. Events set aside are kept in
    ``TrackingReview`` with the reason.
    """
    now = now or timezone.now()
    done = Ingested(received=len(events))
    if not events:
        return done
    with transaction.atomic():
        numbers = {e.order_number for e in events}
        orders = {
            o.number: o
            for o in Order.objects.select_for_update()
            .filter(carrier=carrier, number__in=numbers)
            .order_by("pk")
        }
        reviews: list[TrackingReview] = []
        known = set(
            TrackingEvent.objects.filter(
                order__in=[o.pk for o in orders.values()],
                external_id__in={e.external_id for e in events},
            ).values_list("order_id", "external_id")
        )
        fresh: dict[int, list[CarrierEvent]] = {}
        seen: set[tuple[int, str]] = set()
        rows = []
        for event in events:
            order = orders.get(event.order_number)
            if order is None:
                reviews.append(_review(carrier, source, event, "unknown_order", now))
                continue
            key = (order.pk, event.external_id)
            if key in known or key in seen:
                continue
            seen.add(key)
            fresh.setdefault(order.pk, []).append(event)
            rows.append(
                TrackingEvent(
                    order=order,
                    source=source,
                    external_id=event.external_id,
                    code=event.code,
                    state=event.state,
                    message=(f"{event.message} — {event.notes}" if event.notes else event.message)[
                        :500
                    ],
                    happened_at=event.happened_at,
                    received_at=now,
                )
            )
        TrackingEvent.objects.bulk_create(rows, ignore_conflicts=True)
        done.stored = len(rows)
        by_pk = {o.pk: o for o in orders.values()}
        changed: list[Order] = []
        audits: list[AuditEntry] = []
        address = current_address()
        for pk, new in fresh.items():
            order = by_pk[pk]
            entry = _apply(order, sorted(new, key=_when), carrier, source, now, reviews)
            if entry is not None:
                entry.address = address
                changed.append(order)
                audits.append(entry)
        if changed:
            _orders_save(changed)
            # One entry per order moved, written with the change (``audit_record``'s rows, in
            # one INSERT: a page of the post's events moves a hundred orders at once).
            AuditEntry.objects.bulk_create(audits)
            done.applied = len(changed)
        if reviews:
            TrackingReview.objects.bulk_create(reviews, ignore_conflicts=True)
            done.reviews = [(r.external_id, r.reason) for r in reviews]
            for r in reviews:
                logger.warning(
                    "postal event %s of order %s set aside: %s",
                    r.external_id,
                    r.order_number,
                    r.reason,
                )
    return done


SAVED = (
    ("state", "varchar"),
    ("tracking_number", "varchar"),
    ("recipient", "varchar"),
    ("failure_reason", "varchar"),
    ("last_event_at", "timestamptz"),
    ("delivered_at", "timestamptz"),
    ("collected_at", "timestamptz"),
    ("handed_over_at", "timestamptz"),
    ("changed_at", "timestamptz"),
)


def _orders_save(orders: list[Order]) -> None:
    """Save what the events changed in the locked orders, in one UPDATE.

    On PostgreSQL an ``UPDATE … FROM (VALUES …)``: ``bulk_update``'s CASE per
    field and row costs ten times more for a page of a hundred orders (see
    docs/benchmarks.md); elsewhere ``bulk_update``.
    """
    names = [name for name, _ in SAVED]
    if connection.vendor != "postgresql":
        Order.objects.bulk_update(orders, names)
        return
    q = connection.ops.quote_name
    row = "(%s::bigint, " + ", ".join(f"%s::{kind}" for _, kind in SAVED) + ")"
    params: list[Any] = []
    for order in orders:
        params.append(order.pk)
        params.extend(getattr(order, name) for name in names)
    sets = ", ".join(f"{q(name)} = v.{q(name)}" for name in names)
    columns = ", ".join(q(name) for name in ["id", *names])
    sql = (
        f"UPDATE {q(Order._meta.db_table)} AS o SET {sets} "  # noqa: S608 - our own names
        f"FROM (VALUES {', '.join([row] * len(orders))}) AS v({columns}) WHERE o.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _when(event: CarrierEvent) -> tuple[dt.datetime, str]:
    return event.happened_at, event.external_id


def _apply(
    order: Order,
    events: Iterable[CarrierEvent],
    carrier: str,
    source: str,
    now: dt.datetime,
    reviews: list[TrackingReview],
) -> AuditEntry | None:
    """Move the locked ``order`` by its new events (oldest first); its audit entry if it moved."""
    before = snapshot(order, AUDITED)
    moved: list[str] = []
    for event in events:
        if event.tracking_number and not order.tracking_number:
            order.tracking_number = event.tracking_number
        if not event.state or event.state not in MEANINGFUL[Service(order.service)]:
            reviews.append(_review(carrier, source, event, "unknown_code", now, order))
            continue
        if order.last_event_at is not None and event.happened_at < order.last_event_at:
            continue  # older than what the order shows: kept in its history only
        if order.state in FINAL:
            continue
        if event.state == OrderState.DELIVERED and order.service == Service.DELIVERY:
            if not _result_delivered(order, event, now):
                reviews.append(_review(carrier, source, event, "no_result", now, order))
                continue
            order.delivered_at = event.happened_at
            order.recipient = event.notes[:200]
        elif event.state == OrderState.FAILED:
            order.failure_reason = (event.notes or event.message)[:255]
        elif event.state == OrderState.COLLECTED and order.collected_at is None:
            order.collected_at = event.happened_at
        elif event.state == OrderState.HANDED_OVER and order.handed_over_at is None:
            order.handed_over_at = event.happened_at
        order.state = event.state
        order.last_event_at = event.happened_at
        moved.append(f"{event.code}@{event.happened_at.isoformat()}")
    after = snapshot(order, AUDITED)
    if before == after and not moved:
        return None
    order.changed_at = now
    return AuditEntry(
        at=now,
        kind=AuditKind.CHANGE,
        action="postal.order_event",
        actor=None,
        actor_name="",
        object_type=order._meta.label_lower,
        object_id=str(order.pk),
        object_repr=str(order)[:255],
        before=before,
        after=after,
        note=f"{carrier} {source}: {', '.join(moved)}"[:1000],
    )


def _result_delivered(order: Order, event: CarrierEvent, now: dt.datetime) -> bool:
    """Return the order's result (status 10) if its dossier has one; whether it did."""
    if order.dossier_id is None:
        return False
    try:
        with transaction.atomic():
            dossier_result_delivered(
                dossier=order.dossier_id,
                at=event.happened_at,
                recipient=event.notes or order.person_name,
                order_number=order.number,
                now=now,
            )
    except Conflict:
        return False
    return True


# Pulling ----------------------------------------------------------------------------------


def tracking_pull(*, carrier: str = "vnpost", size: int = PAGE_SIZE, pages: int = MAX_PAGES) -> int:
    """Page the carrier's events after the cursor; each page ingested with its cursor move.

    The carrier is called outside any transaction; the page is then ingested
    and ``TrackingCursor.last_event_id`` moved on in one transaction, under the
    cursor's lock: a page another puller ingested meanwhile is dropped (its
    events are kept once anyway). Returns how many events were read.
    """
    _outside_transaction()
    adapter = carrier_of(carrier)
    TrackingCursor.objects.get_or_create(carrier=carrier)
    read = 0
    for _page in range(pages):
        start = TrackingCursor.objects.get(carrier=carrier).last_event_id
        page = adapter.events(after=start, size=size)
        if not page.events:
            break
        with transaction.atomic():
            cursor = TrackingCursor.objects.select_for_update().get(carrier=carrier)
            if cursor.last_event_id != start:
                continue  # another puller moved it: read again from where it is
            events_ingest(carrier=carrier, events=page.events, source=TrackingEvent.Source.PULL)
            cursor.last_event_id = page.events[-1].external_id
            cursor.pulled_at = timezone.now()
            cursor.save(update_fields=["last_event_id", "pulled_at"])
        read += len(page.events)
        if len(page.events) < size:
            break
    return read


def tracking_run(*, carrier: str = "vnpost") -> dict[str, int]:
    """The periodic job: register the REQUESTED orders, then pull the events (a fallback)."""
    report = orders_register_requested(carrier=carrier)
    try:
        report["events"] = tracking_pull(carrier=carrier)
    except CarrierError as exc:
        logger.warning("postal events not pulled from %s: %s", carrier, exc)
        report["events"] = -1
    return report
