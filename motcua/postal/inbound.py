"""Dossiers collected by the post: the applicant's order, the postal worker's collection, the
unit's receipt and intake as a channel-3 dossier.

An order moves REQUESTED (the applicant asked; another job registers it with
the post: REGISTERED) -> a postal worker of a postal unit serving the
one-stop unit takes it (``order_take``) -> COLLECTED (components counted,
package sealed, fees and charge collected: ``order_collect``) or REFUSED
(something required missing: ``order_refuse``) -> HANDED_OVER (the hand-over
record signed at the unit: ``handover.handover_sign``) -> RECEIVED (the
officer records the dossier from the package: ``order_receive``, the
dossier's clock starting at the hand-over). Each change is audited in its
transaction and locks the order's row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import audit_record
from motcua.catalog.fees import FeeQuote, version_fees
from motcua.catalog.models import Component, Procedure
from motcua.core.counters import counter_next
from motcua.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from motcua.dossiers import services as dossier_services
from motcua.dossiers.files import CheckedFile, Upload, check_component_files, files_stored
from motcua.dossiers.models import Channel, Dossier
from motcua.organisation.models import Agency
from motcua.outbox.models import Message, MessageChannel, MessageKind
from motcua.staff.models import Role
from motcua.staff.selectors import user_agency_roles
from motcua.territory.models import AdministrativeUnit, UnitLevel

from .models import (
    Handover,
    HandoverLine,
    Order,
    OrderItem,
    OrderSequence,
    OrderState,
    PostalWorker,
    Service,
    Tariff,
)
from .selectors import tariff_for

NOT_CARRIED = _(
    "The public postal service may not carry dossiers of this procedure: "
    "submit it online or at the one-stop counter."
)
INVALID_ORDER = _("The collection was not ordered: please correct the fields shown.")
REQUIRED = dossier_services.REQUIRED
TOO_LONG = dossier_services.TOO_LONG
BAD_ID_NUMBER = dossier_services.BAD_ID_NUMBER
BAD_PHONE = dossier_services.BAD_PHONE
BAD_EMAIL = dossier_services.BAD_EMAIL
BAD_COMMUNE = _("Choose a commune or ward from the list.")
BAD_DATE = _("Enter a date from today to 60 days ahead (day/month/year).")
NO_TARIFF = _("No postal charge is published for this service yet: the post cannot be ordered.")
NOT_YOURS = _("This collection is not one your postal unit may take.")
TAKEN = _("Another postal worker has taken this collection.")
NOT_OPEN = _("This collection is no longer waiting to be collected.")
MISSING_REQUIRED = _("A required component is missing: record a refusal with the reasons instead.")
REASONS_REQUIRED = _("Say what is missing or why the dossier was not collected.")
SEAL_REQUIRED = _("Enter the seal number of the package.")
RECEIPT_REQUIRED = _("Enter the number of the receipt given to the applicant.")
BAD_AMOUNT = _("Enter an amount in đồng, e.g. 25000.")
NOT_HANDED_OVER = _("This package has not been handed over with a signed record.")
ALREADY_RECEIVED = _("This package was already recorded as a dossier.")
NOT_OFFICER = _("You are not a receiving officer of this one-stop unit.")
MAX_DAYS_AHEAD = 60
MAX_AMOUNT = 10**10
OPEN_STATES = (OrderState.REQUESTED, OrderState.REGISTERED, OrderState.COLLECTING)
_PHONE = re.compile(r"^(?:0|\+?84)(?:\d{9}|\d{10})$")
_PHONE_NOISE = re.compile(r"[\s.\-()]")


# --- The applicant's order ---------------------------------------------------------------------


@dataclass(frozen=True)
class CollectionQuote:
    """What a collection costs the applicant: the postal charge and the procedure's fees."""

    procedure: Procedure
    unit: Agency
    zone: str
    charge: int
    fees: FeeQuote = field(default_factory=FeeQuote)

    @property
    def fees_due(self) -> int:
        """The fees the post collects with the dossier (those due at submission)."""
        return self.fees.due_now

    @property
    def total(self) -> int:
        return self.charge + self.fees_due


def collectable_procedure(code: str) -> Procedure:
    """Return the published procedure of ``code`` if the post may carry its dossiers."""
    procedure = (
        Procedure.objects.select_related("current_version", "agency__administrative_unit")
        .filter(code=str(code).strip(), is_published=True, current_version__isnull=False)
        .first()
    )
    if procedure is None:
        raise NotFound(
            dossier_services.PROCEDURE_NOT_FOUND,
            field_errors={"procedure": [dossier_services.PROCEDURE_NOT_FOUND]},
        )
    if not procedure.accepts_post:
        raise ValidationFailed(NOT_CARRIED, field_errors={"procedure": [NOT_CARRIED]})
    return procedure


def _root(unit: AdministrativeUnit | None) -> int | None:
    while unit is not None and unit.parent_id is not None:
        unit = unit.parent
    return unit.pk if unit is not None else None


def _zone(agency: Agency, commune: AdministrativeUnit | None) -> str:
    """Say how far the post goes: within the unit's commune, the province, or beyond."""
    if commune is None or agency.administrative_unit_id is None:
        return Tariff.Zone.PROVINCE
    if commune.pk == agency.administrative_unit_id:
        return Tariff.Zone.SAME_DISTRICT
    if _root(commune) == _root(agency.administrative_unit):
        return Tariff.Zone.PROVINCE
    return Tariff.Zone.OTHER_PROVINCE


def collection_quote(
    *, procedure: Procedure, commune: AdministrativeUnit | None, on: dt.date
) -> CollectionQuote:
    """Price a collection for ``procedure`` from ``commune``: the charge and the fees due."""
    unit = dossier_services.receiving_unit_for(procedure)
    zone = _zone(unit, commune)
    tariff = tariff_for(service=Service.COLLECTION, zone=zone, on=on)
    if tariff is None:
        raise ValidationFailed(NO_TARIFF)
    version = procedure.current_version
    assert version is not None  # noqa: S101 - collectable_procedure only returns versioned ones
    try:
        fees = version_fees(version).quote(channel=Channel.POST, quantities={}, on=on, partial=True)
    except ValidationFailed:
        fees = FeeQuote()
    return CollectionQuote(procedure, unit, zone, tariff.amount, fees)


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value).strip()


def _required(data: Mapping[str, Any], name: str, size: int, errors: dict[str, list[Any]]) -> str:
    value = _text(data, name)
    if not value:
        errors[name] = [REQUIRED]
    elif len(value) > size:
        errors[name] = [TOO_LONG]
    return value


@dataclass(frozen=True)
class OrderRequest:
    """A checked order of a collection, ready to record."""

    quote: CollectionQuote
    person_name: str
    id_number: str
    phone: str
    email: str
    address: str
    commune: AdministrativeUnit | None
    at_postal_point: bool
    wanted_on: dt.date | None


def order_request_check(*, data: Mapping[str, Any], today: dt.date) -> OrderRequest:
    """Check an applicant's order of a collection; raise ValidationFailed with every problem.

    Fields: procedure (code), name, id_number, phone, email (optional),
    address, commune (id, optional), at_postal_point ("1"/"true"), wanted_on
    (optional, YYYY-MM-DD or DD/MM/YYYY, today to 60 days ahead).
    """
    procedure = collectable_procedure(_text(data, "procedure"))
    errors: dict[str, list[Any]] = {}
    name = _required(data, "name", 200, errors)
    id_number = _text(data, "id_number").replace(" ", "")
    if not id_number:
        errors["id_number"] = [REQUIRED]
    elif not dossier_services.valid_id_number(id_number):
        errors["id_number"] = [BAD_ID_NUMBER]
    phone = _PHONE_NOISE.sub("", _text(data, "phone"))
    if not phone:
        errors["phone"] = [REQUIRED]
    elif not _PHONE.match(phone):
        errors["phone"] = [BAD_PHONE]
    email = _text(data, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [BAD_EMAIL]
    address = _required(data, "address", 500, errors)
    commune = None
    commune_id = _text(data, "commune")
    if commune_id:
        commune = (
            AdministrativeUnit.objects.filter(pk=commune_id, level=UnitLevel.COMMUNE).first()
            if commune_id.isdigit()
            else None
        )
        if commune is None:
            errors["commune"] = [BAD_COMMUNE]
    at_point = _text(data, "at_postal_point").lower() in {"1", "true", "on", "yes", "point"}
    wanted_on = None
    wanted = _text(data, "wanted_on")
    if wanted:
        wanted_on = _date(wanted)
        if wanted_on is None or not (
            today <= wanted_on <= today + dt.timedelta(days=MAX_DAYS_AHEAD)
        ):
            errors["wanted_on"] = [BAD_DATE]
    if errors:
        raise ValidationFailed(INVALID_ORDER, field_errors=errors)
    quote = collection_quote(procedure=procedure, commune=commune, on=today)
    return OrderRequest(quote, name, id_number, phone, email, address, commune, at_point, wanted_on)


def _date(value: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    return None


def _number(prefix: str, now: dt.datetime) -> str:
    year = timezone.localtime(now).year
    _row, number = counter_next(
        OrderSequence, keys={"prefix": prefix, "year": year}, field="last_number"
    )
    return f"{prefix}{year % 100:02d}{number:07d}"


def order_request(*, data: Mapping[str, Any], actor: Any = None, now: dt.datetime) -> Order:
    """Record the applicant's order of a collection (REQUESTED), with its number and money.

    Everything is checked first (``order_request_check``); the order takes
    the next number of the year (``TG`` + year + 7 digits, no gaps), the
    postal charge of the current tariff and the fees due at submission.
    Another job registers it with the post.
    """
    checked = order_request_check(data=data, today=timezone.localdate(now))
    quote = checked.quote
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        order = Order.objects.create(
            service=Service.COLLECTION,
            state=OrderState.REQUESTED,
            number=_number("TG", now),
            unit=quote.unit,
            procedure=quote.procedure,
            person_name=checked.person_name,
            id_number=checked.id_number,
            phone=checked.phone,
            email=checked.email,
            address=checked.address,
            administrative_unit=checked.commune,
            at_postal_point=checked.at_postal_point,
            wanted_on=checked.wanted_on,
            fees_amount=quote.fees_due,
            charge_amount=quote.charge,
            created_at=now,
            created_by=user,
            changed_at=now,
        )
        audit_record(
            action="postal.order.request",
            target=order,
            actor=user,
            after={
                "number": order.number,
                "procedure": quote.procedure.code,
                "unit": quote.unit.code,
                "zone": quote.zone,
                "fees_amount": order.fees_amount,
                "charge_amount": order.charge_amount,
                "at_postal_point": order.at_postal_point,
                "wanted_on": str(order.wanted_on or ""),
            },
            at=now,
        )
    return order


# --- The postal worker -------------------------------------------------------------------------


def _locked_for(worker: PostalWorker, order: Order | int) -> Order:
    pk = order.pk if isinstance(order, Order) else int(order)
    locked = (
        Order.objects.select_for_update()
        .filter(pk=pk, service=Service.COLLECTION, unit__postal_units=worker.unit_id)
        .first()
    )
    if locked is None or not worker.is_active:
        raise Forbidden(NOT_YOURS)
    if locked.postal_unit_id not in (None, worker.unit_id):
        raise Forbidden(NOT_YOURS)
    return locked


def order_take(*, order: Order | int, worker: PostalWorker, now: dt.datetime) -> Order:
    """Give the collection to ``worker`` ("nhận việc"); refused if another worker has it.

    Locks the order's row. The state stays (the post's registration and
    tracking move it); the worker and their postal unit are recorded.
    """
    with transaction.atomic():
        locked = _locked_for(worker, order)
        if locked.state not in OPEN_STATES:
            raise Conflict(NOT_OPEN)
        if locked.worker_id not in (None, worker.pk):
            raise Conflict(TAKEN)
        before = {"worker": locked.worker_id}
        locked.worker = worker
        locked.postal_unit_id = worker.unit_id
        locked.changed_at = now
        locked.save(update_fields=["worker", "postal_unit", "changed_at"])
        audit_record(
            action="postal.order.take",
            target=locked,
            actor=worker.user,
            before=before,
            after={"worker": worker.pk, "postal_unit": worker.unit.code},
            at=now,
        )
    return locked


def _mine(worker: PostalWorker, order: Order | int) -> Order:
    locked = _locked_for(worker, order)
    if locked.state not in OPEN_STATES:
        raise Conflict(NOT_OPEN)
    if locked.worker_id != worker.pk:
        raise Conflict(TAKEN if locked.worker_id else NOT_YOURS)
    return locked


def order_refuse(
    *, order: Order | int, worker: PostalWorker, reasons: str, now: dt.datetime
) -> Order:
    """Record that the dossier was not collected (REFUSED), with the reasons; tell the applicant.

    The applicant gets the reasons by SMS (and e-mail when given) through
    the outbox, in the same transaction. Locks the order's row.
    """
    text = reasons.strip()
    if not text:
        raise ValidationFailed(REASONS_REQUIRED, field_errors={"reasons": [REASONS_REQUIRED]})
    with transaction.atomic():
        locked = _mine(worker, order)
        before = {"state": locked.state}
        locked.state = OrderState.REFUSED
        locked.refusal_reasons = text[:2000]
        locked.changed_at = now
        locked.save(update_fields=["state", "refusal_reasons", "changed_at"])
        _tell_refused(locked, now)
        audit_record(
            action="postal.order.refuse",
            target=locked,
            actor=worker.user,
            before=before,
            after={"state": locked.state, "reasons": locked.refusal_reasons},
            at=now,
        )
    return locked


def _tell_refused(order: Order, now: dt.datetime) -> None:
    body = (
        f"Buu chinh chua thu gom ho so (don {order.number}, {order.procedure.name}): "
        f"{order.refusal_reasons}"
    )
    rows = [
        Message(
            dossier=None,
            kind=MessageKind.REFUSED,
            channel=MessageChannel.SMS,
            recipient="".join(ch for ch in order.phone if ch.isdigit()),
            body=body[:600],
            next_attempt_at=now,
            created_at=now,
        )
    ]
    if order.email:
        rows.append(
            Message(
                dossier=None,
                kind=MessageKind.REFUSED,
                channel=MessageChannel.EMAIL,
                recipient=order.email,
                subject=f"Bưu chính chưa thu gom hồ sơ (đơn {order.number})",
                body=(
                    f"Kính gửi ông/bà {order.person_name},\n\nNhân viên bưu chính chưa thu gom "
                    f"hồ sơ thủ tục {order.procedure.name} (đơn {order.number}) vì: "
                    f"{order.refusal_reasons}\n\nXin bổ sung và đặt lại dịch vụ thu gom."
                ),
                next_attempt_at=now,
                created_at=now,
            )
        )
    Message.objects.bulk_create(rows)


@dataclass(frozen=True)
class CollectedComponent:
    """A component the worker collected: counts and photos or scans (``component-<id>``)."""

    component_id: int
    originals: int = 0
    copies: int = 0
    files: Sequence[Upload] = ()


def _amount(value: Any, name: str, errors: dict[str, list[Any]]) -> int:
    text = str(value if value is not None else "").replace(".", "").replace(" ", "").strip()
    if not text.isdigit() or int(text) > MAX_AMOUNT:
        errors[name] = [BAD_AMOUNT]
        return 0
    return int(text)


def order_collect(
    *,
    order: Order | int,
    worker: PostalWorker,
    components: Sequence[CollectedComponent],
    seal_number: str,
    receipt_number: str,
    fees_collected: Any,
    charge_collected: Any,
    now: dt.datetime,
) -> Order:
    """Record what the worker collected and sealed (COLLECTED) with the money and the receipt.

    Each component must be one of the procedure's current version with
    originals or copies (0-99 each); every required one must be there (else
    record a refusal); photos or scans pass the dossier upload checks (type
    by content, size, count). Everything is checked before anything is
    written; stored files are removed if the transaction fails. Locks the
    order's row.
    """
    errors: dict[str, list[Any]] = {}
    seal = seal_number.strip()[:40]
    receipt = receipt_number.strip()[:40]
    if not seal:
        errors["seal_number"] = [SEAL_REQUIRED]
    if not receipt:
        errors["receipt_number"] = [RECEIPT_REQUIRED]
    fees = _amount(fees_collected, "fees_collected", errors)
    charge = _amount(charge_collected, "charge_collected", errors)
    current = Order.objects.select_related("procedure__current_version").get(
        pk=order.pk if isinstance(order, Order) else int(order)
    )
    version = current.procedure.current_version
    if version is None:
        raise NotFound(dossier_services.PROCEDURE_NOT_FOUND)
    known: dict[int, Component] = {c.pk: c for c in version.components.all()}
    got: list[tuple[Component, CollectedComponent]] = []
    files: dict[str, list[Upload]] = {}
    for item in components:
        key = f"component-{item.component_id}"
        component = known.get(item.component_id)
        if component is None:
            errors[key] = [dossier_services.UNKNOWN_COMPONENT]
        elif not (0 <= item.originals <= 99 and 0 <= item.copies <= 99):
            errors[key] = [dossier_services.BAD_COUNT]
        elif item.originals + item.copies == 0:
            continue
        else:
            got.append((component, item))
            if item.files:
                files[key] = list(item.files)
    have = {c.pk for c, _item in got}
    missing = [c.name for c in known.values() if c.is_required and c.pk not in have]
    checked = check_component_files(version, files, errors, require_all=False)
    if missing:
        errors["missing"] = missing
        raise ValidationFailed(MISSING_REQUIRED, field_errors=errors)
    if errors:
        raise ValidationFailed(INVALID_ORDER, field_errors=errors)
    first_scan: dict[int, CheckedFile[Component]] = {}
    for one in checked:
        first_scan.setdefault(one.owner.pk, one)
    with files_stored(list(first_scan.values()), folder="postal") as stored, transaction.atomic():
        locked = _mine(worker, current)
        names = {one.owner.pk: name for one, name in stored}
        OrderItem.objects.filter(order=locked).delete()
        OrderItem.objects.bulk_create(
            OrderItem(
                order=locked,
                component=component,
                name=component.name,
                originals=item.originals,
                copies=item.copies,
                scan=names.get(component.pk, ""),
            )
            for component, item in got
        )
        before = {"state": locked.state}
        locked.state = OrderState.COLLECTED
        locked.seal_number = seal
        locked.receipt_number = receipt
        locked.fees_collected = fees
        locked.charge_collected = charge
        locked.collected_at = now
        locked.changed_at = now
        locked.save(
            update_fields=[
                "state",
                "seal_number",
                "receipt_number",
                "fees_collected",
                "charge_collected",
                "collected_at",
                "changed_at",
            ]
        )
        audit_record(
            action="postal.order.collect",
            target=locked,
            actor=worker.user,
            before=before,
            after={
                "state": locked.state,
                "seal_number": seal,
                "receipt_number": receipt,
                "fees_collected": fees,
                "charge_collected": charge,
                "components": [
                    {"name": c.name, "originals": i.originals, "copies": i.copies} for c, i in got
                ],
            },
            at=now,
        )
    return locked


# --- The one-stop unit: intake of a received package -------------------------------------------


def line_for_intake(*, line: HandoverLine | int, unit: Agency) -> HandoverLine:
    """Return the signed to-unit line of ``unit`` whose package is to become a dossier."""
    pk = line.pk if isinstance(line, HandoverLine) else int(line)
    found = (
        HandoverLine.objects.select_related(
            "order__procedure__current_version", "handover", "dossier"
        )
        .filter(pk=pk, handover__unit=unit, handover__direction="to_unit")
        .first()
    )
    if found is None:
        raise NotFound(NOT_HANDED_OVER)
    return found


def order_receive(
    *,
    line: HandoverLine | int,
    unit: Agency,
    actor: Any,
    data: Mapping[str, Any],
    received: Sequence[dossier_services.ReceivedComponent],
    now: dt.datetime | None = None,
) -> Dossier:
    """Record the package of a signed hand-over line as a channel-3 dossier waiting for intake.

    The counter's checks and insert (``counter_dossier_check`` /
    ``counter_dossier_insert`` with channel POST); the dossier is received
    when the hand-over record was signed (its clock starts then); the order
    gets its dossier and becomes RECEIVED in the same transaction. Then the
    usual intake actions (accept with receipt, supplement, refuse) apply.
    Locks the order's row.
    """
    now = now or timezone.now()
    if str(Role.RECEIVING_OFFICER) not in user_agency_roles(user=actor).get(unit.pk, set()):
        raise Forbidden(NOT_OFFICER)
    found = line_for_intake(line=line, unit=unit)
    handover: Handover = found.handover
    if handover.signed_at is None:
        raise ValidationFailed(NOT_HANDED_OVER)
    if found.order.dossier_id is not None:
        raise Conflict(ALREADY_RECEIVED)
    draft = dossier_services.counter_dossier_check(
        procedure_code=found.order.procedure.code,
        data=data,
        received=received,
        channel=Channel.POST,
    )
    received_at = handover.signed_at
    due_at = dossier_services.dossier_due_at(draft.version, received_at)
    with files_stored(draft.files) as stored, transaction.atomic():
        order = Order.objects.select_for_update().get(pk=found.order_id)
        if order.dossier_id is not None or order.state != OrderState.HANDED_OVER:
            raise Conflict(ALREADY_RECEIVED)
        dossier = dossier_services.counter_dossier_insert(
            draft=draft, stored=stored, unit=unit, actor=actor, now=received_at, due_at=due_at
        )
        order.dossier = dossier
        order.state = OrderState.RECEIVED
        order.received_at = now
        order.changed_at = now
        order.save(update_fields=["dossier", "state", "received_at", "changed_at"])
        HandoverLine.objects.filter(pk=found.pk).update(dossier=dossier)
        audit_record(
            action="postal.order.receive",
            target=order,
            actor=actor,
            before={"state": OrderState.HANDED_OVER},
            after={"state": order.state, "dossier": dossier.code, "received_at": str(received_at)},
            at=now,
        )
    return dossier


# --- Reads of the pages ------------------------------------------------------------------------


def worker_orders(worker: PostalWorker) -> QuerySet[Order]:
    """Collections ``worker`` may see: for units their postal unit serves, free or theirs,
    wanted soonest first."""
    return (
        Order.objects.filter(service=Service.COLLECTION, unit__postal_units=worker.unit_id)
        .filter(Q(postal_unit__isnull=True) | Q(postal_unit=worker.unit_id))
        .filter(Q(worker__isnull=True) | Q(worker=worker))
        .order_by(F("wanted_on").asc(nulls_last=True), "created_at", "pk")
    )


def _sealed_for(unit: Agency) -> QuerySet[Order]:
    return Order.objects.filter(
        unit=unit, service=Service.COLLECTION, state=OrderState.COLLECTED
    ).exclude(handover_lines__handover__direction="to_unit")


def workers_with_packages(unit: Agency) -> list[PostalWorker]:
    """The postal workers holding sealed packages for ``unit`` not yet on a hand-over record."""
    ids = _sealed_for(unit).values("worker_id")
    return list(
        PostalWorker.objects.filter(pk__in=ids).select_related("user", "unit").order_by("pk")
    )


def packages_for(*, unit: Agency, worker: PostalWorker) -> list[Order]:
    """``worker``'s sealed packages for ``unit``, with what they hold."""
    return list(
        _sealed_for(unit)
        .filter(worker=worker)
        .select_related("procedure")
        .prefetch_related("items")
        .order_by("collected_at", "pk")
    )
