"""The demo's history: the former province of Quảng Nam in 2019, imported from a file.

The demo province (today's Đà Nẵng) took over Quảng Nam on 1 July 2025.
``demo_legacy_agencies`` makes the former province's agencies the file
names, inactive, on the former province's units (``territory``, era
legacy): its People's Committee and public administration centre, the
departments that decided the demo's province-level procedures, and a
People's Committee per former district, which received and decided the
commune-level ones. Codes follow the demo's rule (``organisation.codes``,
Decision 20/2020/QĐ-TTg) with H46, the place of Quảng Nam in the
alphabetical list of the 63 former provinces, as the demo's H15 is Đà Nẵng's:
CHECK against the province's published list. No successor is set here (the
agencies' successors are kept by ``organisation``).

``demo_history_rows`` writes the dossiers of 2019 so the figures of the
department's year-end report come out of the statistics: 6,754 dossiers
received through the public postal service and 182,616 results returned
through it (``/work/shared/origin``: "Quảng Nam có 6.754 hồ sơ được tiếp
nhận qua dịch vụ bưu chính công ích, 182.616 hồ sơ được trả kết quả qua
dịch vụ bưu chính công ích"), about 190,000 dossiers in all; ``scale``
makes a smaller file with the same shares.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from motcua.catalog.models import Procedure
from motcua.organisation.models import Agency, AgencyKind, GovernmentLevel
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel

from .records import COLUMNS

LEGACY_PROVINCE = "49"  # Quảng Nam before 2025
CITY = "H46"
YEAR = 2019
RECEIVED_BY_POST = 6_754
RETURNED_BY_POST = 182_616
TOTAL = 190_000
# Departments of 2019 deciding the demo's province-level procedures, by the number in the
# code they share with today's department of the demo.
DEPARTMENTS = {
    "05": "Sở Nội vụ tỉnh Quảng Nam",
    "06": "Sở Tài chính tỉnh Quảng Nam",
    "09": "Sở Xây dựng tỉnh Quảng Nam",
    "11": "Sở Tư pháp tỉnh Quảng Nam",
    "12": "Sở Công Thương tỉnh Quảng Nam",
    "13": "Sở Y tế tỉnh Quảng Nam",
    "14": "Sở Giáo dục và Đào tạo tỉnh Quảng Nam",
    "16": "Sở Tài nguyên và Môi trường tỉnh Quảng Nam",
}


@dataclass(frozen=True)
class Legacy:
    centre: Agency
    departments: dict[str, Agency]  # today's department code -> the one of 2019
    districts: list[Agency]


def _agency(
    code: str,
    name: str,
    kind: str,
    level: str,
    unit: AdministrativeUnit,
    parent: Agency | None,
    one_stop: bool = False,
) -> Agency:
    agency, _new = Agency.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "kind": kind,
            "level": level,
            "administrative_unit": unit,
            "parent": parent,
            "is_one_stop_unit": one_stop,
            "is_active": False,
        },
    )
    return agency


@transaction.atomic
def demo_legacy_agencies() -> Legacy:
    """Create (once) the former Quảng Nam's agencies the demo's file names; inactive."""
    province = AdministrativeUnit.objects.get(
        code=LEGACY_PROVINCE, level=UnitLevel.PROVINCE, era=UnitEra.LEGACY
    )
    ubnd = _agency(
        f"000.00.00.{CITY}",
        "Ủy ban nhân dân tỉnh Quảng Nam",
        AgencyKind.PEOPLES_COMMITTEE,
        GovernmentLevel.PROVINCE,
        province,
        None,
    )
    centre = _agency(
        f"000.00.01.{CITY}",
        "Trung tâm Hành chính công tỉnh Quảng Nam",
        AgencyKind.SERVICE_CENTRE,
        GovernmentLevel.PROVINCE,
        province,
        ubnd,
        one_stop=True,
    )
    departments = {
        number: _agency(
            f"000.00.{number}.{CITY}",
            name,
            AgencyKind.DEPARTMENT,
            GovernmentLevel.PROVINCE,
            province,
            ubnd,
        )
        for number, name in DEPARTMENTS.items()
    }
    districts = [
        # Districts are gone: the closest kind kept is a commune's People's Committee.
        _agency(
            f"000.00.{40 + index:02d}.{CITY}",
            f"Ủy ban nhân dân {district.name}",
            AgencyKind.COMMUNE_COMMITTEE,
            GovernmentLevel.COMMUNE,
            district,
            ubnd,
            one_stop=True,
        )
        for index, district in enumerate(
            AdministrativeUnit.objects.filter(
                era=UnitEra.LEGACY, level=UnitLevel.DISTRICT, parent=province
            ).order_by("code")
        )
    ]
    return Legacy(centre, departments, districts)


def _day(rng: random.Random, start: dt.date, span: int) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(span))


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day is not None else ""


def demo_history_rows(legacy: Legacy, *, scale: float = 1.0) -> Iterator[list[str]]:
    """Yield the rows of the demo's file (header first); see the module for the figures."""
    procedures: list[tuple[str, str | None]] = []
    for code, agency_code, level in Procedure.objects.order_by("code").values_list(
        "code", "agency__code", "level"
    ):
        number = agency_code.split(".")[2]
        if level == GovernmentLevel.COMMUNE:
            procedures.append((code, None))
        elif agency_code.endswith(".H15") and number in legacy.departments:
            procedures.append((code, legacy.departments[number].code))
    if not procedures or not legacy.districts:
        return
    rng = random.Random(YEAR)  # noqa: S311 - made-up figures, not secrets
    total = round(TOTAL * scale)
    by_post_in = round(RECEIVED_BY_POST * scale)
    by_post_out = round(RETURNED_BY_POST * scale)
    rest = total - by_post_out
    yield list(COLUMNS)
    for i in range(total):
        code, deciding = procedures[i % len(procedures)]
        if deciding is None:
            district = legacy.districts[rng.randrange(len(legacy.districts))].code
            unit, deciding = district, district
        else:
            unit = legacy.centre.code
        channel = "3" if i < by_post_in else ("2" if rng.random() < 0.08 else "1")
        received = _day(rng, dt.date(YEAR, 1, 2), 340)  # to 7 December
        due = received + dt.timedelta(days=rng.randrange(3, 16))
        finished: dt.date | None = received + dt.timedelta(
            days=rng.randrange(0, (due - received).days + (4 if rng.random() < 0.04 else 1))
        )
        returned: dt.date | None = None
        way = ""
        if i < by_post_out:  # the post's results first
            status, way = "10", "buu_chinh"
        else:
            roll = (i - by_post_out) / max(rest, 1)
            status = (
                "10" if roll < 0.6 else "9" if roll < 0.8 else "3" if roll < 0.9 else "8"
                if roll < 0.95 else "4"
            )  # fmt: skip
            way = "truc_tiep" if status == "10" else ""
            if status == "4":
                finished = None
            elif status == "3":
                finished = received
        if status == "10" and finished is not None:
            returned = finished + dt.timedelta(days=rng.randrange(0, 3))
        paid = received if channel == "2" and rng.random() < 0.3 else None
        yield [
            f"{CITY}-{YEAR}-{i + 1:06d}",
            unit,
            deciding,
            code,
            channel,
            "",  # the procedure's level of 2019
            status,
            _fmt(received),
            _fmt(due),
            _fmt(finished),
            "",  # computed from the dates
            _fmt(returned),
            way,
            "1" if rng.random() < 0.01 else "0",
            str(rng.choice((0, 0, 0, 0, 1))),
            _fmt(paid),
            "",
        ]


def demo_history_write(path: Path, *, scale: float = 1.0) -> int:
    """Write the demo's file to ``path``; return its data rows."""
    legacy = demo_legacy_agencies()
    path.parent.mkdir(parents=True, exist_ok=True)
    count = -1
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        for row in demo_history_rows(legacy, scale=scale):
            out.writerow(row)
            count += 1
    return max(count, 0)
