"""Load the demo province through the same services real data goes through."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

from django.conf import settings
from django.db import transaction

from motcua.calendar.services import calendar_seed_holidays
from motcua.catalog.importing import ImportReport, catalog_import_file
from motcua.catalog.models import Procedure
from motcua.demo import data
from motcua.demo.catalogue_history import demo_catalogue_history_load
from motcua.demo.dossiers import demo_dossiers_load
from motcua.demo.postal import demo_postal_load
from motcua.organisation.models import Agency, AgencyKind, GovernmentLevel
from motcua.organisation.services import agency_upsert
from motcua.staff.models import Role
from motcua.staff.services import staff_account_ensure, staff_role_grant
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel
from motcua.territory.services import units_load_current, units_load_legacy
from motcua.workflow.models import AgencySource, StepKind
from motcua.workflow.processes import StepSpec, default_steps, process_version_create

PROCEDURES_FILE = "procedures.json"


class DemoDataError(Exception):
    """The demo data is inconsistent (a rejected procedure, an unknown unit code)."""


@dataclass(frozen=True)
class DemoSummary:
    units: int
    legacy_units: int
    agencies: int
    procedures: ImportReport
    holidays: int
    staff: int
    processes: int
    dossiers: int
    postal_orders: int = 0
    catalogue_history: ImportReport | None = None


def _current(level: str, code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(level=level, era=UnitEra.CURRENT, code=code)


def _load_legacy_units() -> int:
    """Load former Đà Nẵng and Quảng Nam (all their districts and communes), mapped to today's."""
    return units_load_legacy(provinces=data.LEGACY_PROVINCE_CODES).units


def _load_agencies() -> int:
    province = _current(UnitLevel.PROVINCE, data.PROVINCE_CODE)
    by_code: dict[str, Agency] = {}
    for item in data.PROVINCE_AGENCIES:
        parent = item.get("parent")
        by_code[item["code"]] = agency_upsert(
            code=item["code"],
            name=item["name"],
            short_name=item.get("short_name", ""),
            kind=item["kind"],
            level=GovernmentLevel.PROVINCE,
            parent=by_code[parent] if parent else None,
            administrative_unit=province,
            is_one_stop_unit=item.get("is_one_stop_unit", False),
            address=item.get("address", ""),
            phone=item.get("phone", ""),
            notation=item.get("notation", ""),
        )
    for number, commune_code in data.COMMUNES:
        commune = _current(UnitLevel.COMMUNE, commune_code)
        committee = agency_upsert(
            code=f"000.00.{number}.{data.CITY}",
            name=f"Ủy ban nhân dân {commune.name}",
            short_name=f"UBND {commune.name}",
            notation="UBND",
            kind=AgencyKind.COMMUNE_COMMITTEE,
            level=GovernmentLevel.COMMUNE,
            parent=by_code[data.UBND],
            administrative_unit=commune,
        )
        centre = agency_upsert(
            code=f"000.01.{number}.{data.CITY}",
            name=f"Trung tâm Phục vụ hành chính công {commune.name}",
            short_name=f"TTPVHCC {commune.name}",
            kind=AgencyKind.COMMUNE_CENTRE,
            level=GovernmentLevel.COMMUNE,
            parent=committee,
            administrative_unit=commune,
            is_one_stop_unit=True,
        )
        by_code[committee.code] = committee
        by_code[centre.code] = centre
    for item in data.PARTNER_AGENCIES:
        unit_code = item["unit"]
        parent = item.get("parent")
        by_code[item["code"]] = agency_upsert(
            code=item["code"],
            name=item["name"],
            short_name=item.get("short_name", ""),
            kind=item["kind"],
            level=item["level"],
            parent=by_code[parent] if parent else None,
            administrative_unit=province
            if unit_code == data.PROVINCE_CODE
            else _current(UnitLevel.COMMUNE, unit_code),
        )
    return len(by_code)


def _procedures_file() -> bytes:
    return (resources.files("motcua.demo") / "data" / PROCEDURES_FILE).read_bytes()


@transaction.atomic
def demo_load() -> DemoSummary:
    """Create or refresh the demo province; running it again changes nothing.

    Units and agencies are upserted by their official codes; procedures go
    through the catalogue import (unchanged rows stay as they are); holidays
    through the calendar's seeding; staff accounts are made once; a
    procedure without a process gets its template; the demo dossiers are
    played through the workflow services when the demo has none; the post
    office, its worker and charges are made, and its orders when it has none; former Quảng
    Nam's agencies and 2019 catalogue and the city's catalogue history are loaded. Raises
    ``DemoDataError`` if a procedure of the demo file is rejected.
    """
    units = units_load_current(with_communes_of=[data.PROVINCE_CODE])
    legacy = _load_legacy_units()
    agencies = _load_agencies()
    report = catalog_import_file(name=PROCEDURES_FILE, data=_procedures_file())
    if report.rejected:
        raise DemoDataError(report.as_text())
    history = demo_catalogue_history_load()
    if history.rejected:
        raise DemoDataError(history.as_text())
    holidays = calendar_seed_holidays(years=data.HOLIDAY_YEARS)
    staff = _load_staff()
    processes = _load_processes(report)
    dossiers = demo_dossiers_load()
    postal_orders = demo_postal_load()
    if settings.MOTCUA_IDENTITY_SIMULATOR:  # the portal signs in with the simulated VNeID
        from motcua.identity_sim.services import demo_site_urls, portal_client_ensure

        portal_client_ensure(site_urls=demo_site_urls())
    return DemoSummary(
        units=units,
        legacy_units=legacy,
        agencies=agencies,
        procedures=report,
        holidays=holidays,
        staff=staff,
        processes=processes,
        dossiers=dossiers,
        postal_orders=postal_orders,
        catalogue_history=history,
    )


def _load_staff() -> int:
    """Create the demo staff accounts and their roles; return how many were new."""
    created = 0
    for username, full_name, role, agency_code in data.DEMO_STAFF:
        user, new = staff_account_ensure(
            username=username,
            full_name=full_name,
            password=data.DEMO_STAFF_PASSWORD,
            # Reminders are e-mailed to it (printed by the worker with the console backend).
            email=f"{username}@{data.DEMO_STAFF_MAIL_DOMAIN}",
            is_staff=username in data.DEMO_ADMINS,
        )
        staff_role_grant(user=user, role=role, agency=Agency.objects.get(code=agency_code))
        created += new
    return created


def _load_processes(report: ImportReport) -> int:
    """Give each demo procedure without a process its template; return how many were made.

    A procedure that has a process (an administrator's, or the default made
    at a first acceptance) keeps it.
    """
    codes = [row.code for row in report.rows]
    procedures = (
        Procedure.objects.filter(code__in=codes, process__isnull=True)
        .select_related("agency")
        .order_by("code")
    )
    made = 0
    for procedure in procedures:
        plan = data.PROCESSING_STEPS.get(procedure.code)
        process_version_create(
            procedure=procedure,
            steps=_inter_agency_steps(plan) if plan else default_steps(),
            note=_process_note(plan),
        )
        made += 1
    return made


def _process_note(plan: list[tuple[str, str, str, int]] | None) -> str:
    if not plan:
        return "Quy trình mẫu một cơ quan"
    return "Quy trình liên thông" if any(code for code, *_rest in plan) else "Quy trình nhiều bước"


def _inter_agency_steps(plan: list[tuple[str, str, str, int]]) -> list[StepSpec]:
    intake, *_middle, done = default_steps()
    middle = [
        StepSpec(
            name,
            StepKind.PROCESS,
            Role(role),
            AgencySource.FIXED if code else AgencySource.COMPETENT_AGENCY,
            Agency.objects.get(code=code) if code else None,
            Decimal(share),
        )
        for code, name, role, share in plan
    ]
    return [intake, *middle, done]
