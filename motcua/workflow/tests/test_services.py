"""Workflow actions: each changes the state with its timeline entry, or changes nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from motcua.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from motcua.dossiers.models import (
    Dossier,
    DossierEvent,
    DossierResult,
    DossierState,
    EventKind,
    Outcome,
    Status,
)
from motcua.staff.models import Role
from motcua.testing import (
    Cast,
    DossierFactory,
    ProcedureFactory,
    cast_create,
    inter_agency_process,
    pdf_upload,
)
from motcua.workflow import services
from motcua.workflow.models import DossierStep, StepKind, SupplementRequest
from motcua.workflow.rules import Action
from motcua.workflow.selectors import dossier_actions

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 5 January 2026, a working day (working hours 7:30-11:30, 13:30-17:00).
MONDAY_9 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=HCM)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=HCM)


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def dossier(cast: Cast) -> Dossier:
    procedure = ProcedureFactory(agency=cast.agency)
    return DossierFactory(
        procedure=procedure,
        receiving_unit=cast.unit,
        submitted_at=MONDAY_9,
        intake_due_at=at(6, 9),
    )


def snapshot(dossier: Dossier) -> tuple[object, ...]:
    dossier.refresh_from_db()
    return (
        dossier.state,
        dossier.status,
        dossier.due_at,
        dossier.supplement_requests,
        dossier.paused_at,
        dossier.revision,
        DossierEvent.objects.filter(dossier=dossier).count(),
        DossierStep.objects.filter(dossier=dossier).count(),
        DossierResult.objects.filter(dossier=dossier).count(),
    )


def open_step(dossier: Dossier) -> DossierStep:
    return DossierStep.objects.select_related("step").get(dossier=dossier, finished_at=None)


# --- Intake ------------------------------------------------------------------------------------


def test_accept_computes_the_due_date_and_hands_over_to_the_specialist_step(
    cast: Cast, dossier: Dossier
) -> None:
    out = services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=at(6, 10))

    out.refresh_from_db()
    assert (out.state, out.status, out.revision) == (DossierState.ACCEPTED, Status.ACCEPTED, 1)
    assert out.received_at == at(6, 10)
    # 5 working days from Tuesday 10:00 is the next Tuesday 10:00.
    assert out.due_at == at(13, 10)
    event = DossierEvent.objects.get(dossier=out, kind=EventKind.ACCEPTED)
    assert event.actor == cast.receiving_officer
    assert (event.from_status, event.to_status) == (Status.NEW, Status.ACCEPTED)
    intake, specialist = DossierStep.objects.filter(dossier=out).order_by("id")
    assert (intake.step.kind, intake.agency, intake.finished_at) == (
        StepKind.INTAKE,
        cast.unit,
        at(6, 10),
    )
    # Answered 1 working hour after its 8-hour limit (Tuesday 9:00).
    assert intake.outcome == Outcome.LATE
    # Routed to the competent agency, whatever unit received it; 70 % of 37.5 working hours.
    assert (specialist.agency, specialist.role, specialist.assignee) == (
        cast.agency,
        Role.SPECIALIST,
        None,
    )
    assert specialist.due_at == at(9, 15, 45)


def test_accept_twice_is_a_conflict_and_changes_nothing(cast: Cast, dossier: Dossier) -> None:
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=MONDAY_9)
    before = snapshot(dossier)

    with pytest.raises(Conflict) as caught:
        services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)

    assert caught.value.message == services.NOT_WAITING_FOR_INTAKE
    assert snapshot(dossier) == before


@pytest.mark.parametrize("persona", ["leader", "specialist"])
def test_accept_by_someone_without_the_role_here_is_forbidden(
    cast: Cast, dossier: Dossier, persona: str
) -> None:
    before = snapshot(dossier)

    with pytest.raises(Forbidden):
        services.dossier_accept(dossier=dossier, actor=getattr(cast, persona))

    assert snapshot(dossier) == before


@pytest.mark.parametrize("persona", ["applicant", "outsider"])
def test_to_someone_of_no_agency_of_the_dossier_it_does_not_exist(
    cast: Cast, dossier: Dossier, persona: str
) -> None:
    before = snapshot(dossier)

    with pytest.raises(NotFound):
        services.dossier_accept(dossier=dossier, actor=getattr(cast, persona))

    assert snapshot(dossier) == before


def test_a_client_that_saw_an_older_revision_is_refused(cast: Cast, dossier: Dossier) -> None:
    before = snapshot(dossier)

    with pytest.raises(Conflict) as caught:
        services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, expected_revision=7)

    assert caught.value.message == services.STALE
    assert snapshot(dossier) == before


def test_refuse_records_the_reasons_and_ends_processing(cast: Cast, dossier: Dossier) -> None:
    out = services.dossier_refuse(
        dossier=dossier,
        actor=cast.receiving_officer,
        reasons="Không thuộc thẩm quyền",
        now=at(5, 14),
    )

    assert (out.state, out.status) == (DossierState.REFUSED, Status.NOT_ACCEPTED)
    assert out.finished_at == at(5, 14)
    assert out.outcome == Outcome.EARLY
    assert DossierEvent.objects.get(dossier=out, kind=EventKind.REFUSED).note == (
        "Không thuộc thẩm quyền"
    )


def test_refuse_without_reasons_is_invalid(cast: Cast, dossier: Dossier) -> None:
    before = snapshot(dossier)

    with pytest.raises(ValidationFailed) as caught:
        services.dossier_refuse(dossier=dossier, actor=cast.receiving_officer, reasons=" ")

    assert "reasons" in caught.value.field_errors
    assert snapshot(dossier) == before


def test_refuse_after_acceptance_is_a_conflict(cast: Cast, dossier: Dossier) -> None:
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    before = snapshot(dossier)

    with pytest.raises(Conflict):
        services.dossier_refuse(dossier=dossier, actor=cast.receiving_officer, reasons="x")

    assert snapshot(dossier) == before


def test_supplement_asked_at_intake_returns_the_dossier_to_the_queue_with_a_new_answer_time(
    cast: Cast, dossier: Dossier
) -> None:
    services.dossier_request_supplement(
        dossier=dossier,
        actor=cast.receiving_officer,
        missing=["Giấy chứng sinh"],
        reason="Thiếu bản chính",
        now=at(5, 10),
    )

    out = services.dossier_receive_supplement(
        dossier=dossier, actor=cast.receiving_officer, now=at(7, 10)
    )

    assert (out.state, out.status) == (DossierState.SUBMITTED, Status.NEW)
    assert out.intake_due_at == at(8, 10, 30)
    assert out.supplement_requests == 1


# --- Supplements during processing ----------------------------------------------------------------


@pytest.fixture
def accepted(cast: Cast, dossier: Dossier) -> Dossier:
    # Accepted Monday 9:00, due Monday 12 January 9:00.
    return services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=MONDAY_9)


def test_specialist_asks_for_a_supplement_the_clock_stops_and_the_request_counts(
    cast: Cast, accepted: Dossier
) -> None:
    services.dossier_claim(dossier=accepted, actor=cast.specialist)

    out = services.dossier_request_supplement(
        dossier=accepted,
        actor=cast.specialist,
        missing=["Giấy chứng sinh"],
        reason="Thiếu bản chính",
        now=at(6, 9),
    )

    assert (out.state, out.status) == (
        DossierState.SUPPLEMENT_REQUESTED,
        Status.SUPPLEMENT_REQUESTED,
    )
    assert (out.paused_at, out.supplement_requests) == (at(6, 9), 1)
    note = DossierEvent.objects.get(dossier=out, kind=EventKind.SUPPLEMENT_REQUESTED).note
    assert note == "Thiếu bản chính\n- Giấy chứng sinh"


def test_received_supplement_pushes_the_dossier_and_its_step_by_the_paused_working_time(
    cast: Cast, accepted: Dossier
) -> None:
    # The specialist's 70 % of 37.5 working hours from Monday 9:00: Thursday 14:45.
    assert open_step(accepted).due_at == at(8, 14, 45)
    services.dossier_request_supplement(
        dossier=accepted,
        actor=cast.receiving_officer,
        missing=["Tờ khai"],
        reason="Sai thông tin",
        now=at(6, 9),
    )

    # Two full working days later (Tuesday 9:00 to Thursday 9:00).
    out = services.dossier_receive_supplement(
        dossier=accepted, actor=cast.receiving_officer, now=at(8, 9)
    )

    assert (out.state, out.status, out.paused_at) == (
        DossierState.ACCEPTED,
        Status.ACCEPTED,
        None,
    )
    assert out.due_at == at(14, 9)
    assert open_step(accepted).due_at == at(12, 14, 45)


def test_receive_supplement_when_none_was_asked_is_a_conflict(cast: Cast, dossier: Dossier) -> None:
    before = snapshot(dossier)

    with pytest.raises(Conflict) as caught:
        services.dossier_receive_supplement(dossier=dossier, actor=cast.receiving_officer)

    assert caught.value.message == services.NOT_WAITING_FOR_SUPPLEMENT
    assert snapshot(dossier) == before


def test_supplement_request_by_an_outsider_is_refused(cast: Cast, dossier: Dossier) -> None:
    before = snapshot(dossier)

    with pytest.raises(NotFound):
        services.dossier_request_supplement(
            dossier=dossier, actor=cast.outsider, missing=["x"], reason="y"
        )

    assert snapshot(dossier) == before


def test_supplement_without_a_missing_item_is_invalid(cast: Cast, accepted: Dossier) -> None:
    before = snapshot(accepted)

    with pytest.raises(ValidationFailed) as caught:
        services.dossier_request_supplement(
            dossier=accepted, actor=cast.receiving_officer, missing=[" "], reason="y"
        )

    assert caught.value.message == services.MISSING_ITEMS_REQUIRED
    assert snapshot(accepted) == before


def test_the_applicant_is_asked_once_at_intake_and_once_per_agency_in_processing(
    cast: Cast, dossier: Dossier
) -> None:
    officer = cast.receiving_officer
    services.dossier_request_supplement(
        dossier=dossier, actor=officer, missing=["Tờ khai"], reason="Thiếu", now=at(5, 9)
    )
    services.dossier_receive_supplement(dossier=dossier, actor=officer, now=at(5, 10))
    # A second request before acceptance is refused, saying why; nothing changes.
    before = snapshot(dossier)
    with pytest.raises(Conflict) as caught:
        services.dossier_request_supplement(
            dossier=dossier, actor=officer, missing=["Bản sao"], reason="Thiếu", now=at(5, 11)
        )
    assert caught.value.message == services.SUPPLEMENT_ONCE_AT_INTAKE
    assert snapshot(dossier) == before
    assert Action.REQUEST_SUPPLEMENT not in dossier_actions(user=officer, dossier=dossier)

    services.dossier_accept(dossier=dossier, actor=officer, now=at(5, 14))
    services.dossier_claim(dossier=dossier, actor=cast.specialist, now=at(5, 15))
    # During processing the deciding agency may ask once more ...
    services.dossier_request_supplement(
        dossier=dossier, actor=cast.specialist, missing=["Bản vẽ"], reason="Sai", now=at(6, 9)
    )
    services.dossier_receive_supplement(dossier=dossier, actor=officer, now=at(6, 10))
    # ... and a third request is refused with the reason.
    before = snapshot(dossier)
    with pytest.raises(Conflict) as caught:
        services.dossier_request_supplement(
            dossier=dossier, actor=cast.specialist, missing=["x"], reason="y", now=at(6, 11)
        )
    assert caught.value.message == services.SUPPLEMENT_ONCE_PER_AGENCY
    assert snapshot(dossier) == before
    requests = list(
        SupplementRequest.objects.filter(dossier=dossier).values_list("phase", "agency_id")
    )
    assert requests == [("intake", cast.unit.pk), ("processing", cast.agency.pk)]


def test_a_partner_agency_may_ask_once_more(cast: Cast) -> None:
    procedure = ProcedureFactory(agency=cast.agency)
    inter_agency_process(procedure, cast.partner)
    dossier = DossierFactory(procedure=procedure, receiving_unit=cast.unit)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    services.dossier_request_supplement(
        dossier=dossier, actor=cast.specialist, missing=["Bản vẽ"], reason="Sai"
    )
    services.dossier_receive_supplement(dossier=dossier, actor=cast.receiving_officer)
    services.dossier_forward(dossier=dossier, actor=cast.specialist)
    services.dossier_claim(dossier=dossier, actor=cast.partner_specialist)

    out = services.dossier_request_supplement(
        dossier=dossier, actor=cast.partner_specialist, missing=["Giấy xác nhận"], reason="Thiếu"
    )

    assert out.supplement_requests == 2
    assert SupplementRequest.objects.filter(dossier=dossier, agency=cast.partner).exists()


def test_more_requests_than_the_rules_allow_make_the_dossier_late_even_if_finished_early(
    cast: Cast, accepted: Dossier, settings: object
) -> None:
    settings.MOTCUA_SUPPLEMENTS_PER_AGENCY = 2  # type: ignore[attr-defined]
    for day in (5, 6):
        services.dossier_request_supplement(
            dossier=accepted,
            actor=cast.receiving_officer,
            missing=["Tờ khai"],
            reason="Sai",
            now=at(day, 10),
        )
        services.dossier_receive_supplement(
            dossier=accepted, actor=cast.receiving_officer, now=at(day, 11)
        )
    services.dossier_result_record(
        dossier=accepted, actor=cast.leader, name="Trích lục", upload=pdf_upload()
    )
    services.dossier_forward(dossier=accepted, actor=cast.specialist, now=at(6, 14))
    # The indicators allow one request per agency: the dossier is late.
    settings.MOTCUA_SUPPLEMENTS_PER_AGENCY = 1  # type: ignore[attr-defined]

    out = services.dossier_mark_processed(dossier=accepted, actor=cast.leader, now=at(6, 15))

    assert out.outcome == Outcome.LATE


def test_the_items_of_a_request_are_kept_one_by_one(cast: Cast, accepted: Dossier) -> None:
    services.dossier_request_supplement(
        dossier=accepted,
        actor=cast.receiving_officer,
        missing=["Tờ khai", services.Missing("Bản vẽ", "thiếu chữ ký")],
        reason="Chưa đủ",
    )

    request = SupplementRequest.objects.get(dossier=accepted)
    assert (request.phase, request.reason, request.agency) == ("processing", "Chưa đủ", cast.agency)
    assert [(i.name, i.reason) for i in request.items.all()] == [
        ("Tờ khai", ""),
        ("Bản vẽ", "thiếu chữ ký"),
    ]


# --- Assignment ----------------------------------------------------------------------------------


def test_leader_assigns_the_step_and_the_dossier_is_in_process(
    cast: Cast, accepted: Dossier
) -> None:
    out = services.dossier_assign(
        dossier=accepted, actor=cast.leader, assignee=cast.second_specialist
    )

    assert (out.state, out.status) == (DossierState.IN_PROCESS, Status.IN_PROCESS)
    assert open_step(accepted).assignee == cast.second_specialist
    event = DossierEvent.objects.get(dossier=out, kind=EventKind.ASSIGNED)
    assert (event.is_public, event.actor) == (False, cast.leader)


def test_specialist_takes_an_unassigned_step_but_cannot_give_it_to_a_colleague(
    cast: Cast, accepted: Dossier
) -> None:
    with pytest.raises(Forbidden):
        services.dossier_assign(
            dossier=accepted, actor=cast.specialist, assignee=cast.second_specialist
        )

    services.dossier_claim(dossier=accepted, actor=cast.specialist)

    assert open_step(accepted).assignee == cast.specialist
    before = snapshot(accepted)
    with pytest.raises(Conflict):
        services.dossier_claim(dossier=accepted, actor=cast.second_specialist)
    assert snapshot(accepted) == before


def test_a_leader_cannot_take_a_specialists_step_for_himself(cast: Cast, accepted: Dossier) -> None:
    with pytest.raises(Forbidden):
        services.dossier_claim(dossier=accepted, actor=cast.leader)


def test_assigning_someone_without_the_steps_role_is_invalid(cast: Cast, accepted: Dossier) -> None:
    before = snapshot(accepted)

    with pytest.raises(ValidationFailed) as caught:
        services.dossier_assign(dossier=accepted, actor=cast.leader, assignee=cast.outsider)

    assert caught.value.message == services.ASSIGNEE_NOT_ELIGIBLE
    assert snapshot(accepted) == before


def test_bulk_assignment_reports_each_dossier_it_could_not_assign(cast: Cast) -> None:
    procedure = ProcedureFactory(agency=cast.agency)
    mine = [
        services.dossier_accept(
            dossier=DossierFactory(procedure=procedure, receiving_unit=cast.unit),
            actor=cast.receiving_officer,
        )
        for _ in range(2)
    ]
    waiting = DossierFactory(procedure=procedure, receiving_unit=cast.unit)

    outcome = services.dossiers_assign(
        codes=[mine[0].code, mine[1].code, waiting.code, "nope"],
        actor=cast.leader,
        assignee=cast.specialist,
    )

    assert outcome.done == [mine[0].code, mine[1].code]
    assert set(outcome.refused) == {waiting.code, "nope"}
    assert outcome.refused[waiting.code] == str(services.NOT_IN_PROCESS)


# --- Forward, back, result -----------------------------------------------------------------------


def test_assigned_step_is_forwarded_only_by_its_assignee_or_a_leader(
    cast: Cast, accepted: Dossier
) -> None:
    services.dossier_assign(dossier=accepted, actor=cast.leader, assignee=cast.specialist)
    before = snapshot(accepted)

    with pytest.raises(Forbidden) as caught:
        services.dossier_forward(dossier=accepted, actor=cast.second_specialist)

    assert caught.value.message == services.NOT_YOUR_STEP
    assert snapshot(accepted) == before


def test_single_agency_dossier_goes_specialist_leader_processed_returned(
    cast: Cast, accepted: Dossier
) -> None:
    services.dossier_claim(dossier=accepted, actor=cast.specialist, now=at(5, 10))
    services.dossier_result_record(
        dossier=accepted,
        actor=cast.specialist,
        name="Trích lục khai sinh",
        upload=pdf_upload(),
        now=at(6, 9),
    )
    services.dossier_forward(dossier=accepted, actor=cast.specialist, now=at(6, 10))
    assert open_step(accepted).role == Role.LEADER

    services.dossier_mark_processed(dossier=accepted, actor=cast.leader, now=at(7, 9))
    out = services.dossier_return_result(
        dossier=accepted, actor=cast.receiving_officer, to_whom="Nguyễn Văn An", now=at(8, 9)
    )

    assert (out.state, out.status) == (DossierState.RESULT_RETURNED, Status.RESULT_RETURNED)
    assert out.result_returned_to == "Nguyễn Văn An"
    assert (out.finished_at, out.outcome) == (at(7, 9), Outcome.EARLY)
    result = DossierResult.objects.get(dossier=out)
    assert result.code == f"{out.code}-KQ1"
    steps = list(DossierStep.objects.filter(dossier=out).order_by("id"))
    assert [s.step.kind for s in steps] == ["intake", "process", "process", "return"]
    # The leader's 30 % ran to Wednesday 15:45: done that morning is on time, not early.
    assert [s.outcome for s in steps[1:3]] == [Outcome.EARLY, Outcome.ON_TIME]
    assert all(s.finished_at is not None for s in steps)
    kinds = list(DossierEvent.objects.filter(dossier=out).values_list("kind", flat=True))
    assert kinds[-3:] == [EventKind.FORWARDED, EventKind.PROCESSED, EventKind.RESULT_RETURNED]


def test_mark_processed_without_a_result_is_refused(cast: Cast, accepted: Dossier) -> None:
    services.dossier_forward(dossier=accepted, actor=cast.specialist)
    before = snapshot(accepted)

    with pytest.raises(Conflict) as caught:
        services.dossier_mark_processed(dossier=accepted, actor=cast.leader)

    assert caught.value.message == services.RESULT_REQUIRED
    assert snapshot(accepted) == before


def test_leader_sends_back_for_rework_to_the_specialist_who_did_it(
    cast: Cast, accepted: Dossier
) -> None:
    services.dossier_assign(dossier=accepted, actor=cast.leader, assignee=cast.second_specialist)
    services.dossier_forward(dossier=accepted, actor=cast.second_specialist)

    out = services.dossier_send_back(
        dossier=accepted, actor=cast.leader, reason="Bổ sung ý kiến thẩm định"
    )

    step = open_step(out)
    assert (step.role, step.assignee) == (Role.SPECIALIST, cast.second_specialist)
    event = DossierEvent.objects.filter(dossier=out).latest("id")
    assert (event.kind, event.note) == (EventKind.RETURNED, "Bổ sung ý kiến thẩm định")


def test_send_back_from_the_first_step_is_a_conflict(cast: Cast, accepted: Dossier) -> None:
    before = snapshot(accepted)

    with pytest.raises(Conflict):
        services.dossier_send_back(dossier=accepted, actor=cast.specialist, reason="x")

    assert snapshot(accepted) == before


def test_a_result_that_is_not_a_pdf_or_image_leaves_nothing_behind(
    cast: Cast, accepted: Dossier, settings: object
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = snapshot(accepted)
    media = settings.MEDIA_ROOT  # type: ignore[attr-defined]

    with pytest.raises(ValidationFailed):
        services.dossier_result_record(
            dossier=accepted,
            actor=cast.specialist,
            name="Kết quả",
            upload=SimpleUploadedFile("ket-qua.pdf", b"MZ not a pdf at all"),
        )

    assert snapshot(accepted) == before
    assert not any(p.is_file() for p in media.rglob("*"))


def test_a_result_refused_for_the_actor_deletes_its_stored_file(
    cast: Cast, accepted: Dossier, settings: object
) -> None:
    media = settings.MEDIA_ROOT  # type: ignore[attr-defined]

    with pytest.raises(NotFound):
        services.dossier_result_record(
            dossier=accepted, actor=cast.outsider, name="Kết quả", upload=pdf_upload()
        )

    assert not any(p.is_file() for p in media.rglob("*"))
    assert not DossierResult.objects.exists()


def test_inter_agency_dossier_goes_to_the_partner_and_back(cast: Cast) -> None:
    procedure = ProcedureFactory(agency=cast.agency)
    inter_agency_process(procedure, cast.partner)
    dossier = services.dossier_accept(
        dossier=DossierFactory(procedure=procedure, receiving_unit=cast.unit),
        actor=cast.receiving_officer,
    )
    services.dossier_forward(dossier=dossier, actor=cast.specialist)
    assert open_step(dossier).agency == cast.partner
    with pytest.raises(Forbidden):
        services.dossier_forward(dossier=dossier, actor=cast.specialist)

    services.dossier_forward(
        dossier=dossier, actor=cast.partner_specialist, assignee=cast.partner_leader
    )
    services.dossier_forward(dossier=dossier, actor=cast.partner_leader)

    step = open_step(dossier)
    assert (step.agency, step.role) == (cast.agency, Role.LEADER)
    kinds = list(DossierEvent.objects.filter(dossier=dossier).values_list("kind", flat=True))
    assert kinds.count(EventKind.TRANSFERRED) == 2


def test_partner_sends_the_dossier_back_to_the_agency_that_sent_it(cast: Cast) -> None:
    procedure = ProcedureFactory(agency=cast.agency)
    inter_agency_process(procedure, cast.partner)
    dossier = services.dossier_accept(
        dossier=DossierFactory(procedure=procedure, receiving_unit=cast.unit),
        actor=cast.receiving_officer,
    )
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    services.dossier_forward(dossier=dossier, actor=cast.specialist)

    services.dossier_send_back(dossier=dossier, actor=cast.partner_specialist, reason="Thiếu")

    step = open_step(dossier)
    assert (step.agency, step.assignee) == (cast.agency, cast.specialist)


# --- Leaders' decisions ---------------------------------------------------------------------------

NEW_DATE = at(16, 9)


def test_leader_extends_once_with_an_apology(cast: Cast, accepted: Dossier) -> None:
    due = accepted.due_at

    out = services.dossier_extend(
        dossier=accepted,
        actor=cast.leader,
        reason="Cần xác minh thêm",
        new_due_at=NEW_DATE,
        now=at(7, 9),
    )

    out.refresh_from_db()
    assert (out.due_at, out.original_due_at) == (NEW_DATE, due)
    assert out.state == DossierState.ACCEPTED
    assert DossierEvent.objects.get(dossier=out, kind=EventKind.EXTENDED).actor == cast.leader


def _extend_and_finish(cast: Cast, accepted: Dossier, finished: dt.datetime) -> Dossier:
    services.dossier_extend(
        dossier=accepted, actor=cast.leader, reason="Xác minh", new_due_at=NEW_DATE, now=at(7, 9)
    )
    services.dossier_claim(dossier=accepted, actor=cast.specialist, now=at(7, 10))
    services.dossier_result_record(
        dossier=accepted, actor=cast.specialist, name="Kết quả", upload=pdf_upload(), now=finished
    )
    services.dossier_forward(dossier=accepted, actor=cast.specialist, now=finished)
    return services.dossier_mark_processed(dossier=accepted, actor=cast.leader, now=finished)


def test_an_extended_dossier_finished_after_its_original_date_is_late(
    cast: Cast, accepted: Dossier
) -> None:
    # Originally due Monday 12 January 9:00, extended to Friday 16; finished Wednesday 14.
    out = _extend_and_finish(cast, accepted, at(14, 10))

    assert out.due_at == NEW_DATE
    assert out.finished_at is not None and out.finished_at < out.due_at
    assert out.outcome == Outcome.LATE


@pytest.mark.parametrize(("finished", "verdict"), [(at(9, 10), "early"), (at(12, 8), "on_time")])
def test_an_extended_dossier_finished_within_its_original_date_keeps_its_verdict(
    cast: Cast, accepted: Dossier, finished: dt.datetime, verdict: str
) -> None:
    out = _extend_and_finish(cast, accepted, finished)

    assert out.outcome == verdict


def test_second_extension_is_refused(cast: Cast, accepted: Dossier) -> None:
    services.dossier_extend(
        dossier=accepted, actor=cast.leader, reason="a", new_due_at=NEW_DATE, now=at(7, 9)
    )
    before = snapshot(accepted)

    with pytest.raises(Conflict) as caught:
        services.dossier_extend(
            dossier=accepted,
            actor=cast.leader,
            reason="b",
            new_due_at=NEW_DATE + dt.timedelta(days=7),
            now=at(7, 9),
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
            now=at(9, 10),
        )

    assert caught.value.message == services.EXTENSION_TOO_LATE
    assert snapshot(accepted) == before


def test_extension_to_an_earlier_date_is_invalid(cast: Cast, accepted: Dossier) -> None:
    before = snapshot(accepted)

    with pytest.raises(ValidationFailed):
        services.dossier_extend(
            dossier=accepted, actor=cast.leader, reason="a", new_due_at=at(8, 9), now=at(6, 9)
        )

    assert snapshot(accepted) == before


def test_extension_by_the_specialist_is_forbidden(cast: Cast, accepted: Dossier) -> None:
    before = snapshot(accepted)

    with pytest.raises(Forbidden):
        services.dossier_extend(
            dossier=accepted, actor=cast.specialist, reason="a", new_due_at=NEW_DATE
        )

    assert snapshot(accepted) == before


def test_result_returned_before_processed_is_refused(cast: Cast, accepted: Dossier) -> None:
    before = snapshot(accepted)

    with pytest.raises(Conflict) as caught:
        services.dossier_return_result(dossier=accepted, actor=cast.receiving_officer, to_whom="An")

    assert caught.value.message == services.RESULT_BEFORE_PROCESSED
    assert snapshot(accepted) == before


def test_an_officer_cannot_record_a_result_returned_by_post(cast: Cast, accepted: Dossier) -> None:
    """Only the post's delivery confirmation returns a result by post (postal tracking)."""
    from motcua.core.errors import ValidationFailed
    from motcua.workflow.services.processing import BY_POST_ON_DELIVERY

    before = snapshot(accepted)

    with pytest.raises(ValidationFailed) as caught:
        services.dossier_return_result(
            dossier=accepted, actor=cast.receiving_officer, to_whom="An", via="post"
        )

    assert caught.value.message == BY_POST_ON_DELIVERY
    assert snapshot(accepted) == before


def test_mark_processed_by_an_outsider_is_refused(cast: Cast, accepted: Dossier) -> None:
    before = snapshot(accepted)

    with pytest.raises(NotFound):
        services.dossier_mark_processed(dossier=accepted, actor=cast.outsider)

    assert snapshot(accepted) == before


def test_stop_with_a_notice_closes_the_open_step(cast: Cast, accepted: Dossier) -> None:
    out = services.dossier_stop(
        dossier=accepted, actor=cast.leader, reason="Theo đề nghị", now=at(6, 9)
    )

    assert (out.state, out.status, out.finished_at) == (
        DossierState.STOPPED,
        Status.STOPPED,
        at(6, 9),
    )
    assert not DossierStep.objects.filter(dossier=out, finished_at=None).exists()


def test_stop_a_refused_dossier_is_a_conflict(cast: Cast, dossier: Dossier) -> None:
    services.dossier_refuse(dossier=dossier, actor=cast.receiving_officer, reasons="x")
    before = snapshot(dossier)

    with pytest.raises(Conflict):
        services.dossier_stop(dossier=dossier, actor=cast.leader, reason="x")

    assert snapshot(dossier) == before


# --- Withdrawal ----------------------------------------------------------------------------------


def test_applicant_withdraws_online_and_the_leader_approves(cast: Cast, accepted: Dossier) -> None:
    asked = services.dossier_withdrawal_request(dossier=accepted, reason="Không còn nhu cầu")
    assert (asked.state, asked.status) == (
        DossierState.WITHDRAWAL_REQUESTED,
        Status.WITHDRAWAL_REQUESTED,
    )

    out = services.dossier_withdrawal_decide(dossier=accepted, actor=cast.leader, approve=True)

    assert (out.state, out.status) == (DossierState.WITHDRAWN, Status.STOPPED)
    assert out.finished_at is not None
    assert not DossierStep.objects.filter(dossier=out, finished_at=None).exists()


def test_refused_withdrawal_returns_the_dossier_where_it_was(cast: Cast, accepted: Dossier) -> None:
    services.dossier_withdrawal_request(
        dossier=accepted, actor=cast.receiving_officer, reason="Đơn rút hồ sơ"
    )

    with pytest.raises(ValidationFailed):
        services.dossier_withdrawal_decide(dossier=accepted, actor=cast.leader, approve=False)
    out = services.dossier_withdrawal_decide(
        dossier=accepted, actor=cast.leader, approve=False, note="Đã có kết quả"
    )

    assert out.state == DossierState.ACCEPTED
    assert open_step(out).role == Role.SPECIALIST


def test_withdrawal_before_acceptance_is_answered_by_the_receiving_officer(
    cast: Cast, dossier: Dossier
) -> None:
    services.dossier_withdrawal_request(dossier=dossier, reason="Nộp nhầm")

    with pytest.raises(Forbidden):
        services.dossier_withdrawal_decide(dossier=dossier, actor=cast.specialist, approve=True)
    out = services.dossier_withdrawal_decide(
        dossier=dossier, actor=cast.receiving_officer, approve=True
    )

    assert out.state == DossierState.WITHDRAWN


def test_withdrawing_a_returned_dossier_is_a_conflict(cast: Cast, dossier: Dossier) -> None:
    services.dossier_refuse(dossier=dossier, actor=cast.receiving_officer, reasons="x")
    before = snapshot(dossier)

    with pytest.raises(Conflict) as caught:
        services.dossier_withdrawal_request(dossier=dossier, reason="x")

    assert caught.value.message == services.NOT_WITHDRAWABLE
    assert snapshot(dossier) == before
