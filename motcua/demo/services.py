"""Load the demo province through the same services real data goes through."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from django.db import transaction

from motcua.calendar.services import calendar_seed_holidays
from motcua.catalog.importing import ImportReport, catalog_import_file
from motcua.demo import data
from motcua.organisation.models import Agency, AgencyKind, GovernmentLevel
from motcua.organisation.services import agency_upsert
from motcua.staff.services import staff_account_ensure, staff_role_grant
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel
from motcua.territory.services import unit_upsert_legacy, units_load_current

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


def _current(level: str, code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(level=level, era=UnitEra.CURRENT, code=code)


def _load_legacy_units() -> int:
    made: dict[str, AdministrativeUnit] = {}
    groups = [data.LEGACY_PROVINCES, data.LEGACY_DISTRICTS, data.LEGACY_COMMUNES]
    for group in groups:
        for item in group:
            successor_level = (
                UnitLevel.PROVINCE if item["level"] == UnitLevel.PROVINCE else UnitLevel.COMMUNE
            )
            made[item["code"] + item["level"]] = unit_upsert_legacy(
                code=item["code"],
                name=item["name"],
                level=item["level"],
                division_type=item["division_type"],
                parent=made[item["parent"] + _parent_level(item["level"])]
                if item["parent"]
                else None,
                successors=[_current(successor_level, code) for code in item["successors"]],
            )
    return len(made)


def _parent_level(level: str) -> str:
    return UnitLevel.PROVINCE if level == UnitLevel.DISTRICT else UnitLevel.DISTRICT


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
        )
    for number, commune_code in data.COMMUNES:
        commune = _current(UnitLevel.COMMUNE, commune_code)
        committee = agency_upsert(
            code=f"000.{number}.00.H17",
            name=f"Ủy ban nhân dân {commune.name}",
            short_name=f"UBND {commune.name}",
            kind=AgencyKind.COMMUNE_COMMITTEE,
            level=GovernmentLevel.COMMUNE,
            parent=by_code[data.UBND],
            administrative_unit=commune,
        )
        centre = agency_upsert(
            code=f"000.{number}.01.H17",
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
    return len(by_code)


def _procedures_file() -> bytes:
    return (resources.files("motcua.demo") / "data" / PROCEDURES_FILE).read_bytes()


@transaction.atomic
def demo_load() -> DemoSummary:
    """Create or refresh the demo province; running it again changes nothing.

    Units and agencies are upserted by their official codes; procedures go
    through the catalogue import (unchanged rows stay as they are); holidays
    through the calendar's seeding. Raises ``DemoDataError`` if a procedure
    of the demo file is rejected.
    """
    units = units_load_current(with_communes_of=[data.PROVINCE_CODE])
    legacy = _load_legacy_units()
    agencies = _load_agencies()
    report = catalog_import_file(name=PROCEDURES_FILE, data=_procedures_file())
    if report.rejected:
        raise DemoDataError(report.as_text())
    holidays = calendar_seed_holidays(years=data.HOLIDAY_YEARS)
    staff = _load_staff()
    return DemoSummary(
        units=units,
        legacy_units=legacy,
        agencies=agencies,
        procedures=report,
        holidays=holidays,
        staff=staff,
    )


def _load_staff() -> int:
    """Create the demo staff accounts and their roles; return how many were new."""
    created = 0
    for username, full_name, role, agency_code in data.DEMO_STAFF:
        user, new = staff_account_ensure(
            username=username,
            full_name=full_name,
            password=data.DEMO_STAFF_PASSWORD,
            is_staff=username in data.DEMO_ADMINS,
        )
        staff_role_grant(user=user, role=role, agency=Agency.objects.get(code=agency_code))
        created += new
    return created
