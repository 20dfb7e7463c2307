from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import LazySettings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from motcua.calendar import selectors as calendar
from motcua.catalog.models import OnlineLevel, Procedure, ProcedureVersion
from motcua.core.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.models import Channel, Dossier, DossierEvent, DossierFile, Status
from motcua.dossiers.services import (
    dossier_code_allocate,
    dossier_submit,
    valid_id_number,
)
from motcua.organisation.models import Agency, AgencyKind
from motcua.testing import OneStopUnitFactory

from .conftest import PDF, PNG, optional_key, pdf, required_key

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def files_in(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


def submit(procedure: Procedure, form: dict[str, Any], **files: Any) -> services.SubmitResult:
    return dossier_submit(
        procedure_code=procedure.code,
        data=form,
        files=files or {required_key(procedure): [pdf()]},
        now=dt.datetime(2026, 11, 23, 9, 0, tzinfo=VN),
    )


def test_submission_creates_dossier_with_code_files_and_timeline(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings
) -> None:
    result = submit(procedure, form)

    dossier = result.dossier
    assert result.created
    assert dossier.code == "000.00.00.H15-261123-0001"
    assert (dossier.register_book, dossier.register_entry) == (None, None)  # until accepted
    assert dossier.status == Status.NEW
    assert dossier.channel == Channel.ONLINE
    assert dossier.competent_agency == procedure.agency
    assert dossier.applicant_phone == "0905123456"
    assert dossier.applicant_search == "nguyen thi hong nhung"
    assert dossier.form_data == {
        "child_name": "Trần Minh Khôi",
        "birth_date": "2026-11-01",
        "note": "",
    }
    stored = DossierFile.objects.get(component__dossier=dossier)
    assert stored.content_type == "application/pdf"
    assert stored.size == len(PDF)
    assert len(stored.sha256) == 64
    assert stored.file.read() == PDF
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.kind, event.to_status) == ("submitted", Status.NEW)


def test_due_date_comes_from_the_working_day_calendar(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    # Monday 23/11/2026 09:00 + 5 working days, with no holiday seeded: Monday 30/11 09:00.
    dossier = submit(procedure, form).dossier
    assert timezone.localtime(dossier.due_at) == dt.datetime(2026, 11, 30, 9, tzinfo=VN)


def test_codes_follow_a_daily_sequence_per_unit(procedure: Procedure, form: dict[str, Any]) -> None:
    codes = [submit(procedure, form).dossier.code for _ in range(3)]
    assert [c.rsplit("-", 1)[1] for c in codes] == ["0001", "0002", "0003"]


def test_missing_fields_are_all_reported_at_once(procedure: Procedure) -> None:
    with pytest.raises(ValidationFailed) as info:
        dossier_submit(procedure_code=procedure.code, data={}, files={})
    assert {
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "applicant_address",
        "eform-child_name",
        "eform-birth_date",
        required_key(procedure),
    } <= set(info.value.field_errors)
    assert optional_key(procedure) not in info.value.field_errors
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("number", ["12345", "04819000123a", "999190001234", "048990001234"])
def test_implausible_id_numbers_are_refused(number: str) -> None:
    assert not valid_id_number(number)


def test_a_plausible_id_number_is_accepted() -> None:
    assert valid_id_number("001203004567")


def test_post_delivery_needs_an_address(procedure: Procedure, form: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as info:
        submit(procedure, {**form, "delivery": "post"})
    assert "delivery_address" in info.value.field_errors


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused_and_nothing_is_stored(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings
) -> None:
    fake = SimpleUploadedFile("to-khai.pdf", b"MZ\x90\x00 not really a pdf", "application/pdf")
    with pytest.raises(ValidationFailed) as info:
        submit(procedure, form, **{required_key(procedure): [fake]})
    assert required_key(procedure) in info.value.field_errors
    assert not Dossier.objects.exists()
    assert files_in(settings.MEDIA_ROOT) == []


def test_png_and_several_files_per_component_are_accepted(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    png = SimpleUploadedFile("trang-2.png", PNG, "image/png")
    dossier = submit(procedure, form, **{required_key(procedure): [pdf(), png]}).dossier
    assert sorted(
        DossierFile.objects.filter(component__dossier=dossier).values_list(
            "content_type", flat=True
        )
    ) == ["application/pdf", "image/png"]


def test_too_many_files_is_too_large(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings
) -> None:
    settings.MOTCUA_MAX_FILES = 2
    with pytest.raises(PayloadTooLarge):
        submit(procedure, form, **{required_key(procedure): [pdf(), pdf(), pdf()]})
    assert not Dossier.objects.exists()


def test_a_file_over_the_size_limit_is_too_large(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings
) -> None:
    settings.MOTCUA_MAX_FILE_SIZE = 50
    with pytest.raises(PayloadTooLarge):
        submit(procedure, form)
    assert files_in(settings.MEDIA_ROOT) == []


def test_unknown_procedure_is_not_found(form: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        dossier_submit(procedure_code="9.999999", data=form, files={})


def test_a_procedure_not_offered_online_is_refused(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    Procedure.objects.filter(pk=procedure.pk).update(
        online_level=OnlineLevel.NONE, accepts_online=False
    )
    with pytest.raises(ValidationFailed) as info:
        submit(procedure, form)
    assert "procedure" in info.value.field_errors


def test_the_same_idempotency_key_returns_the_first_dossier(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    def call() -> services.SubmitResult:
        return dossier_submit(
            procedure_code=procedure.code,
            data=form,
            files={required_key(procedure): [pdf()]},
            idempotency_key="retry-1",
        )

    first, second = call(), call()
    assert first.created and not second.created
    assert first.dossier.pk == second.dossier.pk
    assert Dossier.objects.count() == 1
    assert DossierFile.objects.count() == 1


def test_the_same_key_with_another_payload_is_a_conflict(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    dossier_submit(
        procedure_code=procedure.code,
        data=form,
        files={required_key(procedure): [pdf()]},
        idempotency_key="k",
    )
    with pytest.raises(Conflict):
        dossier_submit(
            procedure_code=procedure.code,
            data={**form, "applicant_name": "Người khác"},
            files={required_key(procedure): [pdf()]},
            idempotency_key="k",
        )


def test_a_failure_after_files_were_written_leaves_no_file_and_no_dossier(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings
) -> None:
    with (
        mock.patch.object(DossierEvent.objects, "create", side_effect=RuntimeError("disk")),
        pytest.raises(RuntimeError),
    ):
        submit(procedure, form)
    assert not Dossier.objects.exists()
    assert files_in(settings.MEDIA_ROOT) == []


def test_the_timeline_names_a_role_never_the_applicant(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    dossier = submit(procedure, form).dossier
    event = DossierEvent.objects.get(dossier=dossier)
    assert event.actor_label == "Người nộp hồ sơ trực tuyến"
    assert form["applicant_name"] not in event.actor_label


def test_an_online_dossier_is_received_by_the_province_service_centre_and_routed_to_the_agency(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    centre = Agency.objects.get(code="000.00.00.H15")
    OneStopUnitFactory(kind=AgencyKind.CENTRE_BRANCH)  # a branch is not the default receiver
    dossier = submit(procedure, form).dossier
    assert dossier.receiving_unit == centre
    assert dossier.competent_agency == procedure.agency
    assert dossier.procedure_version == procedure.current_version


def test_a_dossier_received_at_a_branch_takes_the_branch_code_and_keeps_the_routing(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    branch = OneStopUnitFactory(code="000.02.01.H15", kind=AgencyKind.CENTRE_BRANCH)
    dossier = dossier_submit(
        procedure_code=procedure.code,
        data=form,
        files={required_key(procedure): [pdf()]},
        receiving_unit=branch,
        now=dt.datetime(2026, 11, 23, 9, 0, tzinfo=VN),
    ).dossier
    assert dossier.code == "000.02.01.H15-261123-0001"
    assert dossier.competent_agency == procedure.agency


def test_code_sequences_are_per_unit_and_per_day(db: None) -> None:
    unit, other = OneStopUnitFactory(code="000.00.00.H15"), OneStopUnitFactory(code="000.01.01.H15")
    day, next_day = dt.date(2026, 11, 23), dt.date(2026, 11, 24)
    with transaction.atomic():
        codes = [
            dossier_code_allocate(unit=unit, day=day),
            dossier_code_allocate(unit=unit, day=day),
            dossier_code_allocate(unit=other, day=day),
            dossier_code_allocate(unit=unit, day=next_day),
        ]
    assert codes == [
        "000.00.00.H15-261123-0001",
        "000.00.00.H15-261123-0002",
        "000.01.01.H15-261123-0001",
        "000.00.00.H15-261124-0001",
    ]


def test_a_code_of_a_failed_submission_is_not_given_twice(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    with (
        mock.patch.object(DossierEvent.objects, "create", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        submit(procedure, form)
    codes = {submit(procedure, form).dossier.code for _ in range(2)}
    assert len(codes) == 2


def test_the_day_of_the_code_is_the_local_day(procedure: Procedure, form: dict[str, Any]) -> None:
    # 23:30 UTC on the 22nd is 06:30 on the 23rd in Vietnam.
    result = dossier_submit(
        procedure_code=procedure.code,
        data=form,
        files={required_key(procedure): [pdf()]},
        now=dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC),
    )
    assert "-261123-" in result.dossier.code


def test_a_same_day_procedure_is_due_today_before_the_cutoff(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    assert procedure.current_version is not None
    ProcedureVersion.objects.filter(pk=procedure.current_version.pk).update(processing_time_value=0)
    with mock.patch.object(calendar, "due_date", wraps=calendar.due_date) as due:
        submit(procedure, form)
    assert {c.kwargs.get("working_days") for c in due.call_args_list} >= {0}


def test_a_text_file_named_pdf_is_refused(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings
) -> None:
    text = SimpleUploadedFile("giay-to.pdf", "Giấy tờ giả\n".encode(), "application/pdf")
    with pytest.raises(ValidationFailed) as info:
        submit(procedure, form, **{required_key(procedure): [pdf(), text]})
    assert info.value.field_errors[required_key(procedure)] == [services.BAD_FILE_TYPE]
    assert not Dossier.objects.exists()
    assert files_in(settings.MEDIA_ROOT) == []


def test_a_file_for_a_component_of_another_procedure_is_refused(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    with pytest.raises(ValidationFailed) as info:
        submit(procedure, form, **{required_key(procedure): [pdf()], "component-999999": [pdf()]})
    assert "component-999999" in info.value.field_errors


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("applicant_phone", "12345"),
        ("applicant_email", "nhung@"),
        ("delivery", "drone"),
        ("applicant_kind", "alien"),
        ("eform-birth_date", "01/11/2026"),
        ("eform-child_name", "x" * 101),
    ],
)
def test_each_invalid_field_is_reported_under_its_input_name(
    procedure: Procedure, form: dict[str, Any], field: str, value: str
) -> None:
    with pytest.raises(ValidationFailed) as info:
        submit(procedure, {**form, field: value})
    assert list(info.value.field_errors) == [field]


def test_a_failed_idempotent_retry_after_a_race_returns_the_winner(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings
) -> None:
    winner = dossier_submit(
        procedure_code=procedure.code,
        data=form,
        files={required_key(procedure): [pdf()]},
        idempotency_key="race",
    )
    # The loser looked before the winner committed: its first look finds nothing.
    real_replay = services._replay
    calls: list[str] = []

    def replay_late(key: str, fingerprint: str) -> services.SubmitResult | None:
        calls.append(key)
        return None if len(calls) == 1 else real_replay(key, fingerprint)

    with mock.patch.object(services, "_replay", side_effect=replay_late):
        loser = dossier_submit(
            procedure_code=procedure.code,
            data=form,
            files={required_key(procedure): [pdf()]},
            idempotency_key="race",
        )
    assert not loser.created
    assert loser.dossier.pk == winner.dossier.pk
    assert Dossier.objects.count() == 1
    assert len(files_in(settings.MEDIA_ROOT)) == 1  # the loser's file was deleted
