"""Results delivered by the post: dispatch batches, failed deliveries, re-sends, the counter.

On the appointment date the receiving officer of a one-stop unit prepares
the results that go by post (``dispatch_prepare``: one delivery ``Order``
per dossier, receiver from the dossier, cash on delivery = the fees still
owed, charge from the current ``Tariff``), then hands them to the postal
worker who picks them up against a hand-over record (``dispatch_hand_over``,
``dispatch_sign``: ``postal.handover``, direction ``to_post``); the orders
are then HANDED_OVER. The post's events (``postal.tracking``) move them on:
in transit, delivered (the dossier's status 10, ``dossier_result_delivered``)
or failed. A failed delivery comes back to the unit (``order_return_receive``:
RETURNED) and is then re-sent (``order_resend``: a new order whose
``previous`` is the failed one) or handed over at the counter
(``order_counter_hand_over``: the workflow's ``dossier_return_result``).

Nothing here marks a result returned: only the post's delivery confirmation
or a hand-over at the counter does. A dossier is on one open delivery at a
time: every delivery order is made here, under the dossier's row lock.
Every change is audited in its transaction; a batch writes its entries in
one statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.audit.context import current_address
from motcua.audit.models import AuditEntry, AuditKind
from motcua.audit.services import audit_record
from motcua.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from motcua.dossiers.models import Delivery, Dossier, DossierFee, DossierResult, DossierState
from motcua.organisation.models import Agency
from motcua.payments.selectors import BEFORE_AND_AFTER, settled_codes
from motcua.staff.models import Role
from motcua.staff.selectors import user_agency_roles
from motcua.workflow.services import dossier_return_result

from .handover import handover_open, handover_sign
from .models import (
    Direction,
    Handover,
    Order,
    OrderState,
    PostalWorker,
    Service,
    Tariff,
    TrackingEvent,
)
from .selectors import tariff_for

# A staff member (the user model); Any, as the user model's foreign keys want it.
Actor = Any

NOT_UNIT_OFFICER = _("Only a receiving officer of this one-stop unit may send its results by post.")
NO_DOSSIERS = _("Tick at least one dossier.")
UNKNOWN_DOSSIER = _("No dossier has this code.")
NOT_THIS_UNIT = _("This dossier was not received by this one-stop unit.")
NOT_PROCESSED = _("The result can go by post only once the dossier is processed.")
NO_RESULT = _("This dossier has no result recorded: there is nothing to send.")
NOT_BY_POST = _("The applicant did not ask for the result by post.")
POST_MAY_NOT_CARRY = _("The post may not carry the result of this procedure.")
ALREADY_ON_DELIVERY = _("This result is already on a delivery by post.")
FEES_UNCOUNTED = _("A fee of this dossier is still to be counted: count it before sending.")
NO_TARIFF = _("No postal charge for deliveries is in force: an administrator must set it.")
NOT_DELIVERY = _("This postal order is not a delivery of a result.")
NOT_OUT_WITH_THE_POST = _("Only a result the post has taken and not delivered can come back.")
NOT_BACK = _("Record first that the result came back to the unit.")
ALREADY_RESENT = _("This delivery was already re-sent.")
RESULT_NOT_WAITING = _("This dossier's result is no longer waiting to be returned.")
ADDRESS_REQUIRED = _("Enter the address to deliver to.")
PHONE_REQUIRED = _("Enter the receiver's phone number.")
NAME_REQUIRED = _("Enter the receiver's name.")
TOO_LONG = _("This is too long.")
ORDER_NOT_FOUND = _("No postal order has this number.")
NOT_TO_POST = _("This hand-over record is not one of results given to the post.")

# A delivery is open until it is delivered, has come back or was cancelled.
CLOSED_STATES = (OrderState.DELIVERED, OrderState.RETURNED, OrderState.CANCELLED)
# Where a result is while the post holds it: it can come back from there.
WITH_THE_POST = (
    OrderState.HANDED_OVER,
    OrderState.IN_TRANSIT,
    OrderState.FAILED,
)
# Deliveries cost the charge of the province's zone: the result leaves the unit for an
# address the dossier gives as text (no commune to price it finer).
ZONE = Tariff.Zone.PROVINCE
BATCH = 500
# The unit's own tracking events: what their code says (the post's codes are the carrier's).
HANDED_OVER_CODE = "unit_handed_over"
RETURNED_CODE = "unit_returned"
COUNTER_CODE = "unit_counter"


def check_officer(actor: Actor, unit: Agency | int) -> None:
    """Raise Forbidden unless ``actor`` is a receiving officer of the one-stop unit ``unit``."""
    unit_id = unit.pk if isinstance(unit, Agency) else unit
    if Role.RECEIVING_OFFICER not in user_agency_roles(user=actor).get(unit_id, set()):
        raise Forbidden(NOT_UNIT_OFFICER)


def _charge(now: dt.datetime) -> int:
    tariff = tariff_for(service=Service.DELIVERY, zone=ZONE, on=timezone.localdate(now))
    if tariff is None:
        raise Conflict(NO_TARIFF)
    return int(tariff.amount)


def fees_owed(dossier_ids: Sequence[int]) -> dict[int, int | None]:
    """Return what each processed dossier still owes (fees due before or at the return, not
    paid), None when an amount is still to be counted. Two queries for any number."""
    paid = settled_codes(dossier_ids)
    owed: dict[int, int | None] = dict.fromkeys(dossier_ids, 0)
    lines = DossierFee.objects.filter(
        dossier_id__in=list(dossier_ids), due__in=list(BEFORE_AND_AFTER)
    ).filter(Q(amount__gt=0) | Q(amount__isnull=True))
    for dossier_id, code, amount in lines.values_list("dossier_id", "code", "amount"):
        if (dossier_id, code) in paid:
            continue
        so_far = owed[dossier_id]
        owed[dossier_id] = None if amount is None or so_far is None else so_far + amount
    return owed


def open_delivery() -> Exists:
    """Return whether a dossier (``OuterRef("pk")``) has a delivery not yet over."""
    return Exists(
        Order.objects.filter(dossier_id=OuterRef("pk"), service=Service.DELIVERY).exclude(
            state__in=CLOSED_STATES
        )
    )


def came_back() -> Exists:
    """Return whether a dossier's result came back from a delivery not re-sent (handled from
    the failed deliveries, not dispatched anew)."""
    return Exists(
        Order.objects.filter(
            dossier_id=OuterRef("pk"),
            service=Service.DELIVERY,
            state=OrderState.RETURNED,
            next__isnull=True,
        )
    )


def has_result() -> Exists:
    return Exists(DossierResult.objects.filter(dossier_id=OuterRef("pk")))


def dispatchable(unit_id: int) -> Q:
    """Return the filter on Dossier of the results of ``unit_id`` that may go by post now.

    The same conditions ``dispatch_prepare`` checks one by one to say why not.
    """
    return Q(
        receiving_unit_id=unit_id,
        state=DossierState.PROCESSED,
        delivery=Delivery.POST,
        procedure__returns_by_post=True,
    ) & Q(has_result(), ~open_delivery(), ~came_back())


def _refusal(dossier: Dossier, unit_id: int) -> Any:
    """Say why ``dossier`` (annotated by ``dispatch_prepare``) cannot go by post now, or None."""
    if dossier.receiving_unit_id != unit_id:
        return NOT_THIS_UNIT
    if dossier.state != DossierState.PROCESSED:
        return NOT_PROCESSED
    if not dossier.with_result:  # type: ignore[attr-defined]
        return NO_RESULT
    if dossier.delivery != Delivery.POST:
        return NOT_BY_POST
    if not dossier.procedure.returns_by_post:
        return POST_MAY_NOT_CARRY
    if dossier.on_delivery:  # type: ignore[attr-defined]
        return ALREADY_ON_DELIVERY
    return None


# What a dispatch reads of each dossier (2,000 rows: no more than it needs).
_DISPATCH_FIELDS = (
    "code",
    "state",
    "delivery",
    "delivery_address",
    "receiving_unit_id",
    "procedure_id",
    "procedure__returns_by_post",
    "due_at",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
)


def _order_number(code: str, n: int) -> str:
    """Return the n-th delivery order's number of the dossier ``code`` (``<code>-BP<n>``)."""
    return f"{code}-BP{n}"


def _receiver(dossier: Dossier) -> dict[str, Any]:
    return {
        "person_name": dossier.applicant_name,
        "id_number": dossier.applicant_id_number,
        "phone": dossier.applicant_phone,
        "email": dossier.applicant_email,
        "address": (dossier.delivery_address or dossier.applicant_address)[:500],
    }


def _audit_many(
    *, action: str, orders: Sequence[Order], actor: Actor, at: dt.datetime, after: Any
) -> None:
    """Write one audit entry per order (``after(order)``) in one INSERT, in the transaction.

    ``audit_record`` writes one row per call; a batch of 2,000 orders writes its
    2,000 entries at once, with the same columns.
    """
    if not transaction.get_connection().in_atomic_block:  # pragma: no cover - a programming error
        raise RuntimeError("audit entries must be written in the change's transaction")
    user = actor if getattr(actor, "pk", None) is not None else None
    name = user.get_username() if user is not None else ""
    address = current_address()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                at=at,
                kind=AuditKind.CHANGE,
                action=action,
                actor=user,
                actor_name=name,
                address=address,
                object_type=Order._meta.label_lower,
                object_id=str(order.pk),
                object_repr=order.number[:255],
                after=after(order),
            )
            for order in orders
        ],
        batch_size=BATCH,
    )


def unit_event(
    order: Order, *, code: str, state: str, at: dt.datetime, message: str = ""
) -> TrackingEvent:
    """Return (unsaved) the unit's own tracking event ``code`` of ``order`` (meaning ``state``)."""
    return TrackingEvent(
        order=order,
        source=TrackingEvent.Source.UNIT,
        external_id=f"{code}:{order.pk}:{at:%Y%m%d%H%M%S%f}"[:64],
        code=code,
        state=state,
        message=message[:500],
        happened_at=at,
        received_at=at,
    )


@dataclass(frozen=True)
class Prepared:
    """The delivery orders a dispatch created, and the dossiers refused with the reason."""

    orders: list[Order]
    refused: dict[str, str] = field(default_factory=dict)


def _keys(dossiers: Iterable[Dossier | int | str]) -> tuple[set[int], set[str]]:
    ids: set[int] = set()
    codes: set[str] = set()
    for d in dossiers:
        if isinstance(d, Dossier):
            ids.add(d.pk)
        elif isinstance(d, int):
            ids.add(d)
        elif str(d).strip():
            codes.add(str(d).strip())
    return ids, codes


def dispatch_prepare(
    *,
    unit: Agency,
    dossiers: Iterable[Dossier | int | str],
    officer: Actor,
    now: dt.datetime | None = None,
) -> Prepared:
    """Create the delivery orders of the processed results of ``unit`` going by post.

    ``dossiers`` are dossiers, ids or codes. Each one must be the unit's,
    processed with a result recorded, for delivery by post, of a procedure
    the post may carry, and on no delivery yet; the others are refused with
    the reason (``Prepared.refused``, by code) and the rest go on. The
    receiver is the dossier's applicant at the dossier's delivery address;
    cash on delivery is what the dossier still owes (``fees_owed``); the
    charge is the current ``Tariff``'s. Orders are REQUESTED until the post
    picks them up (``dispatch_hand_over``). Locks the dossiers' rows
    (``select_for_update``); a constant number of queries for any batch.
    """
    check_officer(officer, unit)
    now = now or timezone.now()
    ids, codes = _keys(dossiers)
    if not ids and not codes:
        raise ValidationFailed(NO_DOSSIERS, field_errors={"dossiers": [NO_DOSSIERS]})
    refused: dict[str, str] = {}
    with transaction.atomic():
        locked = list(
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure")
            .only(*_DISPATCH_FIELDS)
            .filter(Q(pk__in=ids) | Q(code__in=codes))
            .order_by("due_at", "pk")
        )
        # Read once the rows are locked, in a statement of its own: it sees the orders a
        # dispatch that held the locks before committed (a statement's snapshot is taken when
        # it starts, so checks in the locking statement would not).
        flags = {
            pk: (result, on_delivery or back)
            for pk, result, on_delivery, back in Dossier.objects.filter(
                pk__in=[d.pk for d in locked]
            )
            .annotate(with_result=has_result(), on_delivery=open_delivery(), back=came_back())
            .values_list("pk", "with_result", "on_delivery", "back")
        }
        for dossier in locked:
            dossier.with_result, dossier.on_delivery = flags[dossier.pk]  # type: ignore[attr-defined]
        missing = sorted(codes - {d.code for d in locked})
        missing += sorted(str(i) for i in ids - {d.pk for d in locked})
        for key in missing:
            refused[key] = str(UNKNOWN_DOSSIER)
        ready = []
        for dossier in locked:
            why = _refusal(dossier, unit.pk)
            if why is None:
                ready.append(dossier)
            else:
                refused[dossier.code] = str(why)
        owed = fees_owed([d.pk for d in ready])
        for dossier in ready:
            if owed[dossier.pk] is None:
                refused[dossier.code] = str(FEES_UNCOUNTED)
        ready = [d for d in ready if owed[d.pk] is not None]
        if not ready:
            return Prepared(orders=[], refused=refused)
        charge = _charge(now)
        before = dict(
            Order.objects.filter(dossier_id__in=[d.pk for d in ready], service=Service.DELIVERY)
            .values("dossier_id")
            .annotate(n=Count("pk"))
            .values_list("dossier_id", "n")
        )
        orders = [
            Order(
                service=Service.DELIVERY,
                state=OrderState.REQUESTED,
                number=_order_number(d.code, before.get(d.pk, 0) + 1),
                unit=unit,
                procedure_id=d.procedure_id,
                dossier=d,
                fees_amount=owed[d.pk] or 0,
                charge_amount=charge,
                created_at=now,
                created_by=officer,
                changed_at=now,
                **_receiver(d),
            )
            for d in ready
        ]
        try:
            with transaction.atomic():
                Order.objects.bulk_create(orders, batch_size=BATCH)
        except IntegrityError as exc:  # another officer dispatched one of them at the same time
            raise Conflict(ALREADY_ON_DELIVERY) from exc
        _audit_many(
            action="postal.order.prepare",
            orders=orders,
            actor=officer,
            at=now,
            after=lambda o: {
                "service": o.service,
                "state": o.state,
                "dossier": o.dossier.code if o.dossier else "",
                "fees_amount": o.fees_amount,
                "charge_amount": o.charge_amount,
            },
        )
    return Prepared(orders=orders, refused=refused)


def dispatch_hand_over(
    *,
    unit: Agency,
    orders: Iterable[Order | int],
    worker: PostalWorker,
    officer: Actor,
    now: dt.datetime | None = None,
) -> Handover:
    """Open the hand-over record (direction ``to_post``) of ``orders`` with the postal worker
    who picks them up (``postal.handover.handover_open``: one line per order, with its cash
    on delivery and charge; an order on one such record only).

    By a receiving officer of ``unit``; the worker's postal unit must serve it.
    The orders stay as they are until the record is signed (``dispatch_sign``).
    """
    check_officer(officer, unit)
    return handover_open(
        direction=Direction.TO_POST,
        unit=unit,
        postal_unit=worker.unit,
        worker=worker,
        officer=officer,
        orders=orders,
        now=now or timezone.now(),
    )


def dispatch_sign(
    *,
    handover: Handover,
    officer: Actor,
    now: dt.datetime | None = None,
    worker_on_paper: bool = False,
    worker_name: str = "",
) -> Handover:
    """Sign the hand-over record to the post: its orders are HANDED_OVER, the record printed
    once and kept (``postal.handover.handover_sign``); each order gets the unit's tracking
    event and its audit entry, in one statement each, in the same transaction.

    By a receiving officer of the record's unit, for a record to the post.
    Locks the record's and the orders' rows (``handover_sign``).
    """
    check_officer(officer, handover.unit_id)
    if handover.direction != Direction.TO_POST:
        raise Conflict(NOT_TO_POST)
    now = now or timezone.now()
    with transaction.atomic():
        signed = handover_sign(
            handover=handover,
            officer=officer,
            now=now,
            worker_on_paper=worker_on_paper,
            worker_name=worker_name,
        )
        orders = list(
            Order.objects.filter(handover_lines__handover=signed).only("pk", "number", "state")
        )
        TrackingEvent.objects.bulk_create(
            [
                unit_event(
                    o,
                    code=HANDED_OVER_CODE,
                    state=OrderState.HANDED_OVER,
                    at=now,
                    message=signed.number,
                )
                for o in orders
            ],
            batch_size=BATCH,
        )
        _audit_many(
            action="postal.order.hand_over",
            orders=orders,
            actor=officer,
            at=now,
            after=lambda o: {"state": OrderState.HANDED_OVER, "handover": signed.number},
        )
    return signed


def _locked_delivery(order: Order | int | str, *, lock_dossier: bool = True) -> Order:
    """Return the delivery ``order`` (an order, id or number) locked, its dossier locked first.

    Dossier, then order: the order in which a dispatch locks them.
    """
    lookup = (
        Q(pk=order.pk)
        if isinstance(order, Order)
        else Q(pk=order)
        if isinstance(order, int)
        else Q(number=str(order).strip())
    )
    found = Order.objects.filter(lookup).values_list("pk", "dossier_id", "service").first()
    if found is None:
        raise NotFound(ORDER_NOT_FOUND)
    pk, dossier_id, service = found
    if service != Service.DELIVERY or dossier_id is None:
        raise Conflict(NOT_DELIVERY)
    if lock_dossier:
        Dossier.objects.select_for_update().filter(pk=dossier_id).exists()
    return Order.objects.select_for_update(of=("self",)).select_related("dossier").get(pk=pk)


def order_return_receive(
    *,
    order: Order | int | str,
    officer: Actor | None,
    now: dt.datetime | None = None,
    note: str = "",
) -> Order:
    """Record that the result of a delivery came back to the unit (RETURNED).

    From an order the post holds (handed over, in transit, failed). By a
    receiving officer of the order's unit, or with ``officer=None`` when the
    post's event says it was returned (``postal.tracking``, which keeps the
    post's event itself). The officer's receipt writes the unit's own
    tracking event. Audited; the dossier stays processed: its result is
    back, waiting to be re-sent or handed over at the counter. Locks the
    dossier's and the order's rows.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_delivery(order)
        if officer is not None:
            check_officer(officer, locked.unit_id)
        if locked.state not in WITH_THE_POST:
            raise Conflict(NOT_OUT_WITH_THE_POST)
        before = locked.state
        locked.state = OrderState.RETURNED
        locked.changed_at = now
        locked.save(update_fields=["state", "changed_at"])
        if officer is not None:
            unit_event(
                locked, code=RETURNED_CODE, state=OrderState.RETURNED, at=now, message=note.strip()
            ).save()
        audit_record(
            action="postal.order.return_receive",
            target=locked,
            actor=officer,
            before={"state": before},
            after={"state": locked.state, "by": "unit" if officer is not None else "post"},
            note=note.strip(),
            at=now,
        )
    return locked


def _clean(value: str, *, required: Any, max_length: int, name: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(required, field_errors={name: [required]})
    if len(value) > max_length:
        raise ValidationFailed(TOO_LONG, field_errors={name: [TOO_LONG]})
    return value


def _check_came_back(locked: Order) -> None:
    if locked.state != OrderState.RETURNED:
        raise Conflict(NOT_BACK)
    if Order.objects.filter(previous_id=locked.pk).exists():
        raise Conflict(ALREADY_RESENT)
    dossier = locked.dossier
    if dossier is None or dossier.state != DossierState.PROCESSED:
        raise Conflict(RESULT_NOT_WAITING)


def order_resend(
    *,
    order: Order | int | str,
    officer: Actor,
    now: dt.datetime | None = None,
    changes: Mapping[str, str] | None = None,
) -> Order:
    """Re-send a result that came back: a new delivery order whose ``previous`` is ``order``.

    ``changes`` may correct the receiver (``person_name``, ``phone``,
    ``address``); the rest is the failed order's. Cash on delivery is what
    the dossier owes now, the charge the current tariff's. The new order is
    REQUESTED and goes with the next hand-over to the post. Only a returned
    order not yet re-sent, whose dossier is still processed. Audited, with
    what changed. Locks the dossier's and the order's rows.
    """
    now = now or timezone.now()
    changes = dict(changes or {})
    with transaction.atomic():
        locked = _locked_delivery(order)
        check_officer(officer, locked.unit_id)
        _check_came_back(locked)
        receiver = {
            "person_name": _clean(
                changes.get("person_name", locked.person_name),
                required=NAME_REQUIRED,
                max_length=200,
                name="person_name",
            ),
            "phone": _clean(
                changes.get("phone", locked.phone),
                required=PHONE_REQUIRED,
                max_length=20,
                name="phone",
            ),
            "address": _clean(
                changes.get("address", locked.address),
                required=ADDRESS_REQUIRED,
                max_length=500,
                name="address",
            ),
        }
        dossier = locked.dossier
        assert dossier is not None  # noqa: S101 - _locked_delivery refuses an order without one
        owed = fees_owed([dossier.pk])[dossier.pk]
        if owed is None:
            raise Conflict(FEES_UNCOUNTED)
        count = Order.objects.filter(dossier_id=dossier.pk, service=Service.DELIVERY).count()
        resent = Order(
            service=Service.DELIVERY,
            state=OrderState.REQUESTED,
            number=_order_number(dossier.code, count + 1),
            carrier=locked.carrier,
            unit_id=locked.unit_id,
            procedure_id=locked.procedure_id,
            dossier=dossier,
            previous=locked,
            id_number=locked.id_number,
            email=locked.email,
            administrative_unit_id=(
                locked.administrative_unit_id if receiver["address"] == locked.address else None
            ),
            fees_amount=owed,
            charge_amount=_charge(now),
            created_at=now,
            created_by=officer,
            changed_at=now,
            **receiver,
        )
        try:
            with transaction.atomic():
                resent.save()
        except IntegrityError as exc:
            raise Conflict(ALREADY_ON_DELIVERY) from exc
        corrected = {k: v for k, v in receiver.items() if v != getattr(locked, k)}
        audit_record(
            action="postal.order.resend",
            target=resent,
            actor=officer,
            before={k: getattr(locked, k) for k in corrected},
            after={
                "previous": locked.number,
                "state": resent.state,
                "fees_amount": resent.fees_amount,
                "charge_amount": resent.charge_amount,
                **corrected,
            },
            at=now,
        )
    return resent


def order_counter_hand_over(
    *,
    order: Order | int | str,
    officer: Actor,
    to_whom: str,
    now: dt.datetime | None = None,
) -> Order:
    """Hand a result that came back over at the counter: the dossier's result is returned
    (status 10, the workflow's ``dossier_return_result`` via the counter) and the order is
    closed (the unit's tracking event says how).

    Only a returned order not re-sent. Audited (the order's entry here, the
    dossier's timeline by the workflow). Locks the dossier's and the order's rows.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_delivery(order)
        check_officer(officer, locked.unit_id)
        _check_came_back(locked)
        assert locked.dossier_id is not None  # noqa: S101 - _locked_delivery refuses it
        dossier = dossier_return_result(
            dossier=locked.dossier_id,
            actor=officer,
            to_whom=to_whom,
            via=Delivery.COUNTER,
            now=now,
        )
        locked.changed_at = now
        locked.save(update_fields=["changed_at"])
        unit_event(locked, code=COUNTER_CODE, state="", at=now).save()
        audit_record(
            action="postal.order.counter_hand_over",
            target=locked,
            actor=officer,
            after={"dossier": dossier.code, "to_whom": dossier.result_returned_to},
            at=now,
        )
    return locked
