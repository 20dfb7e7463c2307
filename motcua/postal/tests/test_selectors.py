"""Reads: charges, the statistics of issue 13, and the procedures the post may not carry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers.models import Channel
from motcua.postal import selectors
from motcua.postal.models import OrderState, Service, Tariff
from motcua.testing import (
    AgencyFactory,
    DossierFactory,
    OneStopUnitFactory,
    PostalOrderFactory,
    ProcedureFactory,
)

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_the_charge_is_the_latest_valid_on_the_day() -> None:
    for day, amount in ((dt.date(2017, 11, 15), 20_000), (dt.date(2026, 1, 1), 22_000)):
        Tariff.objects.create(
            service=Service.COLLECTION, zone=Tariff.Zone.PROVINCE, amount=amount, valid_from=day
        )
    Tariff.objects.create(
        service=Service.DELIVERY,
        zone=Tariff.Zone.PROVINCE,
        amount=30_000,
        valid_from=dt.date(2026, 1, 1),
    )

    def charge(on: dt.date) -> int | None:
        found = selectors.tariff_for(service=Service.COLLECTION, zone="province", on=on)
        return found.amount if found else None

    assert charge(dt.date(2017, 1, 1)) is None
    assert charge(dt.date(2017, 11, 15)) == 20_000
    assert charge(dt.date(2025, 12, 31)) == 20_000
    assert charge(dt.date(2026, 1, 1)) == 22_000
    assert [t.amount for t in selectors.tariffs_on(on=dt.date(2026, 6, 1))] == [22_000, 30_000]


@pytest.fixture
def units() -> tuple[Any, Any, Any]:
    return OneStopUnitFactory(), OneStopUnitFactory(), ProcedureFactory()


def test_received_by_post_counts_the_channel_3_dossiers_of_the_period(
    units: tuple[Any, Any, Any],
) -> None:
    unit, other, procedure = units

    def dossier(day: dt.date, channel: int = Channel.POST, where: Any = unit) -> Any:
        return DossierFactory(
            procedure=procedure,
            receiving_unit=where,
            channel=channel,
            submitted_at=at(day),
            received_at=at(day),
        )

    inside = [dossier(START), dossier(END)]
    dossier(END + dt.timedelta(days=1))
    dossier(START - dt.timedelta(days=1))
    dossier(START, channel=Channel.ONLINE)
    dossier(START, where=other)

    found = selectors.received_by_post([unit.pk], START, END)

    assert sorted(found.values_list("pk", flat=True)) == sorted(d.pk for d in inside)


def test_returned_by_post_counts_each_delivered_dossier_once(
    units: tuple[Any, Any, Any],
) -> None:
    unit, other, procedure = units
    resent, once, failed, late = (
        DossierFactory(procedure=procedure, receiving_unit=unit) for _ in range(4)
    )

    def delivery(dossier: Any, state: str, day: dt.date | None, **kw: Any) -> Any:
        return PostalOrderFactory(
            unit=kw.pop("unit", unit),
            procedure=procedure,
            dossier=dossier,
            service=Service.DELIVERY,
            state=state,
            delivered_at=at(day) if day else None,
            **kw,
        )

    first = delivery(resent, OrderState.RETURNED, None, failure_reason="Vắng nhà")
    delivery(resent, OrderState.DELIVERED, START + dt.timedelta(days=3), previous=first)
    delivery(once, OrderState.DELIVERED, START)
    delivery(failed, OrderState.FAILED, None)
    delivery(late, OrderState.DELIVERED, END + dt.timedelta(days=1))
    delivery(
        DossierFactory(procedure=procedure, receiving_unit=other),
        OrderState.DELIVERED,
        START,
        unit=other,
    )

    found = selectors.returned_by_post([unit.pk], START, END)

    assert sorted(found.values_list("pk", flat=True)) == sorted([resent.pk, once.pk])
    assert selectors.postal_figures([unit.pk], START, END)["returned"] == 2


def test_postal_collections_are_those_collected_in_the_period(
    units: tuple[Any, Any, Any],
) -> None:
    unit, _other, procedure = units

    def collection(state: str, day: dt.date | None) -> Any:
        return PostalOrderFactory(
            unit=unit, procedure=procedure, state=state, collected_at=at(day) if day else None
        )

    kept = [
        collection(OrderState.COLLECTED, START),
        collection(OrderState.RECEIVED, END),
    ]
    collection(OrderState.REQUESTED, None)
    collection(OrderState.REFUSED, START)
    collection(OrderState.COLLECTED, END + dt.timedelta(days=1))

    found = selectors.postal_collections([unit.pk], START, END)

    assert sorted(found.values_list("pk", flat=True)) == sorted(o.pk for o in kept)
    assert selectors.postal_figures([unit.pk], START, END) == {
        "received": 0,
        "returned": 0,
        "collected": 2,
    }


def test_the_exclusions_list_per_agency_what_the_post_may_not_carry(
    django_assert_num_queries: Any,
) -> None:
    justice, building = AgencyFactory(name="A Sở Tư pháp"), AgencyFactory(name="B Sở Xây dựng")
    ProcedureFactory(agency=justice, name="Carried both ways")
    no_collect = ProcedureFactory(agency=justice, name="Not collected", accepts_post=False)
    no_return = ProcedureFactory(agency=building, name="Not returned", returns_by_post=False)
    ProcedureFactory(agency=building, name="Unpublished", accepts_post=False, is_published=False)

    with django_assert_num_queries(1):
        groups = selectors.post_exclusions()

    assert [(g.agency, g.not_collected, g.not_returned) for g in groups] == [
        (justice, [no_collect], []),
        (building, [], [no_return]),
    ]
    assert [g.agency for g in selectors.post_exclusions(agency=building.code)] == [building]


def test_the_public_page_lists_them() -> None:
    justice = AgencyFactory(name="Sở Tư pháp")
    ProcedureFactory(agency=justice, name="Cấp bản sao trích lục", accepts_post=False)

    response = Client().get(reverse("postal:not-carried"))
    filtered = Client().get(reverse("postal:not-carried"), {"co-quan": "không-có"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Sở Tư pháp" in body and "Cấp bản sao trích lục" in body
    assert filtered.status_code == 200
    assert "Cấp bản sao trích lục" not in filtered.content.decode()
