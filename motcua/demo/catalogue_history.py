"""The demo catalogue's history: former Quảng Nam's agencies and 2019 catalogue, and how the
city's procedures were offered before today.

- Former Quảng Nam's People's Committee, departments and three district committees are
  inactive agencies of the former province's units, each with the city's agency that took
  over its work (``Agency.successor``; the Department of Information and Communications has
  none here: its work went to the Department of Science and Technology, not in the demo).
- ``data/catalogue_quang_nam_2019.csv`` is former Quảng Nam's catalogue of 2019 (written for
  the demo, national codes as published, local codes in the demo's pattern), imported
  through ``catalog.history_import`` as a real file would be: as of 31/12/2019 it has
  procedures at levels 2, 3 and 4.
- The city's provincial procedures were published from 2019 at their level 1-4 until
  Decree 42/2022 took effect, then partially online before the fully online ones became so
  last year; the commune procedures begin on 1 July 2025 with the communes.

Agency codes under H47 (former Quảng Nam's level-1 code, see data/README.md) are made up in
the structure; CHECK against the province's published list before real use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources

from django.utils import timezone

from motcua.catalog.history import ProvisionState, online_levels_switch, procedure_provision_record
from motcua.catalog.history_import import catalogue_history_import_file
from motcua.catalog.importing import ImportReport
from motcua.catalog.models import OnlineLevel, Procedure, ProvisionSource
from motcua.catalog.services import field_upsert
from motcua.organisation.models import Agency, AgencyKind, GovernmentLevel
from motcua.organisation.services import agency_upsert
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel

HISTORY_FILE = "catalogue_quang_nam_2019.csv"
HISTORY_YEAR = 2019
LEGACY_PROVINCE = "49"  # Tỉnh Quảng Nam before 1 July 2025 (GSO code)
QN = "H47"
QN_UBND = f"000.00.00.{QN}"
HISTORY_FROM = dt.date(2019, 1, 1)
COMMUNES_FROM = dt.date(2025, 7, 1)  # the two-tier local government


@dataclass(frozen=True)
class FormerAgency:
    code: str
    name: str
    kind: str
    successor: str | None  # the city's agency code
    district: str | None = None  # GSO code of the former district, for a district committee


FORMER_AGENCIES = [
    FormerAgency(
        QN_UBND, "Ủy ban nhân dân tỉnh Quảng Nam", AgencyKind.PEOPLES_COMMITTEE, "000.00.00.H15"
    ),
    FormerAgency(
        f"000.00.02.{QN}", "Sở Tư pháp tỉnh Quảng Nam", AgencyKind.DEPARTMENT, "000.00.11.H15"
    ),
    FormerAgency(
        f"000.00.03.{QN}",
        "Sở Kế hoạch và Đầu tư tỉnh Quảng Nam",
        AgencyKind.DEPARTMENT,
        "000.00.06.H15",
    ),
    FormerAgency(
        f"000.00.05.{QN}", "Sở Xây dựng tỉnh Quảng Nam", AgencyKind.DEPARTMENT, "000.00.09.H15"
    ),
    FormerAgency(
        f"000.00.07.{QN}",
        "Sở Lao động - Thương binh và Xã hội tỉnh Quảng Nam",
        AgencyKind.DEPARTMENT,
        "000.00.05.H15",
    ),
    FormerAgency(
        f"000.00.10.{QN}",
        "Sở Thông tin và Truyền thông tỉnh Quảng Nam",
        AgencyKind.DEPARTMENT,
        None,
    ),
    FormerAgency(
        f"000.00.12.{QN}", "Sở Y tế tỉnh Quảng Nam", AgencyKind.DEPARTMENT, "000.00.13.H15"
    ),
    FormerAgency(
        f"000.00.14.{QN}",
        "Sở Giáo dục và Đào tạo tỉnh Quảng Nam",
        AgencyKind.DEPARTMENT,
        "000.00.14.H15",
    ),
    FormerAgency(
        f"000.00.15.{QN}",
        "Sở Tài nguyên và Môi trường tỉnh Quảng Nam",
        AgencyKind.DEPARTMENT,
        "000.00.16.H15",
    ),
    FormerAgency(
        f"000.00.16.{QN}", "Sở Công Thương tỉnh Quảng Nam", AgencyKind.DEPARTMENT, "000.00.12.H15"
    ),
    # District committees: the code structure has no kind of their own; level 2 like a commune's.
    FormerAgency(
        f"000.00.41.{QN}",
        "Ủy ban nhân dân thành phố Tam Kỳ",
        AgencyKind.COMMUNE_COMMITTEE,
        "000.00.24.H15",
        district="502",
    ),
    FormerAgency(
        f"000.00.42.{QN}",
        "Ủy ban nhân dân thành phố Hội An",
        AgencyKind.COMMUNE_COMMITTEE,
        "000.00.25.H15",
        district="503",
    ),
    FormerAgency(
        f"000.00.46.{QN}",
        "Ủy ban nhân dân thị xã Điện Bàn",
        AgencyKind.COMMUNE_COMMITTEE,
        "000.00.26.H15",
        district="507",
    ),
]
# Fields of the old catalogue that today's demo catalogue does not have.
FORMER_FIELDS = [
    ("bao-chi", "Báo chí"),
    ("xuat-ban", "Xuất bản, In và Phát hành"),
    ("buu-chinh", "Bưu chính"),
]


def _former_agencies() -> int:
    province = AdministrativeUnit.objects.get(
        level=UnitLevel.PROVINCE, era=UnitEra.LEGACY, code=LEGACY_PROVINCE
    )
    by_code: dict[str, Agency] = {}
    for item in FORMER_AGENCIES:
        unit = (
            AdministrativeUnit.objects.get(
                level=UnitLevel.DISTRICT, era=UnitEra.LEGACY, code=item.district
            )
            if item.district
            else province
        )
        by_code[item.code] = agency_upsert(
            code=item.code,
            name=item.name,
            kind=item.kind,
            level=GovernmentLevel.COMMUNE if item.district else GovernmentLevel.PROVINCE,
            parent=by_code.get(QN_UBND) if item.code != QN_UBND else None,
            administrative_unit=unit,
            is_active=False,
            successor=Agency.objects.get(code=item.successor) if item.successor else None,
        )
    return len(by_code)


def _city_history(today: dt.date) -> int:
    """Record how the city's procedures were offered before today; return rows written."""
    switch = online_levels_switch()
    became_full = max(dt.date(today.year - 1, 9, 1), dt.date(2025, 9, 1))
    written = 0
    procedures = Procedure.objects.filter(code__endswith=".H15", is_published=True).order_by("code")
    for procedure in procedures:
        now = ProvisionState(
            online_level=procedure.online_level,
            legacy_online_level=procedure.legacy_online_level,
            is_published=True,
            agency_id=procedure.agency_id,
            level=procedure.level,
        )
        was_partial = ProvisionState(
            online_level=OnlineLevel.PARTIAL
            if procedure.online_level == OnlineLevel.FULL
            else procedure.online_level,
            legacy_online_level=procedure.legacy_online_level,
            is_published=True,
            agency_id=procedure.agency_id,
            level=procedure.level,
        )
        periods: list[tuple[dt.date, dt.date | None, ProvisionState]]
        if procedure.level == GovernmentLevel.COMMUNE:
            periods = [(COMMUNES_FROM, became_full, was_partial)]
        else:
            legacy = ProvisionState(
                "", procedure.legacy_online_level, True, now.agency_id, procedure.level
            )
            periods = [(HISTORY_FROM, switch, legacy), (switch, became_full, was_partial)]
        periods.append((became_full, None, now))
        for start, end, state in periods:
            if start > today or (end is not None and end <= start):
                continue
            written += (
                procedure_provision_record(
                    procedure=procedure,
                    valid_from=start,
                    valid_to=end,
                    state=state,
                    source=ProvisionSource.IMPORT,
                )
                is not None
            )
    return written


def demo_catalogue_history_load() -> ImportReport:
    """Load former Quảng Nam's agencies and 2019 catalogue, and the city's own history.

    Running it again changes nothing (the import and the history say "unchanged").
    """
    _former_agencies()
    for code, name in FORMER_FIELDS:
        field_upsert(code=code, name=name)
    data = (resources.files("motcua.demo") / "data" / HISTORY_FILE).read_bytes()
    report = catalogue_history_import_file(name=HISTORY_FILE, data=data, year=HISTORY_YEAR)
    _city_history(timezone.localdate())
    return report
