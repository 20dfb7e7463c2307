from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from motcua.core.errors import Conflict, Forbidden, ValidationFailed
from motcua.core.testing import Cast, DossierFactory, ProcedureFactory, cast_create
from motcua.dossiers.models import Dossier, DossierEvent, DossierState, EventKind, Status
from motcua.workflow import services

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 5 January 2026, a working day.
MONDAY_9 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=HCM)


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def dossier(cast: Cast) -> Dossier:
    procedure = ProcedureFactory(agency=cast.agency)
    return DossierFactory(procedure=procedure, receiving_unit=cast.unit, submitted_at=MONDAY_9)


def snapshot(dossier: Dossier) -> tuple[object, ...]:
    dossier.refresh_from_db()
    return (
        dossier.state,
        dossier.status,
        dossier.due_at,
        dossier.supplement_requests,
        dossier.paused_at,
        DossierEvent.objects.filter(dossier=dossier).count(),
    )


def test_accept_moves_to_accepted_and_recomputes_due_date(cast: Cast, dossier: Dossier) -> None:
    accepted_at = dt.datetime(2026, 1, 6, 10, 0, tzinfo=HCM)

    out = services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=accepted_at)

    out.refresh_from_db()
    assert out.state == DossierState.ACCEPTED
    assert out.status == Status.ACCEPTED
    assert out.received_at == accepted_at
    # 5 working days from Tuesday 10:00 is the next Tuesday 10:00.
    assert out.due_at == dt.datetime(2026, 1, 13, 10, 0, tzinfo=HCM)
    event = DossierEvent.objects.get(dossier=out, kind=EventKind.ACCEPTED)
    assert event.actor == cast.receiving_officer
    assert (event.from_status, event.to_status) == (Status.NEW, Status.ACCEPTED)
    assert (event.from_state, event.to_state) == (DossierState.SUBMITTED, DossierState.ACCEPTED)


def test_accept_twice_is_a_conflict_and_changes_nothing(cast: Cast, dossier: Dossier) -> None:
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=MONDAY_9)
    before = snapshot(dossier)

    with pytest.raises(Conflict) as caught:
        services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)

    assert caught.value.message == services.NOT_WAITING_FOR_INTAKE
    assert snapshot(dossier) == before


@pytest.mark.parametrize("persona", ["applicant", "outsider", "leader"])
def test_accept_by_someone_without_the_role_here_is_forbidden(
    cast: Cast, dossier: Dossier, persona: str
) -> None:
    before = snapshot(dossier)

    with pytest.raises(Forbidden):
        services.dossier_accept(dossier=dossier, actor=getattr(cast, persona))

    assert snapshot(dossier) == before


def test_refuse_records_the_reasons(cast: Cast, dossier: Dossier) -> None:
    out = services.dossier_refuse(
        dossier=dossier, actor=cast.receiving_officer, reasons="Không thuộc thẩm quyền"
    )

    assert (out.state, out.status) == (DossierState.REFUSED, Status.NOT_ACCEPTED)
    assert DossierEvent.objects.get(dossier=out, kind=EventKind.REFUSED).note == (
        "Không thuộc thẩm quyền"
    )


def test_refuse_without_reasons_is_invalid(cast: Cast, dossier: Dossier) -> None:
    before = snapshot(dossier)

    with pytest.raises(ValidationFailed):
        services.dossier_refuse(dossier=dossier, actor=cast.receiving_officer, reasons=" ")

    assert snapshot(dossier) == before


def test_refuse_after_acceptance_is_a_conflict(cast: Cast, dossier: Dossier) -> None:
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    before = snapshot(dossier)

    with pytest.raises(Conflict):
        services.dossier_refuse(dossier=dossier, actor=cast.receiving_officer, reasons="x")

    assert snapshot(dossier) == before


def test_supplement_request_stops_the_clock_and_counts(cast: Cast, dossier: Dossier) -> None:
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=MONDAY_9)
    asked_at = dt.datetime(2026, 1, 6, 9, 0, tzinfo=HCM)

    out = services.dossier_request_supplement(
        dossier=dossier,
        actor=cast.specialist,
        missing=["Giấy chứng sinh"],
        reason="Thiếu bản chính",
        now=asked_at,
    )

    assert (out.state, out.status) == (
        DossierState.SUPPLEMENT_REQUESTED,
        Status.SUPPLEMENT_REQUESTED,
    )
    assert out.paused_at == asked_at
    assert out.supplement_requests == 1
    note = DossierEvent.objects.get(dossier=out, kind=EventKind.SUPPLEMENT_REQUESTED).note
    assert "Giấy chứng sinh" in note


def test_received_supplement_pushes_the_due_date_by_the_paused_working_time(
    cast: Cast, dossier: Dossier
) -> None:
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=MONDAY_9)
    dossier.refresh_from_db()
    due_before = dossier.due_at
    services.dossier_request_supplement(
        dossier=dossier,
        actor=cast.receiving_officer,
        missing=["Tờ khai"],
        reason="Sai thông tin",
        now=dt.datetime(2026, 1, 6, 9, 0, tzinfo=HCM),
    )

    # Two full working days later (Tuesday 9:00 to Thursday 9:00).
    out = services.dossier_receive_supplement(
        dossier=dossier,
        actor=cast.receiving_officer,
        now=dt.datetime(2026, 1, 8, 9, 0, tzinfo=HCM),
    )

    assert (out.state, out.status) == (DossierState.ACCEPTED, Status.ACCEPTED)
    assert out.paused_at is None
    assert out.due_at > due_before
    assert out.due_at == dt.datetime(2026, 1, 14, 9, 0, tzinfo=HCM)


def test_receive_supplement_when_none_was_asked_is_a_conflict(cast: Cast, dossier: Dossier) -> None:
    before = snapshot(dossier)

    with pytest.raises(Conflict) as caught:
        services.dossier_receive_supplement(dossier=dossier, actor=cast.receiving_officer)

    assert caught.value.message == services.NOT_WAITING_FOR_SUPPLEMENT
    assert snapshot(dossier) == before


def test_supplement_request_by_an_outsider_is_forbidden(cast: Cast, dossier: Dossier) -> None:
    before = snapshot(dossier)

    with pytest.raises(Forbidden):
        services.dossier_request_supplement(
            dossier=dossier, actor=cast.outsider, missing=["x"], reason="y"
        )

    assert snapshot(dossier) == before


@pytest.fixture
def accepted(cast: Cast, dossier: Dossier) -> Dossier:
    # Accepted Monday 9:00, due Monday 12 January 9:00.
    return services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=MONDAY_9)


NEW_DATE = dt.datetime(2026, 1, 16, 9, 0, tzinfo=HCM)


def test_leader_extends_once_with_an_apology(cast: Cast, accepted: Dossier) -> None:
    due = accepted.due_at

    out = services.dossier_extend(
        dossier=accepted,
        actor=cast.leader,
        reason="Cần xác minh thêm",
        new_due_at=NEW_DATE,
        now=dt.datetime(2026, 1, 7, 9, 0, tzinfo=HCM),
    )

    out.refresh_from_db()
    assert out.due_at == NEW_DATE
    assert out.original_due_at == due
    assert out.state == DossierState.ACCEPTED
    assert DossierEvent.objects.get(dossier=out, kind=EventKind.EXTENDED).actor == cast.leader


def test_second_extension_is_refused(cast: Cast, accepted: Dossier) -> None:
    now = dt.datetime(2026, 1, 7, 9, 0, tzinfo=HCM)
    services.dossier_extend(
        dossier=accepted, actor=cast.leader, reason="a", new_due_at=NEW_DATE, now=now
    )
    before = snapshot(accepted)

    with pytest.raises(Conflict) as caught:
        services.dossier_extend(
            dossier=accepted,
            actor=cast.leader,
            reason="b",
            new_due_at=NEW_DATE + dt.timedelta(days=7),
            now=now,
        )

    assert caught.value.message == services.EXTENSION_ONCE
    assert snapshot(accepted) == before


def test_extension_within_the_last_working_day_is_refused(cast: Cast, accepted: Dossier) -> None:
    before = snapshot(accepted)

    with pytest.raises(Conflict) as caught:
        services.dossier_extend(
            dossier=accepted,
            actor=cast.leader,
            reason="a",
            new_due_at=NEW_DATE,
            # Friday 10:00: one working day later is Monday 10:00, past the due 9:00.
            now=dt.datetime(2026, 1, 9, 10, 0, tzinfo=HCM),
        )

    assert caught.value.message == services.EXTENSION_TOO_LATE
    assert snapshot(accepted) == before


def test_extension_by_the_specialist_is_forbidden(cast: Cast, accepted: Dossier) -> None:
    before = snapshot(accepted)

    with pytest.raises(Forbidden):
        services.dossier_extend(
            dossier=accepted, actor=cast.specialist, reason="a", new_due_at=NEW_DATE
        )

    assert snapshot(accepted) == before


def test_processed_then_result_returned_to_the_applicant(cast: Cast, accepted: Dossier) -> None:
    services.dossier_mark_processed(dossier=accepted, actor=cast.leader)

    out = services.dossier_return_result(
        dossier=accepted, actor=cast.receiving_officer, to_whom="Nguyễn Văn An"
    )

    assert (out.state, out.status) == (DossierState.RESULT_RETURNED, Status.RESULT_RETURNED)
    assert out.result_returned_to == "Nguyễn Văn An"
    kinds = list(DossierEvent.objects.filter(dossier=out).values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.PROCESSED, EventKind.RESULT_RETURNED]


def test_result_returned_before_processed_is_refused(cast: Cast, accepted: Dossier) -> None:
    before = snapshot(accepted)

    with pytest.raises(Conflict) as caught:
        services.dossier_return_result(dossier=accepted, actor=cast.receiving_officer, to_whom="An")

    assert caught.value.message == services.RESULT_BEFORE_PROCESSED
    assert snapshot(accepted) == before


def test_mark_processed_by_an_outsider_is_forbidden(cast: Cast, accepted: Dossier) -> None:
    before = snapshot(accepted)

    with pytest.raises(Forbidden):
        services.dossier_mark_processed(dossier=accepted, actor=cast.outsider)

    assert snapshot(accepted) == before


def test_stop_with_a_notice(cast: Cast, accepted: Dossier) -> None:
    out = services.dossier_stop(dossier=accepted, actor=cast.leader, reason="Theo đề nghị")

    assert (out.state, out.status) == (DossierState.STOPPED, Status.STOPPED)


def test_stop_a_returned_dossier_is_a_conflict(cast: Cast, accepted: Dossier) -> None:
    services.dossier_mark_processed(dossier=accepted, actor=cast.leader)
    services.dossier_return_result(dossier=accepted, actor=cast.receiving_officer, to_whom="An")
    before = snapshot(accepted)

    with pytest.raises(Conflict):
        services.dossier_stop(dossier=accepted, actor=cast.leader, reason="x")

    assert snapshot(accepted) == before
