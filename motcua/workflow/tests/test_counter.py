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
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFile,
    DossierState,
    EventKind,
)
from motcua.dossiers.services import ReceivedComponent
from motcua.testing import Cast, OneStopUnitFactory, ProcedureFactory, cast_create, pdf_upload
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

    assert (dossier.state, dossier.channel, dossier.receiving_unit) == (
        DossierState.ACCEPTED,
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
    assert kinds == [EventKind.RECEIVED, EventKind.ACCEPTED]
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
