"""The one-stop unit's postal dashboard: what waits, scoped to the officer's units, in a fixed
number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.postal.models import Direction, Handover, HandoverLine, Order, OrderState, Service
from motcua.postal.selectors import postal_dashboard
from motcua.staff.models import Role
from motcua.testing import (
    DossierFactory,
    OneStopUnitFactory,
    PostalOrderFactory,
    PostalUnitFactory,
    ProcedureFactory,
    StaffRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def place() -> dict[str, Any]:
    unit = OneStopUnitFactory()
    other = OneStopUnitFactory()
    post = PostalUnitFactory(code="BC-A", serves=[unit, other])
    officer = UserFactory(username="binh")
    specialist = UserFactory(username="chi")
    StaffRoleFactory(user=officer, role=Role.RECEIVING_OFFICER, agency=unit)
    StaffRoleFactory(user=specialist, role=Role.SPECIALIST, agency=unit)
    return {
        "unit": unit,
        "other": other,
        "post": post,
        "officer": officer,
        "specialist": specialist,
        "procedure": ProcedureFactory(),
    }


def _work(place: dict[str, Any], unit: Any, n: int) -> None:
    """Give ``unit`` ``n`` of each kind of postal work (and some that is not work)."""
    procedure, post = place["procedure"], place["post"]
    for i in range(n):
        PostalOrderFactory(
            unit=unit,
            procedure=procedure,
            postal_unit=post,
            wanted_on=dt.date(2026, 12, 20 - i),
            state=OrderState.REGISTERED if i % 2 else OrderState.REQUESTED,
        )
        dossier = DossierFactory(procedure=procedure, receiving_unit=unit)
        PostalOrderFactory(
            unit=unit,
            procedure=procedure,
            dossier=dossier,
            service=Service.DELIVERY,
            state=OrderState.REGISTERED,
        )
        failed = PostalOrderFactory(
            unit=unit,
            procedure=procedure,
            dossier=dossier,
            service=Service.DELIVERY,
            state=OrderState.RETURNED,
            failure_reason="Không có người nhận",
        )
        if i == 0:  # re-sent: handled
            PostalOrderFactory(
                unit=unit,
                procedure=procedure,
                dossier=dossier,
                service=Service.DELIVERY,
                state=OrderState.IN_TRANSIT,
                previous=failed,
            )
        handed = PostalOrderFactory(
            unit=unit, procedure=procedure, postal_unit=post, state=OrderState.HANDED_OVER
        )
        record = Handover.objects.create(
            direction=Direction.TO_UNIT,
            number=f"BBGN-{Handover.objects.count() + 1}",
            unit=unit,
            postal_unit=post,
            worker_name="Nguyễn Văn Bưu",
            officer=place["officer"],
            created_at=timezone.now(),
        )
        HandoverLine.objects.create(handover=record, order=handed)
        PostalOrderFactory(  # collected and received: nothing to do
            unit=unit,
            procedure=procedure,
            postal_unit=post,
            state=OrderState.RECEIVED,
            collected_at=timezone.now(),
            fees_collected=10_000,
        )


def test_the_dashboard_counts_and_lists_the_work_of_the_officers_units(
    place: dict[str, Any],
) -> None:
    _work(place, place["unit"], 3)
    _work(place, place["other"], 2)

    board = postal_dashboard(user=place["officer"])

    assert board.collections_due == 3
    assert [o.wanted_on for o in board.collections] == [
        dt.date(2026, 12, 18),
        dt.date(2026, 12, 19),
        dt.date(2026, 12, 20),
    ]
    assert board.not_recounted == 3
    assert board.awaiting_pickup == 3
    assert board.failed == 2  # the first one was re-sent
    assert all(o.unit == place["unit"] for o in board.collections + board.pickups)
    assert [row.owed_at_end for row in board.money] == [30_000]
    assert board.owed == 30_000


def test_a_specialist_sees_the_work_but_not_the_money(place: dict[str, Any]) -> None:
    _work(place, place["unit"], 1)

    board = postal_dashboard(user=place["specialist"])

    assert board.collections_due == 1
    assert board.money == []


def test_someone_without_a_role_sees_nothing(place: dict[str, Any]) -> None:
    _work(place, place["unit"], 1)

    board = postal_dashboard(user=UserFactory(username="an"))

    assert (board.collections_due, board.not_recounted, board.failed) == (0, 0, 0)


def test_the_dashboard_costs_the_same_queries_for_one_or_many(
    place: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    _work(place, place["unit"], 1)
    officer = place["officer"]
    with django_assert_max_num_queries(11) as few:
        postal_dashboard(user=officer)
    _work(place, place["unit"], 12)
    officer.refresh_from_db()
    officer.__dict__.pop("_motcua_agency_roles", None)

    with django_assert_max_num_queries(len(few.captured_queries)):
        board = postal_dashboard(user=officer)

    assert board.collections_due == 13
    assert len(board.collections) == 8


def test_the_page_shows_the_counts_and_links_to_the_other_pages(place: dict[str, Any]) -> None:
    _work(place, place["unit"], 2)
    client = Client()
    client.force_login(place["officer"])

    response = client.get(reverse("postal_staff:dashboard"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "/can-bo/buu-chinh/nhan/" in body and "/can-bo/buu-chinh/gui/" in body
    assert reverse("postal_staff:money") in body
    requested = Order.objects.filter(unit=place["unit"], state=OrderState.REQUESTED)
    assert requested[0].number in body
    assert "Không có người nhận" in body


def test_the_page_hides_the_money_from_a_specialist(place: dict[str, Any]) -> None:
    client = Client()
    client.force_login(place["specialist"])

    response = client.get(reverse("postal_staff:dashboard"))

    assert response.status_code == 200
    assert reverse("postal_staff:money") not in response.content.decode()


def test_the_page_is_for_staff(place: dict[str, Any]) -> None:
    client = Client()
    assert client.get(reverse("postal_staff:dashboard")).status_code == 302
    client.force_login(UserFactory(username="an"))
    assert client.get(reverse("postal_staff:dashboard")).status_code == 403
