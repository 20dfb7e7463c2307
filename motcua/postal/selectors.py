"""Reads of the postal service: charges, the one-stop unit's postal dashboard, statistics, and
the procedures the post may not carry.

The statistics (issue 13) come from these records only: a dossier received
by post is a channel-3 dossier (made when the unit received the post's
package); a result returned by post is a delivery order the post delivered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Channel, Dossier
from motcua.organisation.models import Agency
from motcua.staff.selectors import AnyUser, user_agency_roles

from .models import (
    Direction,
    HandoverLine,
    Order,
    OrderState,
    Service,
    Tariff,
)
from .money import MoneyRow, day_bounds, money_statement, money_units

# Short lists on the dashboard: the rest is one link away.
DASHBOARD_LIST = 8

COLLECTIONS_DUE = (OrderState.REQUESTED, OrderState.REGISTERED)
AWAITING_PICKUP = (OrderState.REQUESTED, OrderState.REGISTERED)
FAILED = (OrderState.FAILED, OrderState.RETURNED)


def tariff_for(*, service: str, zone: str, on: dt.date) -> Tariff | None:
    """Return the charge for ``service`` in ``zone`` valid on ``on`` (the latest from before it)."""
    return (
        Tariff.objects.filter(service=service, zone=zone, valid_from__lte=on)
        .order_by("-valid_from")
        .first()
    )


def tariffs_on(*, on: dt.date) -> list[Tariff]:
    """Return the charges valid on ``on``: one per service and zone."""
    rows = Tariff.objects.filter(valid_from__lte=on).order_by("service", "zone", "-valid_from")
    seen: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        if (row.service, row.zone) not in seen:
            seen.add((row.service, row.zone))
            out.append(row)
    return out


def postal_units_of(user: AnyUser) -> list[int]:
    """Return the one-stop units whose postal work ``user`` sees: where they hold any role."""
    return sorted(user_agency_roles(user=user))


@dataclass(frozen=True)
class Dashboard:
    """The one-stop unit's postal work: counts, a short list of each, money outstanding."""

    collections_due: int = 0
    collections: list[Order] = field(default_factory=list)
    not_recounted: int = 0
    packages: list[HandoverLine] = field(default_factory=list)
    awaiting_pickup: int = 0
    pickups: list[Order] = field(default_factory=list)
    failed: int = 0
    failures: list[Order] = field(default_factory=list)
    money: list[MoneyRow] = field(default_factory=list)

    @property
    def owed(self) -> int:
        return sum(row.owed_at_end for row in self.money)


def postal_dashboard(*, user: AnyUser, today: dt.date | None = None) -> Dashboard:
    """Return the postal work of ``user``'s one-stop units; a fixed number of queries.

    Collections due (requested or registered, by wanted date), packages the
    post handed over that nobody recounted yet, results waiting for the
    post's pickup, failed deliveries not re-sent, and (for receiving
    officers and accountants) what the post owes.
    """
    units = postal_units_of(user)
    if not units:
        return Dashboard()
    today = today or timezone.localdate()
    orders = Order.objects.filter(unit__in=units)
    collections = orders.filter(service=Service.COLLECTION, state__in=COLLECTIONS_DUE)
    pickups = orders.filter(service=Service.DELIVERY, state__in=AWAITING_PICKUP)
    failures = orders.filter(service=Service.DELIVERY, state__in=FAILED, next__isnull=True)
    # Only the open orders are read (the index on unit, service and state finds them).
    counts = orders.filter(
        Q(service=Service.COLLECTION, state__in=COLLECTIONS_DUE)
        | Q(service=Service.DELIVERY, state__in=AWAITING_PICKUP + FAILED)
    ).aggregate(
        due=Count("id", filter=Q(service=Service.COLLECTION, state__in=COLLECTIONS_DUE)),
        pickup=Count("id", filter=Q(service=Service.DELIVERY, state__in=AWAITING_PICKUP)),
        failed=Count("id", filter=Q(service=Service.DELIVERY, state__in=FAILED, next__isnull=True)),
    )
    lines = HandoverLine.objects.filter(
        handover__unit__in=units, handover__direction=Direction.TO_UNIT, recounted=False
    )
    listed = ("unit", "procedure", "dossier")
    money_scope = [u for u in money_units(user) if u in units]
    return Dashboard(
        collections_due=counts["due"],
        collections=list(
            collections.select_related(*listed).order_by(
                F("wanted_on").asc(nulls_last=True), "created_at"
            )[:DASHBOARD_LIST]
        ),
        not_recounted=lines.count(),
        packages=list(
            lines.select_related("handover", "order", "order__procedure").order_by(
                "handover__created_at", "id"
            )[:DASHBOARD_LIST]
        ),
        awaiting_pickup=counts["pickup"],
        pickups=list(
            pickups.select_related(*listed).order_by(
                F("wanted_on").asc(nulls_last=True), "created_at"
            )[:DASHBOARD_LIST]
        ),
        failed=counts["failed"],
        failures=list(failures.select_related(*listed).order_by("changed_at")[:DASHBOARD_LIST]),
        money=[
            row
            for row in money_statement(units=money_scope, start=dt.date(2000, 1, 1), end=today)
            if row.owed_at_end
        ]
        if money_scope
        else [],
    )


# Statistics (issue 13): from these records only.


def received_by_post(units: list[int], start: dt.date, end: dt.date) -> QuerySet[Dossier]:
    """Return the channel-3 dossiers ``units`` received in ``[start, end]`` (local days)."""
    since, until = day_bounds(start, end)
    return Dossier.objects.filter(
        channel=Channel.POST,
        receiving_unit__in=units,
        received_at__gte=since,
        received_at__lt=until,
    )


def returned_by_post(units: list[int], start: dt.date, end: dt.date) -> QuerySet[Dossier]:
    """Return the dossiers whose result the post delivered in ``[start, end]``, each once.

    A result first failed then re-sent and delivered counts once, on the
    day it was delivered; a failed delivery never delivered does not count.
    """
    since, until = day_bounds(start, end)
    return Dossier.objects.filter(
        pk__in=Order.objects.filter(
            service=Service.DELIVERY,
            state=OrderState.DELIVERED,
            unit__in=units,
            delivered_at__gte=since,
            delivered_at__lt=until,
            dossier__isnull=False,
        ).values("dossier")
    )


def postal_collections(units: list[int], start: dt.date, end: dt.date) -> QuerySet[Order]:
    """Return the collections the post made for ``units`` in ``[start, end]`` (by collection day).

    A refused or cancelled collection was never collected, so it is not here.
    """
    since, until = day_bounds(start, end)
    return Order.objects.filter(
        service=Service.COLLECTION,
        unit__in=units,
        collected_at__gte=since,
        collected_at__lt=until,
    ).exclude(state__in=(OrderState.REFUSED, OrderState.CANCELLED))


def postal_figures(units: list[int], start: dt.date, end: dt.date) -> dict[str, int]:
    """Return the three counts of the period: received, returned, collected by post."""
    return {
        "received": received_by_post(units, start, end).count(),
        "returned": returned_by_post(units, start, end).count(),
        "collected": postal_collections(units, start, end).count(),
    }


# The procedures the post may not carry, as each agency publishes them.


@dataclass(frozen=True)
class AgencyExclusions:
    agency: Agency
    not_collected: list[Procedure]
    not_returned: list[Procedure]


def post_exclusions(*, agency: str = "") -> list[AgencyExclusions]:
    """Return per agency the published procedures the post may not collect or return; one query.

    ``agency`` (an agency's code) keeps that agency only.
    """
    rows = (
        Procedure.objects.filter(is_published=True)
        .filter(Q(accepts_post=False) | Q(returns_by_post=False))
        .select_related("agency")
        .only("code", "name", "accepts_post", "returns_by_post", "agency__code", "agency__name")
        .order_by("agency__name", "agency_id", "name")
    )
    if agency:
        rows = rows.filter(agency__code=agency)
    out = []
    for _agency_id, group in groupby(rows, key=lambda p: p.agency_id):
        procedures = list(group)
        out.append(
            AgencyExclusions(
                agency=procedures[0].agency,
                not_collected=[p for p in procedures if not p.accepts_post],
                not_returned=[p for p in procedures if not p.returns_by_post],
            )
        )
    return out
