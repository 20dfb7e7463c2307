"""The applicant's own actions: a supplement answered online, a withdrawal asked online."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.core.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFile,
    DossierState,
    EventKind,
    Status,
)
from motcua.testing import (
    Cast,
    ComponentFactory,
    DossierFactory,
    ProcedureFactory,
    cast_create,
    pdf_upload,
)
from motcua.workflow import rules, services
from motcua.workflow.models import DossierStep, SupplementItem, SupplementRequest
from motcua.workflow.services import applicant
from motcua.workflow.services.intake import Missing

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PIN = "001090000001"  # DossierFactory's applicant
OTHER_PIN = "079200000002"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=HCM)


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def accepted(cast: Cast) -> Dossier:
    procedure = ProcedureFactory(agency=cast.agency)
    dossier = DossierFactory(
        procedure=procedure,
        receiving_unit=cast.unit,
        submitted_at=at(5, 9),
        intake_due_at=at(6, 9),
    )
    return services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=at(5, 9))


@pytest.fixture
def waiting(cast: Cast, accepted: Dossier) -> Dossier:
    """An accepted dossier the one-stop unit asked, on Tuesday 9:00, for two documents."""
    component = ComponentFactory(version=accepted.procedure_version, name="Tờ khai")
    DossierComponent.objects.create(dossier=accepted, component=component, name="Tờ khai")
    return services.dossier_request_supplement(
        dossier=accepted,
        actor=cast.receiving_officer,
        missing=[
            Missing("Tờ khai", "Thiếu chữ ký", component_id=component.pk),
            Missing("Giấy xác nhận cư trú", "Chưa nộp"),
        ],
        reason="Hồ sơ chưa đầy đủ",
        now=at(6, 9),
    )


def items(dossier: Dossier) -> list[SupplementItem]:
    return list(SupplementItem.objects.filter(request__dossier=dossier).order_by("order"))


def stored_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def snapshot(dossier: Dossier) -> tuple[object, ...]:
    dossier.refresh_from_db()
    return (
        dossier.state,
        dossier.revision,
        dossier.due_at,
        dossier.paused_at,
        DossierEvent.objects.filter(dossier=dossier).count(),
        DossierFile.objects.filter(component__dossier=dossier).count(),
        DossierComponent.objects.filter(dossier=dossier).count(),
        SupplementRequest.objects.filter(dossier=dossier, received_at__isnull=True).count(),
        tuple(stored_files()),
    )


def answer(dossier: Dossier, files: dict[int, list[Any]], **kwargs: Any) -> SupplementRequest:
    return applicant.supplement_answer_online(
        dossier=dossier.code,
        applicant_id_number=kwargs.pop("pin", PIN),
        files=files,
        **kwargs,
    )


# --- Supplement answered online ------------------------------------------------------------


def test_supplement_answered_online_records_files_closes_the_request_and_resumes_the_clock(
    cast: Cast, waiting: Dossier
) -> None:
    form, residence = items(waiting)

    request = answer(
        waiting,
        {form.pk: [pdf_upload("to-khai.pdf")], residence.pk: [pdf_upload("cu-tru.pdf")]},
        note="Đã ký lại tờ khai",
        now=at(8, 9),
    )

    waiting.refresh_from_db()
    assert (waiting.state, waiting.status, waiting.paused_at) == (
        DossierState.ACCEPTED,
        Status.ACCEPTED,
        None,
    )
    # Stopped two working days (Tuesday 9:00 to Thursday 9:00): both due times move on by them,
    # as when the counter receives it (Monday 12 9:00 -> Wednesday 14; Thursday 8 14:45 ->
    # Monday 12 14:45).
    assert waiting.due_at == at(14, 9)
    assert DossierStep.objects.get(dossier=waiting, finished_at=None).due_at == at(12, 14, 45)
    assert (request.received_at, request.received_online, request.received_by_id) == (
        at(8, 9),
        True,
        None,
    )
    assert request.note == "Đã ký lại tờ khai"
    # The form went to the dossier's component of it; the other item got a component of its own.
    files = {f.component.name: f for f in DossierFile.objects.select_related("component")}
    assert set(files) == {"Tờ khai", "Giấy xác nhận cư trú"}
    assert files["Tờ khai"].component.component_id == form.component_id
    assert files["Tờ khai"].original_name == "to-khai.pdf"
    assert str(files["Tờ khai"].file.name).startswith("dossiers/")
    assert "to-khai" not in str(files["Tờ khai"].file.name)  # a random stored name
    assert files["Tờ khai"].pages == 1
    event = DossierEvent.objects.filter(dossier=waiting).order_by("-id").first()
    assert event is not None
    assert (event.kind, event.actor_id, event.actor_label, event.is_public) == (
        EventKind.SUPPLEMENT_RECEIVED,
        None,
        applicant.ONLINE_LABEL,
        True,
    )


def test_supplement_answered_online_at_intake_puts_the_dossier_back_in_the_intake_queue(
    cast: Cast,
) -> None:
    dossier = DossierFactory(
        procedure=ProcedureFactory(agency=cast.agency),
        receiving_unit=cast.unit,
        submitted_at=at(5, 9),
        intake_due_at=at(6, 9),
    )
    services.dossier_request_supplement(
        dossier=dossier,
        actor=cast.receiving_officer,
        missing=["Tờ khai"],
        reason="Thiếu",
        now=at(5, 10),
    )

    answer(dossier, {}, note="Tôi sẽ mang bản chính đến", now=at(7, 9))

    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.intake_due_at is not None and dossier.intake_due_at > at(7, 9)


def test_a_second_answer_is_refused_and_stores_nothing(cast: Cast, waiting: Dossier) -> None:
    form, _residence = items(waiting)
    answer(waiting, {form.pk: [pdf_upload()]}, now=at(8, 9))
    before = snapshot(waiting)

    with pytest.raises(Conflict) as caught:
        answer(waiting, {form.pk: [pdf_upload()]}, now=at(8, 10))

    assert caught.value.message == rules.NOT_WAITING_FOR_SUPPLEMENT
    assert snapshot(waiting) == before


def test_an_answer_to_a_dossier_not_waiting_for_a_supplement_is_refused(
    cast: Cast, accepted: Dossier
) -> None:
    before = snapshot(accepted)

    with pytest.raises(Conflict):
        answer(accepted, {1: [pdf_upload()]}, note="?")

    assert snapshot(accepted) == before
    assert stored_files() == []


def test_a_file_for_an_item_not_in_the_request_is_refused_and_nothing_is_stored(
    cast: Cast, waiting: Dossier
) -> None:
    form, _residence = items(waiting)
    other = DossierFactory(procedure=waiting.procedure, receiving_unit=cast.unit)
    services.dossier_request_supplement(
        dossier=other, actor=cast.receiving_officer, missing=["Ảnh"], reason="Thiếu"
    )
    foreign = items(other)[0]
    before = snapshot(waiting)

    with pytest.raises(ValidationFailed) as caught:
        answer(waiting, {form.pk: [pdf_upload()], foreign.pk: [pdf_upload()]})

    assert caught.value.field_errors == {f"item-{foreign.pk}": [applicant.NOT_IN_REQUEST]}
    assert snapshot(waiting) == before


def test_a_file_that_is_not_a_pdf_or_image_is_refused(cast: Cast, waiting: Dossier) -> None:
    form, _residence = items(waiting)
    before = snapshot(waiting)
    fake = SimpleUploadedFile("to-khai.pdf", b"<html>not a pdf</html>", "application/pdf")

    with pytest.raises(ValidationFailed) as caught:
        answer(waiting, {form.pk: [pdf_upload(), fake]})

    assert list(caught.value.field_errors) == [f"item-{form.pk}"]
    assert snapshot(waiting) == before


def test_too_many_files_are_refused_before_any_is_read(
    cast: Cast, waiting: Dossier, settings: Any
) -> None:
    settings.MOTCUA_MAX_FILES = 1
    form, residence = items(waiting)

    with pytest.raises(PayloadTooLarge):
        answer(waiting, {form.pk: [pdf_upload()], residence.pk: [pdf_upload()]})

    assert stored_files() == []


def test_an_empty_answer_is_refused(cast: Cast, waiting: Dossier) -> None:
    before = snapshot(waiting)

    with pytest.raises(ValidationFailed) as caught:
        answer(waiting, {}, note="   ")

    assert caught.value.field_errors == {"note": [applicant.ANSWER_EMPTY]}
    assert snapshot(waiting) == before


def test_someone_elses_dossier_is_not_found_whatever_its_state(
    cast: Cast, waiting: Dossier
) -> None:
    form, _residence = items(waiting)
    before = snapshot(waiting)

    for pin in (OTHER_PIN, "", "  "):
        with pytest.raises(NotFound):
            answer(waiting, {form.pk: [pdf_upload()]}, pin=pin)
        with pytest.raises(NotFound):
            applicant.applicant_withdrawal_request(
                dossier=waiting.code, applicant_id_number=pin, reason="Không cần nữa"
            )

    assert snapshot(waiting) == before


def test_files_stored_before_a_failed_transaction_are_deleted(
    cast: Cast, waiting: Dossier, monkeypatch: pytest.MonkeyPatch
) -> None:
    form, _residence = items(waiting)
    before = snapshot(waiting)

    def broken(*args: object, **kwargs: object) -> None:
        assert len(stored_files()) == 1  # the file was stored before the transaction
        raise RuntimeError("database gone")

    monkeypatch.setattr(applicant, "supplement_received", broken)
    with pytest.raises(RuntimeError):
        answer(waiting, {form.pk: [pdf_upload()]})

    assert snapshot(waiting) == before
    assert stored_files() == []


def test_the_officer_can_still_ask_only_as_the_rules_allow(cast: Cast, waiting: Dossier) -> None:
    answer(waiting, {}, note="Đã bổ sung", now=at(8, 9))

    # The one-stop unit asked once during processing for the deciding agency: no second time.
    with pytest.raises(Conflict) as caught:
        services.dossier_request_supplement(
            dossier=waiting,
            actor=cast.receiving_officer,
            missing=["Ảnh"],
            reason="Thiếu",
            now=at(8, 10),
        )
    assert caught.value.message == rules.SUPPLEMENT_ONCE_PER_AGENCY


# --- Withdrawal asked online ----------------------------------------------------------------


def test_the_applicant_asks_to_withdraw_and_the_leader_answers_as_today(
    cast: Cast, accepted: Dossier
) -> None:
    out = applicant.applicant_withdrawal_request(
        dossier=accepted.code, applicant_id_number=PIN, reason="Không còn nhu cầu"
    )

    assert (out.state, out.status) == (DossierState.WITHDRAWAL_REQUESTED, 7)
    event = DossierEvent.objects.filter(dossier=out).order_by("-id").first()
    assert event is not None
    assert (event.kind, event.note, event.actor_id) == (
        EventKind.WITHDRAWAL_REQUESTED,
        "Không còn nhu cầu",
        None,
    )
    done = services.dossier_withdrawal_decide(dossier=out, actor=cast.leader, approve=True)
    assert done.state == DossierState.WITHDRAWN


def test_a_withdrawal_without_a_reason_is_invalid(cast: Cast, accepted: Dossier) -> None:
    before = snapshot(accepted)

    with pytest.raises(ValidationFailed):
        applicant.applicant_withdrawal_request(
            dossier=accepted.code, applicant_id_number=PIN, reason=" "
        )

    assert snapshot(accepted) == before


def test_a_finished_dossier_cannot_be_withdrawn(cast: Cast, accepted: Dossier) -> None:
    applicant.applicant_withdrawal_request(
        dossier=accepted.code, applicant_id_number=PIN, reason="Không còn nhu cầu"
    )
    before = snapshot(accepted)

    with pytest.raises(Conflict) as caught:
        applicant.applicant_withdrawal_request(
            dossier=accepted.code, applicant_id_number=PIN, reason="Lần nữa"
        )

    assert caught.value.message == rules.NOT_WITHDRAWABLE
    assert snapshot(accepted) == before


def test_no_stray_upload_folder_is_left(cast: Cast, waiting: Dossier) -> None:
    # Sanity of the helper the other tests rely on: a stored answer is seen.
    form, _residence = items(waiting)
    answer(waiting, {form.pk: [pdf_upload()]})
    assert len(stored_files()) == 1
    assert os.path.isdir(settings.MEDIA_ROOT)
