"""What the demo province holds: units, agencies, catalogue, processes, staff and dossiers.

The demo is loaded once for the module (``conftest.demo``); each test reads it
or changes it in its own transaction, rolled back after the test.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from motcua.calendar import selectors as calendar
from motcua.calendar.models import DayKind, SpecialDay
from motcua.catalog.eforms import eform_form_class
from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_search
from motcua.catalog.services import eform_spec_errors
from motcua.demo import data
from motcua.demo.dossier_data import PEOPLE, STORIES, Story
from motcua.demo.dossiers import WorkingClock, identity_number
from motcua.demo.services import DemoSummary, demo_load
from motcua.dossiers.models import Dossier, DossierEvent, DossierResult, DossierState, Outcome
from motcua.dossiers.services import valid_id_number
from motcua.organisation.models import Agency, AgencyKind, GovernmentLevel
from motcua.organisation.services import agency_validate
from motcua.staff.models import Role
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel
from motcua.territory.selectors import unit_current_equivalents
from motcua.workflow import processes
from motcua.workflow.models import AgencySource, DossierStep, Process, StepKind
from motcua.workflow.selectors import inbox

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def open_steps() -> list[DossierStep]:
    return list(
        DossierStep.objects.filter(finished_at__isnull=True).select_related("step", "dossier")
    )


# --- Territory, agencies, catalogue --------------------------------------------------------------


def test_demo_has_thirty_procedures_over_six_agencies_and_both_levels(demo: DemoSummary) -> None:
    published = Procedure.objects.filter(is_published=True, current_version__isnull=False)

    assert published.count() >= 30
    assert Agency.objects.annotate(n=Count("procedures")).filter(n__gt=0).count() >= 6
    assert set(published.values_list("level", flat=True)) == {
        GovernmentLevel.PROVINCE,
        GovernmentLevel.COMMUNE,
    }
    assert set(published.values_list("online_level", flat=True)) == {"full", "partial", "none"}
    for procedure in published.select_related("current_version"):
        assert procedure.current_version is not None
        assert procedure.current_version.eform, procedure.code
        assert eform_spec_errors(procedure.current_version.eform) == [], procedure.code
        assert eform_form_class(procedure.current_version.eform)().fields, procedure.code


def test_demo_procedures_are_found_by_citizens_words(demo: DemoSummary) -> None:
    assert procedure_search(q="dang ky khai sinh").count() == 3
    assert procedure_search(q="giấy phép xây dựng").count() >= 3
    birth = procedure_search(q="khai sinh").first()
    assert birth is not None and birth.current_version is not None
    assert birth.current_version.same_day_cutoff_applies


def test_demo_province_has_its_real_communes_and_historic_units_mapped(demo: DemoSummary) -> None:
    province = AdministrativeUnit.objects.get(
        level=UnitLevel.PROVINCE, era=UnitEra.CURRENT, code="48"
    )
    assert province.name == "Thành phố Đà Nẵng"
    assert province.children.count() == 94
    assert (
        AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era=UnitEra.CURRENT).count()
        == 34
    )

    hoi_an = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code="503")
    assert "Phường Hội An" in {u.name for u in unit_current_equivalents(unit=hoi_an)}
    quang_nam = AdministrativeUnit.objects.get(
        level=UnitLevel.PROVINCE, era=UnitEra.LEGACY, code="49"
    )
    assert [u.code for u in unit_current_equivalents(unit=quang_nam)] == ["48"]
    legacy = AdministrativeUnit.objects.filter(era=UnitEra.LEGACY)
    assert legacy.filter(level=UnitLevel.DISTRICT).count() == 8 + 17
    assert legacy.filter(level=UnitLevel.COMMUNE).count() == 47 + 233
    assert not legacy.filter(successors=None).exists()
    assert demo.legacy_units == 2 + 25 + 280


def test_demo_has_one_stop_units_at_both_levels(demo: DemoSummary) -> None:
    one_stop = Agency.objects.filter(is_one_stop_unit=True)
    assert one_stop.filter(level=GovernmentLevel.PROVINCE).count() >= 4
    assert one_stop.filter(level=GovernmentLevel.COMMUNE).count() >= 5
    partners = {a["code"] for a in data.PARTNER_AGENCIES}
    today = Agency.objects.exclude(code__in=partners).filter(is_active=True)
    assert all(a.code.endswith(f".{data.CITY}") for a in today)


def test_every_demo_agency_code_fits_the_national_structure(demo: DemoSummary) -> None:
    for agency in Agency.objects.select_related("parent"):
        code = agency_validate(agency=agency)  # raises if the code, kind or parent do not fit
        assert code.is_local == (agency.kind != AgencyKind.MINISTRY_BRANCH), agency.code
    # Former Quảng Nam's district committees are inactive agencies under its former committee.
    communes = Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, is_active=True)
    assert {a.parent.code if a.parent else None for a in communes} == {data.UBND}


def test_judicial_records_are_issued_by_the_city_police(demo: DemoSummary) -> None:
    procedures = Procedure.objects.filter(national_code="2.001418", is_published=True)
    procedures = procedures.select_related("agency")

    assert [(p.code, p.agency.code) for p in procedures] == [
        (f"2.001418.000.00.48.{data.MINISTRY_OF_PUBLIC_SECURITY}", data.CONG_AN)
    ]
    assert procedures[0].agency.name == "Công an thành phố Đà Nẵng"
    assert not Procedure.objects.filter(agency__name="Sở Tư pháp", name__icontains="lý lịch")


def test_partner_agencies_are_in_their_units_and_receive_no_dossiers(demo: DemoSummary) -> None:
    police = Agency.objects.get(code=data.CONG_AN_HAI_CHAU)

    assert police.administrative_unit.name == "Phường Hải Châu"
    assert not Agency.objects.filter(
        code__in=[a["code"] for a in data.PARTNER_AGENCIES], is_one_stop_unit=True
    ).exists()


# --- Processes -----------------------------------------------------------------------------------


def test_every_demo_procedure_has_a_current_process_that_can_run(demo: DemoSummary) -> None:
    # Former Quảng Nam's 2019 procedures are not published: they are there for statistics.
    procedures = Procedure.objects.filter(is_published=True)
    current = Process.objects.filter(current_version__isnull=False)

    assert current.count() == procedures.count() == demo.processes
    for process in current.select_related("current_version", "procedure"):
        version = process.current_version
        assert version is not None
        processes.process_version_publish(version=version)  # raises if it cannot run
        steps = list(version.steps.order_by("order"))
        assert sum((s.share for s in steps), Decimal(0)) == 100, process.procedure.code


def test_inter_agency_procedures_pass_through_their_partner_agencies(demo: DemoSummary) -> None:
    for code, plan in data.PROCESSING_STEPS.items():
        version = Process.objects.get(procedure__code=code).current_version
        assert version is not None
        fixed = version.steps.filter(agency_source=AgencySource.FIXED).select_related("agency")
        partners = {(s.agency.code if s.agency else "", s.role) for s in fixed}
        assert partners == {(agency, role) for agency, _name, role, _share in plan if agency}
    assert len(data.PROCESSING_STEPS) >= 2


def test_a_procedure_whose_process_an_admin_changed_keeps_it(demo: DemoSummary) -> None:
    process = Process.objects.select_related("current_version").get(
        procedure__code=f"1.009974.000.00.09.{data.CITY}"
    )
    assert process.current_version is not None
    mine = processes.process_version_revise(version=process.current_version)
    processes.process_version_publish(version=mine)

    again = demo_load()

    process.refresh_from_db()
    assert process.current_version == mine
    assert (again.processes, again.dossiers, again.staff) == (0, 0, 0)


# --- Staff ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username", ["chuyenvien.congan", "lanhdao.cahaichau", "chuyenvien.bhxh", "lanhdao.bhxh"]
)
def test_partner_agency_staff_sign_in_and_find_dossiers_waiting(
    demo: DemoSummary, client: Client, username: str
) -> None:
    response = client.post(
        reverse("staff:login"), {"username": username, "password": data.DEMO_STAFF_PASSWORD}
    )

    assert response.status_code == 302
    user = response.wsgi_request.user
    assert user.is_authenticated
    assert inbox(user=user, box="all").exists()


def test_every_partner_agency_has_a_specialist_and_a_leader(demo: DemoSummary) -> None:
    roles = {(agency, role) for _u, _n, role, agency in data.DEMO_STAFF}
    for partner in data.PARTNER_AGENCIES:
        assert (partner["code"], Role.SPECIALIST) in roles
        assert (partner["code"], Role.LEADER) in roles


# --- Dossiers ------------------------------------------------------------------------------------


def test_the_demo_has_dossiers_in_every_state_but_payment(demo: DemoSummary) -> None:
    states = set(Dossier.objects.values_list("state", flat=True))

    assert demo.dossiers == Dossier.objects.count() == len(STORIES)
    assert 30 <= len(STORIES) <= 60
    assert states == set(DossierState) - {DossierState.PAYMENT_REQUESTED}
    assert Dossier.objects.filter(channel=1).exists() and Dossier.objects.filter(channel=2).exists()


def test_dossiers_wait_at_every_kind_of_step(demo: DemoSummary) -> None:
    steps = open_steps()
    process = [s for s in steps if s.step.kind == StepKind.PROCESS]

    assert {(s.role, s.assignee_id is not None) for s in process} >= {
        (Role.SPECIALIST, True),
        (Role.SPECIALIST, False),
        (Role.LEADER, False),
    }
    assert {s.agency.code for s in process if s.step.agency_source == AgencySource.FIXED} == {
        code for plan in data.PROCESSING_STEPS.values() for code, *_rest in plan if code
    }
    waiting = [s for s in steps if s.step.kind == StepKind.RETURN]
    assert waiting and all(s.dossier.state == DossierState.PROCESSED for s in waiting)


def test_processed_dossiers_have_a_pdf_result(
    demo: DemoSummary, demo_media: Path, settings: Settings
) -> None:
    settings.MEDIA_ROOT = demo_media
    finished = Dossier.objects.filter(
        state__in=[DossierState.PROCESSED, DossierState.RESULT_RETURNED]
    )

    assert finished.count() >= 6
    for dossier in finished:
        result = DossierResult.objects.get(dossier=dossier)
        assert result.code == f"{dossier.code}-KQ1"
        with result.file.open("rb") as stored:
            assert stored.read(5) == b"%PDF-"


def test_deadlines_are_overdue_due_soon_and_early(demo: DemoSummary) -> None:
    now = timezone.now()
    steps = [s for s in open_steps() if s.due_at is not None and s.step.kind == StepKind.PROCESS]
    left = calendar.working_times_from(start=now, ends=[s.due_at for s in steps])  # type: ignore[misc]
    intake = Dossier.objects.filter(state=DossierState.SUBMITTED).exclude(intake_due_at=None)
    answer = calendar.working_times_from(
        start=now,
        ends=[d.intake_due_at for d in intake],  # type: ignore[misc]
    )
    hour = dt.timedelta(hours=1)
    day = calendar.working_day_length()

    assert any(t < dt.timedelta(0) for t in left)
    assert any(dt.timedelta(0) < t <= day for t in left)
    assert any(t > 2 * day for t in left)
    assert any(dt.timedelta(0) < t <= hour for t in answer)
    assert any(t < dt.timedelta(0) for t in answer)
    assert {Outcome.EARLY, Outcome.ON_TIME} <= set(
        Dossier.objects.values_list("outcome", flat=True)
    )


def test_every_state_change_went_through_the_timeline(demo: DemoSummary) -> None:
    for dossier in Dossier.objects.all():
        events = list(DossierEvent.objects.filter(dossier=dossier).order_by("at", "id"))
        assert events[0].kind in {"submitted", "received"}
        assert len(events) == dossier.revision + 1
        if len(events) > 1:
            assert events[-1].to_state == dossier.state
        assert dossier.submitted_at <= events[-1].at <= timezone.now()


def test_applicants_are_people_of_da_nang_with_valid_identity_numbers(demo: DemoSummary) -> None:
    for dossier in Dossier.objects.all():
        assert valid_id_number(dossier.applicant_id_number), dossier.applicant_id_number
        assert "thành phố Đà Nẵng" in dossier.applicant_address
    numbers = [identity_number(i) for i in range(len(PEOPLE))]
    assert len(set(numbers)) == len(numbers)


def test_demo_staff_find_work_in_their_inboxes(demo: DemoSummary) -> None:
    users = get_user_model().objects.in_bulk(
        [u for u, *_rest in data.DEMO_STAFF], field_name="username"
    )

    for username, _name, role, _agency in data.DEMO_STAFF:
        if role == Role.STATISTICIAN:  # reads statistics, processes no dossier
            continue
        box = {
            Role.RECEIVING_OFFICER: "intake",
            Role.SPECIALIST: "all",
            Role.LEADER: "agency",
        }.get(Role(role), "all")
        assert inbox(user=users[username], box=box).exists(), username


# --- Stories and their clock ---------------------------------------------------------------------


def test_the_clock_counts_back_only_working_periods_and_skips_holidays() -> None:
    # Made a holiday: Wednesday 14 October 2026. Now: Thursday 15 October at 9:00.
    SpecialDay.objects.update_or_create(
        date=dt.date(2026, 10, 14), defaults={"kind": DayKind.HOLIDAY}
    )
    clock = WorkingClock(dt.datetime(2026, 10, 15, 9, 0, tzinfo=HCM))

    assert clock.ago(1) == dt.datetime(2026, 10, 15, 8, 0, tzinfo=HCM)
    assert clock.ago(2) == dt.datetime(2026, 10, 13, 16, 30, tzinfo=HCM)
    assert clock.ago(1.5 + 3.5 + 0.5) == dt.datetime(2026, 10, 13, 11, 0, tzinfo=HCM)


def test_the_clock_at_night_starts_from_the_end_of_the_day() -> None:
    clock = WorkingClock(dt.datetime(2026, 10, 16, 21, 0, tzinfo=HCM))  # a Friday

    assert clock.ago(0.5) == dt.datetime(2026, 10, 16, 16, 30, tzinfo=HCM)


def test_stories_go_forward_in_time_and_name_known_actions() -> None:
    for story in STORIES:
        hours = [story.start, *(a.hours for a in story.acts)]
        assert all(b <= a for a, b in itertools.pairwise(hours)), story
    with pytest.raises(ValueError, match="unknown action"):
        _ = Story("x", 0, 1, "fly 1").acts
