"""Reads of the results going by post, as the one-stop unit's back office shows them.

``dispatch_candidates``: the results due to go by post (appointment date
reached, or up to a date the officer chooses) that are on no delivery yet,
and the delivery orders prepared (or re-sent) still waiting for the post to
pick them up. ``failed_deliveries``: deliveries that failed or came back,
not yet re-sent nor handed over at the counter. Each a constant number of
queries however many rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Dossier, DossierState
from motcua.organisation.models import Agency
from motcua.staff.models import Role
from motcua.staff.selectors import AnyUser, user_agency_roles

from .models import Direction, Handover, HandoverLine, Order, OrderState, PostalWorker, Service
from .outbound import dispatchable

# A page lists no more rows than this (a form of more fields than Django reads, 1,000, is
# refused): the buttons "all" take every row due, however many, without listing them.
MAX_ROWS = 400
NO_WORKER = _("Choose the postal worker who picks the packages up.")
WAITING_STATES = (OrderState.REQUESTED, OrderState.REGISTERED)
FAILED_STATES = (OrderState.FAILED, OrderState.RETURNED)


def officer_units(user: AnyUser) -> list[Agency]:
    """Return the one-stop units where ``user`` is a receiving officer, by name."""
    ids = [
        agency_id
        for agency_id, roles in user_agency_roles(user=user).items()
        if Role.RECEIVING_OFFICER in roles
    ]
    return list(Agency.objects.filter(pk__in=ids, is_one_stop_unit=True).order_by("name", "pk"))


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


@dataclass(frozen=True)
class Candidates:
    """What the dispatch page offers: results due, and orders waiting for pickup."""

    until: dt.date
    dossiers: list[Dossier]  # the first MAX_ROWS
    due: int  # all of them
    waiting: list[Order]  # the first MAX_ROWS
    waiting_count: int  # all of them

    @property
    def more(self) -> bool:
        return self.due > len(self.dossiers) or self.waiting_count > len(self.waiting)


def _waiting(unit_id: int) -> QuerySet[Order]:
    listed = HandoverLine.objects.filter(
        order_id=OuterRef("pk"), handover__direction=Direction.TO_POST
    )
    return Order.objects.filter(
        unit_id=unit_id, service=Service.DELIVERY, state__in=WAITING_STATES
    ).exclude(Exists(listed))


def _due(unit_id: int, until: dt.date) -> QuerySet[Dossier]:
    return Dossier.objects.filter(dispatchable(unit_id), due_at__lt=_end_of(until))


def dispatch_candidates(*, unit: Agency, until: dt.date | None = None) -> Candidates:
    """Return the results of ``unit`` due by ``until`` (today) that may go by post now, oldest
    appointment first, and the delivery orders waiting for pickup: the first ``MAX_ROWS`` of
    each and how many in all. Four queries."""
    until = until or timezone.localdate()
    rows = list(
        _due(unit.pk, until)
        .select_related("procedure")
        .only(
            "code",
            "due_at",
            "applicant_name",
            "delivery_address",
            "applicant_address",
            "procedure__name",
            "procedure__code",
        )
        .order_by("due_at", "pk")[:MAX_ROWS]
    )
    waiting = list(
        _waiting(unit.pk)
        .select_related("dossier")
        .only(
            "number",
            "state",
            "person_name",
            "address",
            "previous",
            "fees_amount",
            "dossier__code",
        )
        .order_by("created_at", "pk")[:MAX_ROWS]
    )
    due = len(rows) if len(rows) < MAX_ROWS else _due(unit.pk, until).count()
    waiting_count = len(waiting) if len(waiting) < MAX_ROWS else _waiting(unit.pk).count()
    return Candidates(
        until=until, dossiers=rows, due=due, waiting=waiting, waiting_count=waiting_count
    )


def due_ids(*, unit: Agency, until: dt.date) -> list[int]:
    """Return the ids of every result of ``unit`` due by ``until`` that may go by post now
    (one query): "prepare all"."""
    return list(_due(unit.pk, until).order_by("due_at", "pk").values_list("pk", flat=True))


def waiting_orders(*, unit: Agency, ids: list[int] | None) -> list[Order]:
    """Return those of the orders ``ids`` of ``unit`` still waiting for pickup, all of them
    with None ("hand over all"). One query."""
    waiting = _waiting(unit.pk)
    return list((waiting if ids is None else waiting.filter(pk__in=ids)).order_by("pk"))


def pickup_workers(*, unit: Agency) -> list[PostalWorker]:
    """Return the active postal workers of the postal units serving ``unit`` (one query)."""
    return list(
        PostalWorker.objects.filter(is_active=True, unit__is_active=True, unit__serves=unit)
        .select_related("user", "unit")
        .order_by("unit__code", "user__last_name", "user__first_name", "pk")
    )


def pickup_worker(*, unit: Agency, worker_id: str) -> PostalWorker:
    """Return the active postal worker ``worker_id`` of a postal unit serving ``unit`` (one
    query); ValidationFailed for another or none."""
    worker = None
    if worker_id.isdigit() and len(worker_id) < 19:
        worker = (
            PostalWorker.objects.filter(
                pk=int(worker_id), is_active=True, unit__is_active=True, unit__serves=unit
            )
            .select_related("unit", "user")
            .first()
        )
    if worker is None:
        raise ValidationFailed(NO_WORKER, field_errors={"worker": [NO_WORKER]})
    return worker


def dispatch_record(*, units: list[Agency], number: str) -> Handover | None:
    """Return the hand-over record ``number`` to the post of one of ``units`` (one query)."""
    return (
        Handover.objects.filter(
            number=number.strip(), direction=Direction.TO_POST, unit__in=[u.pk for u in units]
        )
        .select_related("unit", "postal_unit", "worker__user")
        .first()
    )


def record_lines(handover: Handover) -> list[HandoverLine]:
    """Return the lines of ``handover`` with their orders and dossiers (one query)."""
    return list(
        handover.lines.select_related("order", "dossier")
        .only(
            "handover_id",
            "fees_amount",
            "charge_amount",
            "order__number",
            "order__state",
            "order__person_name",
            "order__address",
            "order__tracking_number",
            "order__previous",
            "dossier__code",
        )
        .order_by("order__number")
    )


def failed_deliveries(*, unit: Agency) -> list[Order]:
    """Return the deliveries of ``unit`` that failed or came back and wait for a decision
    (not re-sent, the dossier still processed), the oldest first. One query."""
    return list(
        Order.objects.filter(
            unit_id=unit.pk,
            service=Service.DELIVERY,
            state__in=FAILED_STATES,
            next__isnull=True,
            dossier__state=DossierState.PROCESSED,
        )
        .select_related("dossier", "procedure")
        .order_by("changed_at", "pk")
    )


def unit_order(*, unit: Agency, number: str) -> Order | None:
    """Return the delivery order ``number`` of ``unit`` (one query), None if there is none."""
    return (
        Order.objects.filter(unit_id=unit.pk, service=Service.DELIVERY, number=number.strip())
        .select_related("dossier", "procedure")
        .first()
    )
