"""Money with the post: what it collected for the agency, handed over, remitted, still owes.

The post collects from the applicant the agency's fees (``Order.fees_collected``)
and its own charge (``Order.charge_collected``). It gives the fees to the
one-stop unit either in cash, listed on a signed hand-over record of dossiers
(``Handover`` to the unit, ``fees_total``), or later by bank transfer
(``Remittance``). For a postal unit, a one-stop unit and a period:

    outstanding = fees collected - fees handed over - remitted

Money is counted on the day it changed hands: a collection's fees when the
package was collected, a delivery's (cash on delivery) when it was delivered,
a hand-over record's when it was signed, a remittance on its payment date.
The postal charges are the post's own: shown, never owed to the unit.

Receiving officers and accountants of the one-stop unit see these figures and
record remittances.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import audit_record, snapshot
from motcua.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from motcua.organisation.models import Agency
from motcua.staff.models import Role
from motcua.staff.selectors import AnyUser, user_agency_roles

from .models import Direction, Handover, Order, PostalUnit, Remittance, Service

MONEY_ROLES = frozenset({Role.RECEIVING_OFFICER.value, Role.ACCOUNTANT.value})

NOT_YOURS = _("Only the receiving officers and accountants of the one-stop unit may do this.")
NO_POSTAL_UNIT = _("No such postal unit serves this one-stop unit.")
AMOUNT_POSITIVE = _("Give the amount remitted, in whole đồng, more than 0.")
PAID_IN_FUTURE = _("The payment date cannot be after today.")
NO_REFERENCE = _("Give the bank's reference of the transfer.")
REFERENCE_TAKEN = _("A remittance of this postal unit already has this bank reference.")
MORE_THAN_OWED = _(
    "The post owes this unit %(owed)s đồng: a remittance cannot be more. Check the amount, or "
    "whether a hand-over record already listed these fees."
)
BAD_PERIOD = _("The period's start must not be after its end.")

REMITTANCE_FIELDS = (
    "postal_unit",
    "unit",
    "amount",
    "paid_on",
    "bank_reference",
    "note",
    "recorded_by",
    "recorded_at",
)


def money_units(user: AnyUser) -> list[int]:
    """Return the one-stop units whose money with the post ``user`` may see (sorted ids)."""
    return sorted(a for a, roles in user_agency_roles(user=user).items() if roles & MONEY_ROLES)


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Return the aware instants ``[start 00:00, the day after end 00:00)`` in local time."""
    if start > end:
        raise ValidationFailed(BAD_PERIOD)
    midnight = dt.time(0, 0)
    return (
        timezone.make_aware(dt.datetime.combine(start, midnight)),
        timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), midnight)),
    )


def _money_at() -> Case:
    """When an order's money changed hands: collected (collection) or delivered (delivery)."""
    return Case(
        When(service=Service.COLLECTION, then=F("collected_at")),
        When(service=Service.DELIVERY, then=F("delivered_at")),
        default=Value(None),
        output_field=DateTimeField(),
    )


@dataclass(frozen=True)
class MoneyRow:
    """The money of one postal unit with one one-stop unit: in the period, and up to its end."""

    postal_unit: PostalUnit
    unit: Agency
    orders: int
    fees_collected: int
    charges_collected: int
    handed_over: int
    remitted: int
    owed_at_end: int

    @property
    def outstanding(self) -> int:
        """Fees collected in the period not handed over nor remitted in it."""
        return self.fees_collected - self.handed_over - self.remitted


def _n(value: Any) -> int:
    return int(value or 0)


def money_statement(
    *,
    units: list[int],
    start: dt.date,
    end: dt.date,
    postal_unit: int | None = None,
) -> list[MoneyRow]:
    """Return per postal unit and one-stop unit of ``units`` the money of ``[start, end]``.

    Every postal unit serving one of ``units`` has its row, zero or not.
    Five queries whatever the number of orders, records and units.
    ``owed_at_end`` is what the post still owes at the end of the period,
    counting all that came before it.
    """
    since, until = day_bounds(start, end)
    scope = Q(unit__in=units)
    if postal_unit is not None:
        scope &= Q(postal_unit=postal_unit)
    in_period = Q(money_at__gte=since)
    orders = (
        Order.objects.filter(scope, postal_unit__isnull=False)
        .annotate(money_at=_money_at())
        .filter(money_at__lt=until)
        .values("postal_unit", "unit")
        .annotate(
            n=Count("id", filter=in_period),
            fees=Sum("fees_collected", filter=in_period),
            charges=Sum("charge_collected", filter=in_period),
            fees_to_date=Sum("fees_collected"),
        )
    )
    handovers = (
        Handover.objects.filter(
            scope, direction=Direction.TO_UNIT, signed_at__isnull=False, signed_at__lt=until
        )
        .values("postal_unit", "unit")
        .annotate(
            period=Sum("fees_total", filter=Q(signed_at__gte=since)), to_date=Sum("fees_total")
        )
    )
    remittances = (
        Remittance.objects.filter(scope, paid_on__lte=end)
        .values("postal_unit", "unit")
        .annotate(period=Sum("amount", filter=Q(paid_on__gte=start)), to_date=Sum("amount"))
    )
    served = PostalUnit.serves.through.objects.filter(agency__in=units).select_related(
        "postalunit", "agency"
    )
    if postal_unit is not None:
        served = served.filter(postalunit=postal_unit)
    pairs: dict[tuple[int, int], tuple[PostalUnit, Agency]] = {
        (link.postalunit_id, link.agency_id): (link.postalunit, link.agency) for link in served
    }
    by_order: dict[tuple[int, int], dict[str, Any]] = {
        (r["postal_unit"], r["unit"]): dict(r) for r in orders
    }
    by_handover: dict[tuple[int, int], dict[str, Any]] = {
        (r["postal_unit"], r["unit"]): dict(r) for r in handovers
    }
    by_remittance: dict[tuple[int, int], dict[str, Any]] = {
        (r["postal_unit"], r["unit"]): dict(r) for r in remittances
    }
    missing = (set(by_order) | set(by_handover) | set(by_remittance)) - set(pairs)
    if missing:  # a postal unit that no longer serves the unit, with money still on record
        posts = PostalUnit.objects.in_bulk({p for p, _u in missing})
        agencies = Agency.objects.in_bulk({u for _p, u in missing})
        pairs.update({(p, u): (posts[p], agencies[u]) for p, u in missing})
    rows = []
    for key, (post, unit) in pairs.items():
        o, h, r = by_order.get(key, {}), by_handover.get(key, {}), by_remittance.get(key, {})
        rows.append(
            MoneyRow(
                postal_unit=post,
                unit=unit,
                orders=_n(o.get("n")),
                fees_collected=_n(o.get("fees")),
                charges_collected=_n(o.get("charges")),
                handed_over=_n(h.get("period")),
                remitted=_n(r.get("period")),
                owed_at_end=_n(o.get("fees_to_date")) - _n(h.get("to_date")) - _n(r.get("to_date")),
            )
        )
    rows.sort(key=lambda row: (row.unit.name, row.postal_unit.code))
    return rows


def money_orders(
    *, units: list[int], postal_unit: int, unit: int, start: dt.date, end: dt.date
) -> QuerySet[Order]:
    """Return the orders whose money changed hands in ``[start, end]``, oldest first.

    Empty unless ``unit`` is one of ``units``.
    """
    since, until = day_bounds(start, end)
    if unit not in units:
        return Order.objects.none()
    return (
        Order.objects.filter(postal_unit=postal_unit, unit=unit)
        .annotate(money_at=_money_at())
        .filter(money_at__gte=since, money_at__lt=until)
        .select_related("dossier", "procedure")
        .order_by("money_at", "id")
    )


def money_remittances(
    *, units: list[int], postal_unit: int, unit: int, start: dt.date, end: dt.date
) -> QuerySet[Remittance]:
    """Return the remittances paid in ``[start, end]``, with who recorded them."""
    if unit not in units:
        return Remittance.objects.none()
    return Remittance.objects.filter(
        postal_unit=postal_unit, unit=unit, paid_on__gte=start, paid_on__lte=end
    ).select_related("recorded_by")


def owed_now(*, postal_unit: int, unit: int) -> int:
    """Return what the post owes the unit today: all fees collected less all handed or paid."""
    fees = (
        Order.objects.filter(postal_unit=postal_unit, unit=unit)
        .annotate(money_at=_money_at())
        .filter(money_at__isnull=False)
        .aggregate(total=Sum("fees_collected"))["total"]
    )
    handed = Handover.objects.filter(
        postal_unit=postal_unit, unit=unit, direction=Direction.TO_UNIT, signed_at__isnull=False
    ).aggregate(total=Sum("fees_total"))["total"]
    paid = Remittance.objects.filter(postal_unit=postal_unit, unit=unit).aggregate(
        total=Sum("amount")
    )["total"]
    return _n(fees) - _n(handed) - _n(paid)


def remittance_record(
    *,
    actor: Any,
    postal_unit: PostalUnit | int,
    unit: Agency | int,
    amount: int,
    paid_on: dt.date,
    bank_reference: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> Remittance:
    """Record that the post paid ``amount`` to the unit's account on ``paid_on``; audited.

    By a receiving officer or an accountant of the one-stop unit, for a postal
    unit that serves it. Locks the postal unit's row, so two remittances
    recorded at once cannot both pass the check that the post owed that much.
    Raises ``Forbidden``, ``NotFound``, ``ValidationFailed`` or ``Conflict``
    (nothing written).
    """
    now = now or timezone.now()
    post_id = postal_unit if isinstance(postal_unit, int) else postal_unit.pk
    unit_id = unit if isinstance(unit, int) else unit.pk
    if unit_id not in money_units(actor):
        raise Forbidden(NOT_YOURS)
    reference = bank_reference.strip()
    errors: dict[str, list[Any]] = {}
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        errors["amount"] = [AMOUNT_POSITIVE]
    if paid_on > timezone.localdate(now):
        errors["paid_on"] = [PAID_IN_FUTURE]
    if not reference:
        errors["bank_reference"] = [NO_REFERENCE]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, field_errors=errors)
    with transaction.atomic():
        post = PostalUnit.objects.select_for_update().filter(pk=post_id, serves=unit_id).first()
        if post is None:
            raise NotFound(NO_POSTAL_UNIT)
        if Remittance.objects.filter(postal_unit=post, bank_reference=reference).exists():
            raise Conflict(REFERENCE_TAKEN, field_errors={"bank_reference": [REFERENCE_TAKEN]})
        owed = owed_now(postal_unit=post.pk, unit=unit_id)
        if amount > owed:
            message = MORE_THAN_OWED % {"owed": f"{max(owed, 0):,}".replace(",", ".")}
            raise ValidationFailed(message, field_errors={"amount": [message]})
        try:
            with transaction.atomic():
                remittance = Remittance.objects.create(
                    postal_unit=post,
                    unit_id=unit_id,
                    amount=amount,
                    paid_on=paid_on,
                    bank_reference=reference,
                    note=note.strip()[:255],
                    recorded_by_id=actor.pk,
                    recorded_at=now,
                )
        except IntegrityError as exc:  # the same reference recorded meanwhile
            raise Conflict(REFERENCE_TAKEN) from exc
        audit_record(
            action="postal.remittance.record",
            target=remittance,
            actor=actor,
            after=snapshot(remittance, REMITTANCE_FIELDS),
            at=now,
        )
    return remittance
