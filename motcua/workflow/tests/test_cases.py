"""A procedure whose legal time depends on the case: chosen at acceptance or in process."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from motcua.calendar import selectors as calendar
from motcua.catalog.models import Procedure, ProcessingCase
from motcua.core.errors import Conflict, ValidationFailed
from motcua.dossiers.models import Dossier, DossierEvent, EventKind
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create
from motcua.workflow import services
from motcua.workflow.models import DossierStep
from motcua.workflow.rules import CASE_AFTER_EXTENSION, Action
from motcua.workflow.selectors import dossier_actions

from .test_api import client_for

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_9 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=HCM)
TUESDAY_9 = dt.datetime(2026, 1, 6, 9, 0, tzinfo=HCM)


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def procedure(cast: Cast) -> Procedure:
    """The judicial record: 10 working days, 15 when verification is needed."""
    procedure = ProcedureFactory(agency=cast.agency)
    version = procedure.current_version
    assert version is not None
    version.processing_time_value = Decimal(10)
    version.save()
    ProcessingCase.objects.create(
        version=version,
        code="XAC-MINH",
        name="Trường hợp cần xác minh",
        processing_time_value=15,
    )
    return procedure


def _submitted(cast: Cast, procedure: Procedure) -> Dossier:
    return DossierFactory(procedure=procedure, receiving_unit=cast.unit, submitted_at=MONDAY_9)


def _days(start: dt.datetime, days: int) -> dt.datetime:
    return calendar.due_date(start=start, working_days=days).due_at


def test_the_officer_picks_the_case_at_acceptance_and_the_due_date_follows(
    cast: Cast, procedure: Procedure
) -> None:
    dossier = services.dossier_accept(
        dossier=_submitted(cast, procedure),
        actor=cast.receiving_officer,
        case="XAC-MINH",
        now=MONDAY_9,
    )

    assert dossier.processing_case == "XAC-MINH"
    assert dossier.due_at == _days(MONDAY_9, 15)
    accepted = DossierEvent.objects.get(dossier=dossier, kind=EventKind.ACCEPTED)
    assert "Trường hợp cần xác minh: 15 ngày làm việc" in accepted.note


def test_in_process_the_case_changes_with_a_timeline_entry_and_the_due_dates_move(
    cast: Cast, procedure: Procedure
) -> None:
    dossier = services.dossier_accept(
        dossier=_submitted(cast, procedure), actor=cast.receiving_officer, now=MONDAY_9
    )
    services.dossier_claim(dossier=dossier, actor=cast.specialist, now=MONDAY_9)
    assert dossier.due_at == _days(MONDAY_9, 10)
    step_due = DossierStep.objects.get(dossier=dossier, finished_at=None).due_at

    out = services.dossier_case_choose(
        dossier=dossier,
        actor=cast.specialist,
        case="XAC-MINH",
        note="Cư trú nhiều nơi",
        now=TUESDAY_9,
    )

    assert (out.processing_case, out.due_at) == ("XAC-MINH", _days(MONDAY_9, 15))
    opened = DossierStep.objects.get(dossier=dossier, finished_at=None)
    assert opened.due_at is not None and step_due is not None and opened.due_at > step_due
    event = DossierEvent.objects.get(dossier=dossier, kind=EventKind.CASE_CHOSEN)
    assert event.actor == cast.specialist
    assert "Trường hợp cần xác minh: 15 ngày làm việc" in event.note
    assert "Cư trú nhiều nơi" in event.note


def test_bad_case_choices_are_refused_and_change_nothing(cast: Cast, procedure: Procedure) -> None:
    dossier = services.dossier_accept(
        dossier=_submitted(cast, procedure), actor=cast.receiving_officer, now=MONDAY_9
    )
    services.dossier_claim(dossier=dossier, actor=cast.specialist, now=MONDAY_9)
    revision = Dossier.objects.get(pk=dossier.pk).revision

    with pytest.raises(ValidationFailed) as unknown:
        services.dossier_case_choose(
            dossier=dossier, actor=cast.specialist, case="NOPE", now=TUESDAY_9
        )
    assert "case" in unknown.value.field_errors
    with pytest.raises(ValidationFailed) as same:
        services.dossier_case_choose(dossier=dossier, actor=cast.specialist, case="", now=TUESDAY_9)
    assert same.value.message == services.CASE_UNCHANGED
    # Back to the ordinary time once it is already past: refused, saying why.
    services.dossier_case_choose(
        dossier=dossier, actor=cast.specialist, case="XAC-MINH", now=TUESDAY_9
    )
    late = _days(MONDAY_9, 12)
    with pytest.raises(Conflict) as past:
        services.dossier_case_choose(dossier=dossier, actor=cast.specialist, case="", now=late)
    assert past.value.message == services.CASE_DUE_PAST
    assert Dossier.objects.get(pk=dossier.pk).revision == revision + 1  # the one change made


def test_after_an_extension_the_case_no_longer_changes(cast: Cast, procedure: Procedure) -> None:
    dossier = services.dossier_accept(
        dossier=_submitted(cast, procedure), actor=cast.receiving_officer, now=MONDAY_9
    )
    services.dossier_extend(
        dossier=dossier,
        actor=cast.leader,
        reason="Chờ xác minh",
        new_due_at=_days(MONDAY_9, 20),
        now=MONDAY_9,
    )

    with pytest.raises(Conflict) as caught:
        services.dossier_case_choose(
            dossier=dossier, actor=cast.leader, case="XAC-MINH", now=TUESDAY_9
        )

    assert caught.value.message == CASE_AFTER_EXTENSION
    assert Action.CHOOSE_CASE not in dossier_actions(user=cast.leader, dossier=dossier)


def test_a_procedure_with_one_legal_time_offers_no_case(cast: Cast) -> None:
    dossier = services.dossier_accept(
        dossier=DossierFactory(
            procedure=ProcedureFactory(agency=cast.agency), receiving_unit=cast.unit
        ),
        actor=cast.receiving_officer,
    )

    assert Action.CHOOSE_CASE not in dossier_actions(user=cast.leader, dossier=dossier)


def test_the_case_through_the_api_and_on_the_page(cast: Cast, procedure: Procedure) -> None:
    dossier = _submitted(cast, procedure)
    officer = client_for(cast.receiving_officer)
    url = reverse("api-staff-accept", kwargs={"code": dossier.code})
    unknown = officer.post(url, {"revision": 0, "case": "NOPE"}, format="json")
    assert unknown.status_code == 400
    assert "case" in unknown.json()["error"]["fields"]

    accepted = officer.post(url, {"revision": 0, "case": "XAC-MINH"}, format="json")

    assert accepted.status_code == 200
    body = accepted.json()
    assert body["processing_case"] == "XAC-MINH"
    assert body["legal_time"] == "15 ngày làm việc (Trường hợp cần xác minh)"
    leader = client_for(cast.leader)
    assert (
        "choose_case"
        in leader.get(reverse("api-staff-dossier", kwargs={"code": dossier.code})).json()["actions"]
    )


def test_the_receipt_states_the_legal_time_of_the_case(cast: Cast, procedure: Procedure) -> None:
    import io

    from pypdf import PdfReader

    from motcua.dossiers.receipts import receipt_pdf
    from motcua.dossiers.selectors import dossier_get

    dossier = services.dossier_accept(
        dossier=_submitted(cast, procedure),
        actor=cast.receiving_officer,
        case="XAC-MINH",
        now=MONDAY_9,
    )

    pdf = receipt_pdf(dossier_get(code=dossier.code))

    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "15 ngày làm việc (trường hợp cần xác minh)" in text
