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

from motcua.dossiers.models import Dossier, DossierState
from motcua.organisation.models import Agency
from motcua.staff.models import Role
from motcua.staff.selectors import AnyUser, user_agency_roles

from .models import Direction, HandoverLine, Order, OrderState, PostalWorker, Service
from .outbound import dispatchable

# A busy unit's week; a page shows no more rows than this (prepare them, then the rest).
MAX_ROWS = 2000
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
    dossiers: list[Dossier]
    more: bool  # more dossiers are due than the page shows
    waiting: list[Order]


def _waiting(unit_id: int) -> QuerySet[Order]:
    listed = HandoverLine.objects.filter(
        order_id=OuterRef("pk"), handover__direction=Direction.TO_POST
    )
    return Order.objects.filter(
        unit_id=unit_id, service=Service.DELIVERY, state__in=WAITING_STATES
    ).exclude(Exists(listed))


def dispatch_candidates(*, unit: Agency, until: dt.date | None = None) -> Candidates:
    """Return the results of ``unit`` due by ``until`` (today) that may go by post now, oldest
    appointment first, and the delivery orders waiting for pickup. Two queries."""
    until = until or timezone.localdate()
    rows = list(
        Dossier.objects.filter(dispatchable(unit.pk), due_at__lt=_end_of(until))
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
        .order_by("due_at", "pk")[: MAX_ROWS + 1]
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
    return Candidates(
        until=until, dossiers=rows[:MAX_ROWS], more=len(rows) > MAX_ROWS, waiting=waiting
    )


def waiting_orders(*, unit: Agency, ids: list[int]) -> list[Order]:
    """Return those of the orders ``ids`` of ``unit`` still waiting for pickup (one query)."""
    return list(_waiting(unit.pk).filter(pk__in=ids))


def pickup_workers(*, unit: Agency) -> list[PostalWorker]:
    """Return the active postal workers of the postal units serving ``unit`` (one query)."""
    return list(
        PostalWorker.objects.filter(is_active=True, unit__is_active=True, unit__serves=unit)
        .select_related("user", "unit")
        .order_by("unit__code", "user__last_name", "user__first_name", "pk")
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
