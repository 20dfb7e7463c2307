"""The register books (form 07) and the numbers of official documents: allocated under a lock."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Dossier, OfficialKind, RegisterBook
from motcua.dossiers.services import (
    UNKNOWN_DOCUMENT_KIND,
    ReceivedComponent,
    dossier_register_entry,
    official_number_issue,
)
from motcua.staff.models import Role
from motcua.testing import (
    AgencyFactory,
    Cast,
    DossierFactory,
    OneStopUnitFactory,
    ProcedureFactory,
    StaffRoleFactory,
    UserFactory,
    cast_create,
)
from motcua.workflow import services
from motcua.workflow.services import CounterDecision

VN = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return cast_create()


def waiting(cast: Cast, unit: Any = None) -> Dossier:
    """Return an online dossier of ``unit`` (the cast's by default) waiting for intake."""
    procedure = ProcedureFactory(agency=cast.agency)
    return DossierFactory(procedure=procedure, receiving_unit=unit or cast.unit)


def entry(dossier: Dossier) -> tuple[int | None, int | None]:
    dossier.refresh_from_db()
    book = dossier.register_book
    return (book.year if book else None), dossier.register_entry


def test_accepted_dossiers_are_numbered_from_1_in_each_book_of_their_unit(cast: Cast) -> None:
    other_unit = OneStopUnitFactory()
    other_officer = UserFactory(username="thu")
    StaffRoleFactory(user=other_officer, role=Role.RECEIVING_OFFICER, agency=other_unit)
    ours = [waiting(cast) for _ in range(3)]
    theirs = waiting(cast, other_unit)
    at = dt.datetime(2026, 6, 1, 9, 0, tzinfo=VN)

    for dossier in ours:
        services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=at)
    services.dossier_accept(dossier=theirs, actor=other_officer, now=at)

    assert [entry(d) for d in ours] == [(2026, 1), (2026, 2), (2026, 3)]
    assert entry(theirs) == (2026, 1)
    assert {b.unit_id: b.last_entry for b in RegisterBook.objects.all()} == {
        cast.unit.pk: 3,
        other_unit.pk: 1,
    }


def test_a_new_year_opens_a_new_book_from_1_by_the_local_date(cast: Cast) -> None:
    last_of_year, first_of_next = waiting(cast), waiting(cast)
    # 23:30 on 31 December in Vietnam; 00:30 on 1 January is still 2026 in UTC.
    services.dossier_accept(
        dossier=last_of_year,
        actor=cast.receiving_officer,
        now=dt.datetime(2026, 12, 31, 23, 30, tzinfo=VN),
    )
    services.dossier_accept(
        dossier=first_of_next,
        actor=cast.receiving_officer,
        now=dt.datetime(2027, 1, 1, 0, 30, tzinfo=VN),
    )
    assert entry(last_of_year) == (2026, 1)
    assert entry(first_of_next) == (2027, 1)


def test_refused_and_unanswered_dossiers_get_no_entry(cast: Cast) -> None:
    refused, asked, untouched, accepted = (waiting(cast) for _ in range(4))
    services.dossier_refuse(dossier=refused, actor=cast.receiving_officer, reasons="Sai mẫu")
    services.dossier_request_supplement(
        dossier=asked, actor=cast.receiving_officer, missing=["Tờ khai"], reason="Thiếu"
    )
    services.dossier_accept(dossier=accepted, actor=cast.receiving_officer)

    assert [entry(d) for d in (refused, asked, untouched)] == [(None, None)] * 3
    assert entry(accepted)[1] == 1  # the refusal and the request took no number


def test_a_dossier_accepted_after_a_supplement_gets_the_next_entry(cast: Cast) -> None:
    first, second = waiting(cast), waiting(cast)
    services.dossier_request_supplement(
        dossier=first, actor=cast.receiving_officer, missing=["Tờ khai"], reason="Thiếu"
    )
    services.dossier_accept(dossier=second, actor=cast.receiving_officer)
    services.dossier_receive_supplement(dossier=first, actor=cast.receiving_officer)
    services.dossier_accept(dossier=first, actor=cast.receiving_officer)
    assert (entry(second)[1], entry(first)[1]) == (1, 2)


def test_counter_intake_enters_an_accepted_dossier_only(cast: Cast) -> None:
    procedure = ProcedureFactory(agency=cast.agency)
    assert procedure.current_version is not None
    required = procedure.current_version.components.get(is_required=True)
    data = {
        "applicant_name": "Trần Thị Mai",
        "applicant_id_number": "048190001234",
        "applicant_phone": "0905123456",
        "applicant_address": "12 Lê Lợi, Đà Nẵng",
        "delivery": "counter",
    }

    def intake(decision: CounterDecision) -> Dossier:
        return services.dossier_counter_intake(
            actor=cast.receiving_officer,
            unit=cast.unit,
            procedure_code=procedure.code,
            data=data,
            received=[ReceivedComponent(required.pk, originals=1)],
            decision=decision,
        )

    refused = intake(CounterDecision("refuse", reason="Không thuộc thẩm quyền"))
    accepted = intake(CounterDecision("accept"))
    assert entry(refused) == (None, None)
    assert entry(accepted)[1] == 1


def test_an_entry_rolled_back_with_its_acceptance_is_given_again(cast: Cast) -> None:
    dossier, other = waiting(cast), waiting(cast)
    at = dt.datetime(2026, 6, 1, 9, 0, tzinfo=VN)
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier_register_entry(dossier=dossier, at=at)
        assert dossier.register_entry == 1
        raise RuntimeError("the acceptance failed after the entry")
    dossier_register_entry(dossier=other, at=at)
    assert entry(other) == (2026, 1)
    assert entry(dossier) == (None, None)


def test_a_dossier_keeps_its_entry_when_entered_again(cast: Cast) -> None:
    dossier = waiting(cast)
    at = dt.datetime(2026, 6, 1, 9, 0, tzinfo=VN)
    dossier_register_entry(dossier=dossier, at=at)
    dossier_register_entry(dossier=dossier, at=at + dt.timedelta(days=400))
    assert entry(dossier) == (2026, 1)
    assert RegisterBook.objects.get().last_entry == 1


# --- The migration from the per-day numbers -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_enters_the_dossiers_accepted_before_it_and_goes_back() -> None:
    from django.db.migrations.executor import MigrationExecutor

    from motcua.dossiers.models import DossierEvent, EventKind, Status

    cast = cast_create()
    other_unit = OneStopUnitFactory()

    def accepted(unit: Any, at: dt.datetime, code: str) -> Dossier:
        dossier = DossierFactory(code=code, procedure=ProcedureFactory(), receiving_unit=unit)
        DossierEvent.objects.create(
            dossier=dossier, at=at, kind=EventKind.ACCEPTED, to_status=Status.ACCEPTED
        )
        return dossier

    late_2025 = accepted(cast.unit, dt.datetime(2025, 12, 31, 23, 0, tzinfo=VN), "U-251231-0007")
    second = accepted(cast.unit, dt.datetime(2026, 1, 2, 8, 0, tzinfo=VN), "U-260102-0003")
    first = accepted(cast.unit, dt.datetime(2026, 1, 1, 0, 30, tzinfo=VN), "U-260101-0012")
    elsewhere = accepted(other_unit, dt.datetime(2026, 1, 3, 8, 0, tzinfo=VN), "V-260103-0001")
    refused = DossierFactory(code="U-260104-0002", receiving_unit=cast.unit)
    DossierEvent.objects.create(
        dossier=refused,
        at=dt.datetime(2026, 1, 4, tzinfo=VN),
        kind=EventKind.REFUSED,
        to_status=Status.NOT_ACCEPTED,
    )
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("dossiers", "0012_fill_access")])
        with connection.cursor() as cursor:
            cursor.execute("SELECT code, register_number FROM dossiers_dossier ORDER BY code")
            assert dict(cursor.fetchall())["U-260101-0012"] == 12  # back from the code
        executor.loader.build_graph()
        executor.migrate([("dossiers", "0013_register_books")])
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert [entry(d) for d in (late_2025, first, second, elsewhere, refused)] == [
        (2025, 1),
        (2026, 1),  # in the order accepted, not the order created
        (2026, 2),
        (2026, 1),
        (None, None),
    ]
    assert RegisterBook.objects.get(unit=cast.unit, year=2026).last_entry == 2


# --- Numbers of official documents (Decree 30/2020/NĐ-CP) -----------------------------------------


def test_official_numbers_run_per_agency_year_and_kind_with_the_notation() -> None:
    justice = AgencyFactory(name="Sở Tư pháp", notation="STP")
    building = AgencyFactory(name="Sở Xây dựng", notation="SXD")
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN)
    issued = [
        official_number_issue(agency=justice, kind=OfficialKind.LETTER, at=at),
        official_number_issue(agency=justice, kind=OfficialKind.LETTER, at=at),
        official_number_issue(agency=justice, kind=OfficialKind.NOTICE, at=at),
        official_number_issue(agency=building, kind="CV", at=at),
        official_number_issue(
            agency=justice, kind=OfficialKind.LETTER, at=dt.datetime(2027, 1, 1, 0, 5, tzinfo=VN)
        ),
    ]
    assert issued == ["01/CV-STP", "02/CV-STP", "01/TB-STP", "01/CV-SXD", "01/CV-STP"]


def test_an_agency_without_a_notation_numbers_with_the_kind_only() -> None:
    agency = AgencyFactory(notation="")
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN)
    assert official_number_issue(agency=agency, kind=OfficialKind.NOTICE, at=at) == "01/TB"


def test_numbers_past_99_are_not_cut() -> None:
    agency = AgencyFactory(notation="UBND")
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN)
    numbers = [official_number_issue(agency=agency, kind="TB", at=at) for _ in range(100)]
    assert numbers[8:10] == ["09/TB-UBND", "10/TB-UBND"]
    assert numbers[-1] == "100/TB-UBND"


def test_an_unknown_kind_of_document_is_refused() -> None:
    agency = AgencyFactory(notation="STP")
    with pytest.raises(ValidationFailed) as caught:
        official_number_issue(agency=agency, kind="QĐ", at=dt.datetime(2026, 3, 2, tzinfo=VN))
    assert caught.value.message == UNKNOWN_DOCUMENT_KIND


# --- Concurrency (PostgreSQL) ---------------------------------------------------------------------


def race(calls: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    """Run ``calls`` in threads released at once; return their results and errors."""
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(calls))

    def worker(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results.append(call())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_get_distinct_consecutive_entries() -> None:
    cast = cast_create()
    officers = [cast.receiving_officer]
    for n in range(7):
        officer = UserFactory(username=f"officer{n}")
        StaffRoleFactory(user=officer, role=Role.RECEIVING_OFFICER, agency=cast.unit)
        officers.append(officer)
    dossiers = [waiting(cast) for _ in officers]

    accepted, errors = race(
        [
            partial(services.dossier_accept, dossier=d, actor=o)
            for d, o in zip(dossiers, officers, strict=True)
        ]
    )

    assert (len(accepted), errors) == (8, [])
    entries = sorted(entry(d)[1] or 0 for d in dossiers)
    assert entries == list(range(1, 9))
    assert RegisterBook.objects.get().last_entry == 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_numbering_gives_each_document_its_own_number() -> None:
    agency = AgencyFactory(notation="STP")
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN)

    def issue() -> str:
        with transaction.atomic():
            return official_number_issue(agency=agency, kind=OfficialKind.LETTER, at=at)

    results, errors = race([issue] * 8)

    assert errors == []
    assert sorted(results) == [f"{n:02d}/CV-STP" for n in range(1, 9)]
