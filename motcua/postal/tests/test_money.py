"""Money with the post: the statement, the remittances and the back-office page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from motcua.organisation.models import Agency
from motcua.postal import money
from motcua.postal.models import (
    Direction,
    Handover,
    Order,
    OrderState,
    PostalUnit,
    Remittance,
    Service,
)
from motcua.staff.models import Role
from motcua.testing import (
    OneStopUnitFactory,
    PostalOrderFactory,
    PostalUnitFactory,
    ProcedureFactory,
    StaffRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 10)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@dataclass
class World:
    unit: Agency
    other_unit: Agency
    post: PostalUnit
    other_post: PostalUnit
    officer: Any
    accountant: Any
    specialist: Any
    outsider: Any


@pytest.fixture
def w() -> World:
    unit = OneStopUnitFactory(name="Trung tâm A")
    other_unit = OneStopUnitFactory(name="Trung tâm B")
    post = PostalUnitFactory(code="BC-A", serves=[unit])
    other_post = PostalUnitFactory(code="BC-B", serves=[other_unit])
    officer, accountant, specialist, outsider = (
        UserFactory(username=name) for name in ("binh", "ke-toan", "chi", "giang")
    )
    StaffRoleFactory(user=officer, role=Role.RECEIVING_OFFICER, agency=unit)
    StaffRoleFactory(user=accountant, role=Role.ACCOUNTANT, agency=unit)
    StaffRoleFactory(user=specialist, role=Role.SPECIALIST, agency=unit)
    StaffRoleFactory(user=outsider, role=Role.RECEIVING_OFFICER, agency=other_unit)
    return World(unit, other_unit, post, other_post, officer, accountant, specialist, outsider)


def collected(w: World, day: dt.date, fees: int, charge: int = 20_000, **kw: Any) -> Order:
    procedure = kw.pop("procedure", None) or ProcedureFactory()
    return PostalOrderFactory(
        unit=kw.pop("unit", w.unit),
        postal_unit=kw.pop("post", w.post),
        procedure=procedure,
        state=OrderState.COLLECTED,
        collected_at=at(day),
        fees_collected=fees,
        charge_collected=charge,
        **kw,
    )


def handover(w: World, day: dt.date | None, fees: int, **kw: Any) -> Handover:
    return Handover.objects.create(
        direction=kw.pop("direction", Direction.TO_UNIT),
        number=kw.pop("number", f"BBGN-{Handover.objects.count() + 1}"),
        unit=kw.pop("unit", w.unit),
        postal_unit=kw.pop("post", w.post),
        worker_name="Nguyễn Văn Bưu",
        officer=w.officer,
        created_at=at(day or DAY),
        signed_at=at(day, 11) if day else None,
        fees_total=fees,
    )


def remit(w: World, day: dt.date, amount: int, reference: str) -> Remittance:
    return Remittance.objects.create(
        postal_unit=w.post,
        unit=w.unit,
        amount=amount,
        paid_on=day,
        bank_reference=reference,
        recorded_by=w.accountant,
        recorded_at=at(day),
    )


def test_the_statement_adds_up_what_was_collected_handed_over_and_remitted(w: World) -> None:
    procedure = ProcedureFactory()
    collected(w, DAY, 50_000, procedure=procedure)
    collected(w, DAY + dt.timedelta(days=1), 30_000, procedure=procedure)
    PostalOrderFactory(  # a result delivered cash on delivery: counted when delivered
        unit=w.unit,
        postal_unit=w.post,
        procedure=procedure,
        service=Service.DELIVERY,
        state=OrderState.DELIVERED,
        collected_at=at(DAY - dt.timedelta(days=3)),
        delivered_at=at(DAY),
        fees_collected=10_000,
        charge_collected=25_000,
    )
    collected(w, DAY - dt.timedelta(days=20), 40_000, procedure=procedure)  # before the period
    collected(w, DAY + dt.timedelta(days=40), 99_000, procedure=procedure)  # after it
    PostalOrderFactory(unit=w.unit, postal_unit=w.post, procedure=procedure, fees_amount=5_000)
    handover(w, DAY, 50_000)
    handover(w, None, 30_000)  # not signed: nothing handed over yet
    handover(w, DAY, 7_000, direction=Direction.TO_POST)  # results: no fees
    handover(w, DAY - dt.timedelta(days=20), 40_000)
    remit(w, DAY + dt.timedelta(days=2), 20_000, "FT001")

    [row] = money.money_statement(units=[w.unit.pk], start=DAY, end=DAY + dt.timedelta(days=5))

    assert row.postal_unit == w.post
    assert row.unit == w.unit
    assert row.orders == 3
    assert row.fees_collected == 90_000
    assert row.charges_collected == 65_000
    assert row.handed_over == 50_000
    assert row.remitted == 20_000
    assert row.outstanding == 20_000
    assert row.owed_at_end == 20_000  # the earlier 40,000 was handed over


def test_what_was_not_handed_over_before_the_period_is_still_owed_at_its_end(w: World) -> None:
    collected(w, DAY - dt.timedelta(days=20), 40_000)

    [row] = money.money_statement(units=[w.unit.pk], start=DAY, end=DAY)

    assert (row.fees_collected, row.outstanding, row.owed_at_end) == (0, 0, 40_000)


def test_the_statement_shows_only_the_units_asked_with_every_postal_unit_serving_them(
    w: World,
) -> None:
    collected(w, DAY, 10_000, unit=w.other_unit, post=w.other_post)
    idle = PostalUnitFactory(code="BC-C", serves=[w.unit])

    rows = money.money_statement(units=[w.unit.pk], start=DAY, end=DAY)

    assert [(r.postal_unit, r.fees_collected) for r in rows] == [(w.post, 0), (idle, 0)]


def test_a_postal_unit_no_longer_serving_keeps_its_row_while_money_is_on_record(w: World) -> None:
    collected(w, DAY, 10_000, post=w.other_post)

    rows = money.money_statement(units=[w.unit.pk], start=DAY, end=DAY)

    assert {(r.postal_unit.code, r.fees_collected) for r in rows} == {
        ("BC-A", 0),
        ("BC-B", 10_000),
    }


def test_the_statement_costs_four_queries_however_many_records(
    w: World, django_assert_num_queries: Any
) -> None:
    procedure = ProcedureFactory()
    for i in range(6):
        collected(w, DAY, 1_000 * i, procedure=procedure)
        handover(w, DAY, 500)
        remit(w, DAY, 100, f"FT{i}")
        PostalUnitFactory(serves=[w.unit])

    with django_assert_num_queries(4):
        rows = money.money_statement(units=[w.unit.pk], start=DAY, end=DAY)

    assert len(rows) == 7


def test_a_period_that_ends_before_it_starts_is_refused(w: World) -> None:
    with pytest.raises(ValidationFailed):
        money.money_statement(units=[w.unit.pk], start=DAY, end=DAY - dt.timedelta(days=1))


# Remittances.


def test_an_accountant_records_a_remittance_with_its_audit_entry(w: World) -> None:
    collected(w, DAY, 50_000)

    remittance = money.remittance_record(
        actor=w.accountant,
        postal_unit=w.post,
        unit=w.unit,
        amount=30_000,
        paid_on=DAY,
        bank_reference=" FT26314 ",
        note="Chuyển khoản tháng 11",
    )

    assert remittance.bank_reference == "FT26314"
    assert remittance.recorded_by == w.accountant
    entry = AuditEntry.objects.get(action="postal.remittance.record")
    assert entry.actor == w.accountant
    assert entry.object_id == str(remittance.pk)
    assert entry.after is not None and entry.after["amount"] == 30_000
    assert money.owed_now(postal_unit=w.post.pk, unit=w.unit.pk) == 20_000


def test_a_receiving_officer_may_record_one_too(w: World) -> None:
    collected(w, DAY, 50_000)

    money.remittance_record(
        actor=w.officer, postal_unit=w.post, unit=w.unit, amount=50_000, paid_on=DAY,
        bank_reference="FT1",
    )  # fmt: skip

    assert money.owed_now(postal_unit=w.post.pk, unit=w.unit.pk) == 0


@pytest.mark.parametrize("who", ["specialist", "outsider"])
def test_nobody_else_records_a_remittance(w: World, who: str) -> None:
    collected(w, DAY, 50_000)

    with pytest.raises(Forbidden):
        money.remittance_record(
            actor=getattr(w, who), postal_unit=w.post, unit=w.unit, amount=1_000, paid_on=DAY,
            bank_reference="FT1",
        )  # fmt: skip

    assert not Remittance.objects.exists()
    assert not AuditEntry.objects.filter(action="postal.remittance.record").exists()


def test_a_remittance_cannot_be_more_than_the_post_owes(w: World) -> None:
    collected(w, DAY, 50_000)
    handover(w, DAY, 30_000)

    with pytest.raises(ValidationFailed) as caught:
        money.remittance_record(
            actor=w.accountant, postal_unit=w.post, unit=w.unit, amount=20_001, paid_on=DAY,
            bank_reference="FT1",
        )  # fmt: skip

    assert "20.000" in str(caught.value.message)
    assert "amount" in caught.value.field_errors
    assert not Remittance.objects.exists()


def test_the_same_bank_reference_is_not_recorded_twice(w: World) -> None:
    collected(w, DAY, 50_000)
    remit(w, DAY, 10_000, "FT1")

    with pytest.raises(Conflict):
        money.remittance_record(
            actor=w.accountant, postal_unit=w.post, unit=w.unit, amount=10_000, paid_on=DAY,
            bank_reference="FT1",
        )  # fmt: skip

    assert Remittance.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "paid_on", "reference", "field"),
    [
        (0, DAY, "FT1", "amount"),
        (-5, DAY, "FT1", "amount"),
        (1_000, dt.date(2999, 1, 1), "FT1", "paid_on"),
        (1_000, DAY, "   ", "bank_reference"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(
    w: World, amount: int, paid_on: dt.date, reference: str, field: str
) -> None:
    collected(w, DAY, 50_000)

    with pytest.raises(ValidationFailed) as caught:
        money.remittance_record(
            actor=w.accountant, postal_unit=w.post, unit=w.unit, amount=amount,
            paid_on=paid_on, bank_reference=reference,
        )  # fmt: skip

    assert field in caught.value.field_errors
    assert not Remittance.objects.exists()


def test_a_postal_unit_not_serving_the_unit_is_not_found(w: World) -> None:
    with pytest.raises(NotFound):
        money.remittance_record(
            actor=w.accountant, postal_unit=w.other_post, unit=w.unit, amount=1_000,
            paid_on=DAY, bank_reference="FT1",
        )  # fmt: skip


# The page.


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _period(start: dt.date, end: dt.date) -> dict[str, str]:
    return {"tu": start.isoformat(), "den": end.isoformat()}


def test_the_page_shows_the_statement_to_an_accountant(w: World) -> None:
    collected(w, DAY, 123_000)

    response = _client(w.accountant).get(reverse("postal_staff:money"), _period(DAY, DAY))

    assert response.status_code == 200
    body = response.content.decode()
    assert "BC-A" in body and "123.000" in body
    assert "BC-B" not in body


def test_the_page_is_closed_to_a_specialist_and_to_strangers(w: World) -> None:
    assert _client(w.specialist).get(reverse("postal_staff:money")).status_code == 403
    assert Client().get(reverse("postal_staff:money")).status_code == 302


def test_a_bad_period_shows_the_page_with_the_error_and_this_month(w: World) -> None:
    response = _client(w.officer).get(reverse("postal_staff:money"), {"tu": "x", "den": ""})

    assert response.status_code == 200
    assert "error-message" in response.content.decode()


def test_the_statement_downloads_as_csv(w: World) -> None:
    collected(w, DAY, 123_000)

    response = _client(w.officer).get(
        reverse("postal_staff:money"), {**_period(DAY, DAY), "tai": "csv"}
    )

    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("BC-A,")
    assert ",123000," in lines[1]


def test_the_detail_lists_the_orders_and_downloads_them(w: World) -> None:
    order = collected(w, DAY, 45_000, receipt_number="BL-9")
    url = reverse("postal_staff:money-detail", args=[w.post.code, w.unit.code])

    page = _client(w.officer).get(url, _period(DAY, DAY))
    sheet = _client(w.officer).get(url, {**_period(DAY, DAY), "tai": "csv"})

    assert page.status_code == 200
    assert order.number in page.content.decode()
    rows = sheet.content.decode("utf-8-sig").splitlines()
    assert rows[1].startswith(f"{order.number},") and "BL-9" in rows[1]


def test_the_detail_of_another_units_postal_unit_is_not_found(w: World) -> None:
    url = reverse("postal_staff:money-detail", args=[w.other_post.code, w.other_unit.code])

    assert _client(w.officer).get(url).status_code == 404


def test_recording_a_remittance_on_the_page(w: World) -> None:
    collected(w, DAY, 45_000)
    url = reverse("postal_staff:money-detail", args=[w.post.code, w.unit.code])

    response = _client(w.accountant).post(
        f"{url}?tu={DAY}&den={DAY}",
        {"amount": "45000", "paid_on": DAY.isoformat(), "bank_reference": "FT77", "note": ""},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"?tu={DAY}&den={DAY}")
    assert Remittance.objects.get().amount == 45_000


def test_a_remittance_refused_on_the_page_says_why_and_writes_nothing(w: World) -> None:
    collected(w, DAY, 45_000)
    url = reverse("postal_staff:money-detail", args=[w.post.code, w.unit.code])

    too_much = _client(w.accountant).post(
        url, {"amount": "90000", "paid_on": DAY.isoformat(), "bank_reference": "FT77"}
    )
    empty = _client(w.accountant).post(url, {"amount": "", "paid_on": "", "bank_reference": ""})

    assert too_much.status_code == 400
    assert "45.000" in too_much.content.decode()
    assert empty.status_code == 400
    assert not Remittance.objects.exists()
