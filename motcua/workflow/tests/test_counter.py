"""A dossier taken at the counter: recorded and decided in one go, or nothing written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import Procedure
from motcua.core.errors import Forbidden, NotFound, ValidationFailed
from motcua.dossiers import services as services_dossiers
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFile,
    DossierState,
    EventKind,
    PendingUpload,
)
from motcua.dossiers.services import ReceivedComponent, dossier_submit
from motcua.dossiers.uploads import SubmissionInvalid
from motcua.staff.models import Role
from motcua.testing import (
    Cast,
    OneStopUnitFactory,
    ProcedureFactory,
    StaffRoleFactory,
    cast_create,
    pdf_upload,
)
from motcua.workflow import services
from motcua.workflow.models import DossierStep
from motcua.workflow.services import CounterDecision

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_9 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=HCM)
APPLICANT = {
    "applicant_name": "Trần Thị Mai",
    "applicant_id_number": "048190001234",
    "applicant_phone": "0905 123 456",
    "applicant_address": "12 Lê Lợi, phường Hải Châu, thành phố Đà Nẵng",
    "delivery": "counter",
}


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def procedure(cast: Cast) -> Procedure:
    return ProcedureFactory(agency=cast.agency)


@pytest.fixture
def form() -> dict[str, Any]:
    """The applicant and e-form of an online submission of ``procedure``."""
    return {**APPLICANT, "eform-child_name": "Trần Minh Khôi", "eform-birth_date": "2025-11-01"}


def components(procedure: Procedure) -> tuple[int, int]:
    """Return the ids of the required declaration and the optional certificate."""
    assert procedure.current_version is not None
    required, optional = procedure.current_version.components.order_by("order")
    return required.pk, optional.pk


def intake(
    cast: Cast,
    procedure: Procedure,
    decision: CounterDecision,
    received: list[ReceivedComponent],
    data: dict[str, Any] | None = None,
    actor: Any = None,
) -> Dossier:
    return services.dossier_counter_intake(
        actor=actor or cast.receiving_officer,
        unit=cast.unit,
        procedure_code=procedure.code,
        data=data or APPLICANT,
        received=received,
        decision=decision,
        now=MONDAY_9,
    )


def nothing_written(media: Path) -> bool:
    return (
        not Dossier.objects.exists()
        and not DossierEvent.objects.exists()
        and not any(p.is_file() for p in media.rglob("*"))
    )


def test_accepted_at_the_counter_with_counts_and_scans_is_routed_to_the_competent_agency(
    cast: Cast, procedure: Procedure
) -> None:
    required, optional = components(procedure)

    dossier = intake(
        cast,
        procedure,
        CounterDecision("accept"),
        [
            ReceivedComponent(required, originals=1, copies=2, files=[pdf_upload("to-khai.pdf")]),
            ReceivedComponent(optional, copies=1),
        ],
    )

    # The procedure's charge of 8.000 đồng is paid before processing (thu trước): accepted,
    # the dossier waits for it (status 6) until the officer records the payment.
    assert (dossier.state, dossier.channel, dossier.receiving_unit) == (
        DossierState.PAYMENT_REQUESTED,
        Channel.COUNTER,
        cast.unit,
    )
    assert dossier.code.startswith(f"{cast.unit.code}-260105-")
    assert dossier.due_at == dt.datetime(2026, 1, 12, 9, 0, tzinfo=HCM)
    rows = {c.component_id: c for c in DossierComponent.objects.filter(dossier=dossier)}
    assert (rows[required].originals, rows[required].copies, rows[required].is_digitised) == (
        1,
        2,
        True,
    )
    assert (rows[optional].copies, rows[optional].is_digitised) == (1, False)
    assert DossierFile.objects.filter(component__dossier=dossier).count() == 1
    kinds = list(DossierEvent.objects.filter(dossier=dossier).values_list("kind", flat=True))
    assert kinds == [EventKind.RECEIVED, EventKind.ACCEPTED, EventKind.FEES_REQUESTED]
    open_step = DossierStep.objects.get(dossier=dossier, finished_at=None)
    assert open_step.agency == cast.agency


def test_missing_components_are_asked_for_in_one_go(cast: Cast, procedure: Procedure) -> None:
    _required, optional = components(procedure)

    dossier = intake(
        cast,
        procedure,
        CounterDecision("supplement", reason="Thiếu giấy tờ", missing=["Bản sao CCCD"]),
        [ReceivedComponent(optional, originals=1)],
    )

    assert (dossier.state, dossier.supplement_requests) == (DossierState.SUPPLEMENT_REQUESTED, 1)
    note = DossierEvent.objects.get(dossier=dossier, kind=EventKind.SUPPLEMENT_REQUESTED).note
    assert note == "Thiếu giấy tờ\n- Tờ khai theo mẫu\n- Bản sao CCCD"


def test_accepting_without_a_required_component_is_refused_and_writes_nothing(
    cast: Cast, procedure: Procedure, settings: Any
) -> None:
    _required, optional = components(procedure)

    with pytest.raises(ValidationFailed) as caught:
        intake(
            cast,
            procedure,
            CounterDecision("accept"),
            [ReceivedComponent(optional, originals=1, files=[pdf_upload()])],
        )

    assert caught.value.message == services.INCOMPLETE_FOR_ACCEPT
    assert caught.value.field_errors["missing"] == ["Tờ khai theo mẫu"]
    assert nothing_written(settings.MEDIA_ROOT)


def test_refused_at_the_counter_with_reasons(cast: Cast, procedure: Procedure) -> None:
    required, _optional = components(procedure)

    dossier = intake(
        cast,
        procedure,
        CounterDecision("refuse", reason="Không thuộc thẩm quyền giải quyết"),
        [ReceivedComponent(required, originals=1)],
    )

    assert (dossier.state, dossier.finished_at) == (DossierState.REFUSED, MONDAY_9)


def test_every_bad_field_is_reported_at_once_and_no_scan_is_kept(
    cast: Cast, procedure: Procedure, settings: Any
) -> None:
    required, _optional = components(procedure)
    bad = {**APPLICANT, "applicant_id_number": "123", "applicant_phone": "abc"}

    with pytest.raises(ValidationFailed) as caught:
        intake(
            cast,
            procedure,
            CounterDecision("accept"),
            [
                ReceivedComponent(required, originals=1, files=[pdf_upload()]),
                ReceivedComponent(
                    999_999, originals=1, files=[SimpleUploadedFile("x.pdf", b"MZ nope")]
                ),
            ],
            data=bad,
        )

    assert set(caught.value.field_errors) == {
        "applicant_id_number",
        "applicant_phone",
        "component-999999",
    }
    assert nothing_written(settings.MEDIA_ROOT)


@pytest.mark.parametrize(("originals", "copies", "files"), [(0, 0, []), (-1, 0, []), (100, 0, [])])
def test_a_ticked_component_needs_a_paper_or_a_scan_within_bounds(
    cast: Cast, procedure: Procedure, originals: int, copies: int, files: list[Any]
) -> None:
    required, _optional = components(procedure)

    with pytest.raises(ValidationFailed) as caught:
        intake(
            cast,
            procedure,
            CounterDecision("accept"),
            [ReceivedComponent(required, originals=originals, copies=copies, files=files)],
        )

    assert f"component-{required}" in caught.value.field_errors


def test_a_scan_that_is_not_a_pdf_or_image_is_refused_and_nothing_is_kept(
    cast: Cast, procedure: Procedure, settings: Any
) -> None:
    required, _optional = components(procedure)

    with pytest.raises(ValidationFailed) as caught:
        intake(
            cast,
            procedure,
            CounterDecision("accept"),
            [
                ReceivedComponent(
                    required, originals=1, files=[SimpleUploadedFile("scan.pdf", b"GIF89a..")]
                )
            ],
        )

    assert f"component-{required}" in caught.value.field_errors
    assert nothing_written(settings.MEDIA_ROOT)


def test_only_a_receiving_officer_of_the_unit_takes_dossiers_there(
    cast: Cast, procedure: Procedure
) -> None:
    required, _optional = components(procedure)

    for persona in ("specialist", "leader", "outsider", "applicant"):
        with pytest.raises(Forbidden):
            intake(
                cast,
                procedure,
                CounterDecision("accept"),
                [ReceivedComponent(required, originals=1)],
                actor=getattr(cast, persona),
            )
    with pytest.raises(Forbidden):
        services.dossier_counter_intake(
            actor=cast.receiving_officer,
            unit=OneStopUnitFactory(),
            procedure_code=procedure.code,
            data=APPLICANT,
            received=[ReceivedComponent(required, originals=1)],
            decision=CounterDecision("accept"),
        )
    assert not Dossier.objects.exists()


def test_unknown_procedure_and_unknown_decision_are_refused(
    cast: Cast, procedure: Procedure
) -> None:
    with pytest.raises(NotFound):
        services.dossier_counter_intake(
            actor=cast.receiving_officer,
            unit=cast.unit,
            procedure_code="9.999999",
            data=APPLICANT,
            received=[],
            decision=CounterDecision("accept"),
        )
    with pytest.raises(ValidationFailed) as caught:
        intake(cast, procedure, CounterDecision("approve"), [])
    assert "decision" in caught.value.field_errors


def test_a_procedure_not_taken_at_the_counter_is_refused(cast: Cast) -> None:
    procedure = ProcedureFactory(agency=cast.agency, accepts_counter=False)

    with pytest.raises(ValidationFailed) as caught:
        intake(cast, procedure, CounterDecision("refuse", reason="x"), [])

    assert "procedure" in caught.value.field_errors


# --- Scans kept when the counter form is refused ----------------------------------------------


def kept_intake(
    cast: Cast,
    procedure: Procedure,
    decision: CounterDecision,
    received: list[ReceivedComponent],
    data: dict[str, Any] | None = None,
    actor: Any = None,
) -> Dossier:
    """Take a dossier as the counter page does: scans kept when it is refused."""
    return services.dossier_counter_intake(
        actor=actor or cast.receiving_officer,
        unit=cast.unit,
        procedure_code=procedure.code,
        data=data or APPLICANT,
        received=received,
        decision=decision,
        keep_files=True,
        now=MONDAY_9,
    )


def refused_keeping(
    cast: Cast, procedure: Procedure, received: list[ReceivedComponent], **kwargs: Any
) -> SubmissionInvalid:
    with pytest.raises(SubmissionInvalid) as caught:
        kept_intake(cast, procedure, CounterDecision("refuse", reason=""), received, **kwargs)
    return caught.value


def test_a_decision_refused_for_a_missing_reason_keeps_the_scans_for_the_officer(
    cast: Cast, procedure: Procedure
) -> None:
    required, _optional = components(procedure)

    error = refused_keeping(
        cast, procedure, [ReceivedComponent(required, originals=1, files=[pdf_upload("tk.pdf")])]
    )

    assert "reason" in error.field_errors
    (kept,) = error.kept[f"component-{required}"]
    assert kept.original_name == "tk.pdf"
    row = PendingUpload.objects.get()
    assert (row.channel, row.kept_by, row.token) == (
        Channel.COUNTER,
        cast.receiving_officer,
        kept.token,
    )
    assert not Dossier.objects.exists()


def test_the_kept_scan_becomes_the_dossiers_file_without_being_attached_again(
    cast: Cast, procedure: Procedure, settings: Any
) -> None:
    required, _optional = components(procedure)
    error = refused_keeping(
        cast,
        procedure,
        [ReceivedComponent(required, originals=1, files=[pdf_upload("tk.pdf")])],
        data={**APPLICANT, "applicant_phone": "abc"},
    )
    assert set(error.field_errors) == {"applicant_phone"}  # the check's own errors keep too
    row = PendingUpload.objects.get()

    dossier = kept_intake(
        cast,
        procedure,
        CounterDecision("accept"),
        [ReceivedComponent(required, kept=[row.token])],  # no paper counted: the scan is enough
    )

    component = DossierComponent.objects.get(dossier=dossier)
    assert component.is_digitised
    stored = DossierFile.objects.get(component=component)
    assert (stored.file.name, stored.original_name) == (row.file.name, "tk.pdf")
    assert not PendingUpload.objects.exists()
    assert len([p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]) == 1


def test_an_accept_refused_for_missing_components_keeps_the_scans(
    cast: Cast, procedure: Procedure
) -> None:
    _required, optional = components(procedure)

    with pytest.raises(SubmissionInvalid) as caught:
        kept_intake(
            cast,
            procedure,
            CounterDecision("accept"),
            [ReceivedComponent(optional, originals=1, files=[pdf_upload("gcs.pdf")])],
        )

    assert caught.value.message == services.INCOMPLETE_FOR_ACCEPT
    assert [f.original_name for f in caught.value.kept[f"component-{optional}"]] == ["gcs.pdf"]


def test_scans_kept_by_another_officer_or_online_are_ignored(
    cast: Cast, procedure: Procedure, form: dict[str, Any]
) -> None:
    required, _optional = components(procedure)
    colleague = StaffRoleFactory(agency=cast.unit, role=Role.RECEIVING_OFFICER).user
    refused_keeping(
        cast, procedure, [ReceivedComponent(required, files=[pdf_upload()])], actor=colleague
    )
    with pytest.raises(SubmissionInvalid):
        dossier_submit(
            procedure_code=procedure.code,
            data={**form, "applicant_phone": "abc"},
            files={f"component-{required}": [pdf_upload()]},
            keep_files=True,
            now=MONDAY_9,
        )
    theirs, online = PendingUpload.objects.order_by("id")
    assert (theirs.kept_by, online.channel) == (colleague, Channel.ONLINE)

    for token in (theirs.token, online.token):
        with pytest.raises(ValidationFailed) as caught:
            kept_intake(
                cast,
                procedure,
                CounterDecision("accept"),
                [ReceivedComponent(required, kept=[token])],
            )
        assert caught.value.field_errors[f"component-{required}"] == [
            services_dossiers.NOTHING_RECEIVED
        ]
    assert not Dossier.objects.exists()


def test_the_staff_api_path_keeps_no_scan_and_honours_no_token(
    cast: Cast, procedure: Procedure, settings: Any
) -> None:
    required, _optional = components(procedure)
    error = refused_keeping(cast, procedure, [ReceivedComponent(required, files=[pdf_upload()])])
    (kept,) = error.kept[f"component-{required}"]

    with pytest.raises(ValidationFailed) as caught:
        intake(
            cast,
            procedure,
            CounterDecision("refuse", reason=""),
            [ReceivedComponent(required, kept=[kept.token], files=[pdf_upload()])],
        )

    assert not isinstance(caught.value, SubmissionInvalid)
    assert PendingUpload.objects.count() == 1
    with pytest.raises(ValidationFailed) as no_paper:
        intake(
            cast,
            procedure,
            CounterDecision("accept"),
            [ReceivedComponent(required, kept=[kept.token])],
        )
    assert f"component-{required}" in no_paper.value.field_errors
