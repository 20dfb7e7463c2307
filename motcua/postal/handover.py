"""Hand-over records (biên bản giao nhận) between the post and a one-stop unit, both ways.

``to_unit``: the post brings the dossiers it collected; the receiving officer
recounts each package against the list the postal worker made
(``handover_recount``), then both sign. ``to_post``: the unit gives the post
the results to deliver (receivers, tracking numbers, cash on delivery).

Numbers run per unit and year without gaps (``counter_next``, as receipts):
``BBGN-<unit code>-<year>-<number>``. Totals (packages, fees, postal
charges, packages that differ) are kept on the record.

How the postal worker signs: either on their own phone (logged in as the
``PostalWorker`` of the record: ``handover_worker_confirm``), or on the paper
copy the officer prints, in which case the officer records it at signing
(``worker_on_paper=True``, with the worker's name as written on the paper).
``handover_sign`` then adds the officer's signature, prints the PDF once and
keeps it with its SHA-256: the signed record never changes afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import audit_record
from motcua.core.counters import counter_next
from motcua.core.errors import Conflict, ValidationFailed
from motcua.core.names import person_name
from motcua.core.pdf import pdf_from_template, place_date, qr_svg
from motcua.organisation.models import Agency

from .models import (
    Direction,
    Handover,
    HandoverLine,
    HandoverSequence,
    Order,
    OrderState,
    PostalUnit,
    PostalWorker,
    Service,
)

NO_ORDERS = _("Choose at least one package for the hand-over record.")
WRONG_UNIT = _("An order is not for this one-stop unit.")
WRONG_POSTAL_UNIT = _("An order is not one of this postal unit's.")
WRONG_WORKER = _("The postal worker does not work for this postal unit.")
NOT_SERVED = _("This postal unit does not serve this one-stop unit.")
NOT_COLLECTED = _("Only collected and sealed dossiers can be handed over to the unit.")
NOT_DELIVERY = _("Only results to deliver can be handed over to the post.")
ALREADY_LISTED = _("An order is already on another hand-over record.")
ALREADY_SIGNED = _("This hand-over record is signed already; it can no longer change.")
NOT_RECOUNTED = _("Recount every package before signing.")
NO_WORKER_SIGNATURE = _(
    "The postal worker has not signed: ask them to confirm on their phone, "
    "or record that they signed the paper copy."
)
WORKER_NAME_REQUIRED = _("Enter the postal worker's name as signed on the paper copy.")
BAD_COUNT = _("Enter counts of originals and copies between 0 and 99.")
DIFFERENCE_REQUIRED = _("Say what differs from the list.")
UNKNOWN_DIRECTION = _("Unknown direction of hand-over.")

# The states a delivery order may be in when the unit hands its result to the post.
TO_POST_STATES = frozenset({OrderState.REQUESTED, OrderState.REGISTERED})
MAX_PAPERS = 99


def _number(*, unit: Agency, now: dt.datetime) -> str:
    year = timezone.localtime(now).year
    _row, number = counter_next(
        HandoverSequence, keys={"unit_id": unit.pk, "year": year}, field="last_number"
    )
    return f"BBGN-{unit.code}-{year}-{number:05d}"


def _listed(order: Order) -> list[dict[str, Any]]:
    return [
        {
            "component": item.component_id,
            "name": item.name,
            "originals": item.originals,
            "copies": item.copies,
        }
        for item in order.items.all()
    ]


def handover_open(
    *,
    direction: str,
    unit: Agency,
    postal_unit: PostalUnit,
    worker: PostalWorker | None,
    officer: Any,
    orders: Iterable[Order | int],
    now: dt.datetime,
    worker_name: str = "",
) -> Handover:
    """Open an unsigned hand-over record of ``orders`` between ``postal_unit`` and ``unit``.

    ``to_unit``: collections COLLECTED by this postal unit for this unit, one
    line each listing the components the worker collected, with the fees and
    the postal charge the worker collected. ``to_post``: deliveries of this
    unit (REQUESTED or REGISTERED) with their cash on delivery and charge. An
    order can be on one record of each direction only. Locks the orders'
    rows (``select_for_update``); the number is taken in the same
    transaction (a refusal gives it back).
    """
    if direction not in Direction.values:
        raise ValidationFailed(UNKNOWN_DIRECTION)
    ids = sorted({o.pk if isinstance(o, Order) else int(o) for o in orders})
    if not ids:
        raise ValidationFailed(NO_ORDERS)
    if worker is not None and worker.unit_id != postal_unit.pk:
        raise ValidationFailed(WRONG_WORKER)
    with transaction.atomic():
        if not postal_unit.serves.filter(pk=unit.pk).exists():
            raise ValidationFailed(NOT_SERVED)
        locked = list(Order.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if len(locked) != len(ids):
            raise ValidationFailed(WRONG_UNIT)
        to_unit = direction == Direction.TO_UNIT
        for order in locked:
            if order.unit_id != unit.pk:
                raise ValidationFailed(WRONG_UNIT)
            if to_unit:
                if order.service != Service.COLLECTION or order.state != OrderState.COLLECTED:
                    raise ValidationFailed(NOT_COLLECTED)
                if order.postal_unit_id != postal_unit.pk:
                    raise ValidationFailed(WRONG_POSTAL_UNIT)
            elif order.service != Service.DELIVERY or order.state not in TO_POST_STATES:
                raise ValidationFailed(NOT_DELIVERY)
        if HandoverLine.objects.filter(order_id__in=ids, handover__direction=direction).exists():
            raise Conflict(ALREADY_LISTED)
        items: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
        if to_unit:
            for order in Order.objects.filter(pk__in=ids).prefetch_related("items"):
                items[order.pk] = _listed(order)
        handover = Handover.objects.create(
            direction=direction,
            number=_number(unit=unit, now=now),
            unit=unit,
            postal_unit=postal_unit,
            worker=worker,
            worker_name=(worker_name.strip() or person_name(worker.user if worker else None))[:200],
            officer=officer,
            created_at=now,
        )
        lines = [
            HandoverLine(
                handover=handover,
                order=order,
                dossier_id=order.dossier_id,
                listed=items[order.pk],
                fees_amount=order.fees_collected if to_unit else order.fees_amount,
                charge_amount=order.charge_collected if to_unit else order.charge_amount,
            )
            for order in locked
        ]
        HandoverLine.objects.bulk_create(lines, batch_size=500)
        handover.packages = len(lines)
        handover.fees_total = sum(line.fees_amount for line in lines)
        handover.charges_total = sum(line.charge_amount for line in lines)
        handover.save(update_fields=["packages", "fees_total", "charges_total"])
        audit_record(
            action="postal.handover.open",
            target=handover,
            actor=officer,
            after={
                "direction": direction,
                "number": handover.number,
                "postal_unit": postal_unit.code,
                "packages": handover.packages,
                "fees_total": handover.fees_total,
                "charges_total": handover.charges_total,
            },
            at=now,
        )
    return handover


def _counts(counted: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    clean: list[dict[str, Any]] = []
    for row in counted:
        try:
            originals = int(row.get("originals") or 0)
            copies = int(row.get("copies") or 0)
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(BAD_COUNT) from exc
        if not (0 <= originals <= MAX_PAPERS and 0 <= copies <= MAX_PAPERS):
            raise ValidationFailed(BAD_COUNT)
        clean.append(
            {
                "component": row.get("component"),
                "name": str(row.get("name") or "")[:500],
                "originals": originals,
                "copies": copies,
            }
        )
    return clean


def _differences(listed: list[dict[str, Any]], counted: list[dict[str, Any]]) -> list[str]:
    """Say, per component, what the recount found other than the list (in Vietnamese)."""

    def key(row: dict[str, Any]) -> Any:
        return row.get("component") or row.get("name")

    found = {key(row): row for row in counted}
    notes: list[str] = []
    for row in listed:
        got = found.pop(key(row), None)
        if got is None:
            notes.append(f"{row['name']}: không có")
            continue
        if (got["originals"], got["copies"]) != (row["originals"], row["copies"]):
            notes.append(
                f"{row['name']}: kê {row['originals']} bản chính, {row['copies']} bản sao; "
                f"đếm được {got['originals']} bản chính, {got['copies']} bản sao"
            )
    notes.extend(
        f"{row['name']}: không có trong danh sách"
        for row in found.values()
        if row["originals"] or row["copies"]
    )
    return notes


def handover_recount(
    *,
    line: HandoverLine,
    counted: Sequence[dict[str, Any]],
    discrepancy: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> HandoverLine:
    """Record what the officer counted in ``line``'s package (``[{component, name, originals,
    copies}]``) and whether it matches the list.

    A difference is flagged with what differs: the officer's words
    (``discrepancy``) or, without them, the components whose counts differ.
    Refused once the record is signed. Locks the record's row.
    """
    clean = _counts(counted)
    now = now or timezone.now()
    with transaction.atomic():
        handover = Handover.objects.select_for_update().get(pk=line.handover_id)
        if handover.signed_at is not None:
            raise Conflict(ALREADY_SIGNED)
        line = HandoverLine.objects.select_for_update().get(pk=line.pk)
        before = {"counted": line.counted, "matches": line.matches, "discrepancy": line.discrepancy}
        differences = _differences(line.listed, clean)
        text = discrepancy.strip()
        line.counted = clean
        line.recounted = True
        line.matches = not differences and not text
        line.discrepancy = (text or "; ".join(differences))[:500]
        line.save(update_fields=["counted", "recounted", "matches", "discrepancy"])
        handover.discrepancies = handover.lines.filter(matches=False).count()
        handover.save(update_fields=["discrepancies"])
        audit_record(
            action="postal.handover.recount",
            target=handover,
            actor=actor,
            before=before,
            after={
                "order": line.order_id,
                "counted": clean,
                "matches": line.matches,
                "discrepancy": line.discrepancy,
            },
            at=now,
        )
    return line


def handover_worker_confirm(
    *, handover: Handover, worker: PostalWorker, now: dt.datetime
) -> Handover:
    """Record the postal worker's signature, confirmed on their own phone.

    Only the worker of the record, or a worker of its postal unit when none
    was named (who then becomes its worker). Locks the record's row.
    """
    with transaction.atomic():
        locked = Handover.objects.select_for_update().get(pk=handover.pk)
        if locked.signed_at is not None:
            raise Conflict(ALREADY_SIGNED)
        if locked.postal_unit_id != worker.unit_id or (
            locked.worker_id is not None and locked.worker_id != worker.pk
        ):
            raise ValidationFailed(WRONG_WORKER)
        locked.worker = worker
        locked.worker_name = person_name(worker.user)[:200]
        locked.worker_signed_at = now
        locked.worker_signature = "phone"
        locked.save(update_fields=["worker", "worker_name", "worker_signed_at", "worker_signature"])
        audit_record(
            action="postal.handover.worker_sign",
            target=locked,
            actor=worker.user,
            after={"worker": locked.worker_name, "how": "phone"},
            at=now,
        )
    return locked


def handover_sign(
    *,
    handover: Handover,
    officer: Any,
    now: dt.datetime,
    worker_on_paper: bool = False,
    worker_name: str = "",
) -> Handover:
    """Sign ``handover`` for the unit, print its PDF once and keep it with its SHA-256.

    The postal worker must have signed first, on their phone
    (``handover_worker_confirm``) or on paper (``worker_on_paper``, with their
    name). A ``to_unit`` record needs every package recounted. The orders
    become HANDED_OVER at ``now`` (the unit's receipt: a collected dossier's
    clock starts then). Locks the record's and the orders' rows.
    """
    with transaction.atomic():
        locked = Handover.objects.select_for_update().get(pk=handover.pk)
        if locked.signed_at is not None:
            raise Conflict(ALREADY_SIGNED)
        if locked.worker_signed_at is None:
            if not worker_on_paper:
                raise ValidationFailed(NO_WORKER_SIGNATURE)
            name = worker_name.strip() or locked.worker_name
            if not name:
                raise ValidationFailed(
                    WORKER_NAME_REQUIRED, field_errors={"worker_name": [WORKER_NAME_REQUIRED]}
                )
            locked.worker_name = name[:200]
            locked.worker_signed_at = now
            locked.worker_signature = "paper"
        if locked.direction == Direction.TO_UNIT and locked.lines.filter(recounted=False).exists():
            raise ValidationFailed(NOT_RECOUNTED)
        order_ids = list(locked.lines.values_list("order_id", flat=True))
        Order.objects.select_for_update().filter(pk__in=order_ids).order_by("pk").exists()
        Order.objects.filter(pk__in=order_ids).update(
            state=OrderState.HANDED_OVER, handed_over_at=now, changed_at=now
        )
        locked.officer = officer
        locked.signed_at = now
        locked.save(
            update_fields=[
                "officer",
                "signed_at",
                "worker_name",
                "worker_signed_at",
                "worker_signature",
            ]
        )
        data = handover_pdf_bytes(locked)
        locked.pdf_sha256 = hashlib.sha256(data).hexdigest()
        locked.pdf.save(f"{locked.number}.pdf", ContentFile(data), save=False)
        locked.save(update_fields=["pdf", "pdf_sha256"])
        audit_record(
            action="postal.handover.sign",
            target=locked,
            actor=officer,
            after={
                "number": locked.number,
                "worker": locked.worker_name,
                "worker_signature": locked.worker_signature,
                "orders": len(order_ids),
                "state": OrderState.HANDED_OVER,
                "pdf_sha256": locked.pdf_sha256,
            },
            at=now,
        )
    return locked


def handover_pdf(handover: Handover) -> bytes:
    """Return the record's PDF: the one kept at signing, else a draft printed now (not kept)."""
    if handover.pdf:
        with handover.pdf.open("rb") as stored:
            data: bytes = stored.read()
            return data
    return handover_pdf_bytes(handover)


def handover_context(handover: Handover) -> dict[str, Any]:
    """Everything the record prints, read in three queries whatever the number of lines."""
    handover = (
        Handover.objects.select_related("unit__parent", "unit__administrative_unit", "postal_unit")
        .select_related("officer")
        .get(pk=handover.pk)
    )
    lines = list(
        handover.lines.select_related("order__procedure", "dossier").order_by("order__number")
    )
    when = handover.signed_at or handover.created_at
    _prefix, year, number = handover.number.rsplit("-", 2)
    return {
        "short_number": f"{int(number)}/{year}/BBGN",
        "handover": handover,
        "to_unit": handover.direction == Direction.TO_UNIT,
        "agency": handover.unit,
        "lines": lines,
        "officer_name": person_name(handover.officer),
        "place_date": place_date(handover.unit, when),
        "signed_at": timezone.localtime(handover.signed_at) if handover.signed_at else None,
        "worker_signed_at": (
            timezone.localtime(handover.worker_signed_at) if handover.worker_signed_at else None
        ),
        "qr_svg": qr_svg(handover.number),
    }


def handover_pdf_bytes(handover: Handover) -> bytes:
    """Print ``handover`` (one render, A4)."""
    return pdf_from_template("postal/print/handover.html", handover_context(handover))
