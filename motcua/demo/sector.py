"""The demo's sector figures and yearly targets, entered by the demo statistician.

Thành phố Đà Nẵng (today's province, 48) for the current year (open) and the
year before (closed); the former Tỉnh Quảng Nam (49, before 2025) for 2019
with the figures of the department's year-end report of that year (closed).
Đà Nẵng's figures are illustrative, of the right order of size, not official.
Running it again changes nothing: a closed period is left as it is, a figure
or target already there is unchanged.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from motcua.sector.models import SectorPeriod
from motcua.sector.services import sector_figures_save, sector_period_close
from motcua.targets.services import target_set
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel

from . import data

STATISTICIAN = "thongke.danang"
ILLUSTRATIVE = "Số liệu minh họa của bản demo"
QUANG_NAM_2019 = "Báo cáo tổng kết năm 2019 của Sở TT&TT Quảng Nam (báo Quảng Nam, 15/1/2020)"

DA_NANG_PREVIOUS = {
    "population": "3065628",
    "telephone_subscribers": "3412000",
    "mobile_subscribers": "3318000",
    "fixed_subscribers": "94000",
    "internet_subscribers": "702000",
    "fibre_subscribers": "655000",
    "bts_stations": "5480",
    "postal_points": "398",
    "communes_postal_point": "94",
    "communes_fibre": "93",
    "communes_total": "94",
}
DA_NANG_CURRENT = {
    "population": "3081000",
    "telephone_subscribers": "3440000",
    "mobile_subscribers": "3349000",
    "fixed_subscribers": "91000",
    "internet_subscribers": "745000",
    "fibre_subscribers": "702000",
    "bts_stations": "5610",
    "postal_points": "402",
    "communes_postal_point": "94",
    "communes_fibre": "94",
    "communes_total": "94",
}
# "Toàn tỉnh hiện có 1.169.375 thuê bao điện thoại, 170.000 thuê bao internet; mật độ điện
# thoại đạt 72,6 máy/100 dân; ... hơn 2.000 trạm BTS ... cáp quang đến 97% số xã ... 117/121 xã
# đạt tiêu chí số 8". The report gives no population: it is the one its telephone density
# implies (1.169.375 x 100 / 72,6); the internet density computed from it is 10,55 (the report
# says 10,68, from another population or date).
QUANG_NAM_2019_FIGURES = {
    "population": ("1610709", "Suy ra từ mật độ điện thoại 72,6 máy/100 dân"),
    "telephone_subscribers": ("1169375", QUANG_NAM_2019),
    "internet_subscribers": ("170000", QUANG_NAM_2019),
    "bts_stations": ("2000", "Hơn 2.000 trạm BTS"),
    "fibre_commune_rate": ("97", "Cáp quang đến 97% số xã"),
    "communes_ict_criterion": ("117", "117/121 xã đạt tiêu chí số 8"),
}
TARGETS = {
    "online_dossier_rate": "50",
    "full_online_rate": "50",
    "online_payment_rate": "45",
    "digitisation_rate": "80",
    "reuse_rate": "80",
    "e_result_rate": "90",
    "on_time_rate": "98",
    "telephone_density": "105",
    "internet_density": "25",
}


def _enter(
    actor: object,
    unit: AdministrativeUnit,
    year: int,
    figures: dict[str, tuple[str, str]],
    close: bool,
) -> int:
    """Enter a year's figures of ``unit`` unless its period is closed; close it if asked."""
    period = SectorPeriod.objects.filter(year=year, quarter=None, month=None).first()
    if period is not None and period.is_closed:
        return 0
    changes = sector_figures_save(
        year=year,
        unit_id=unit.pk,
        entries={code: (Decimal(value), note) for code, (value, note) in figures.items()},
        actor=actor,
    )
    if close:
        period = SectorPeriod.objects.get(year=year, quarter=None, month=None)
        sector_period_close(period_id=period.pk, actor=actor)
    return sum(1 for c in changes if c.outcome != "unchanged")


def demo_sector_load() -> int:
    """Enter the demo's sector figures and the current year's targets; return figures made."""
    actor = get_user_model().objects.get(username=STATISTICIAN)
    year = timezone.localdate().year
    province = AdministrativeUnit.objects.get(
        level=UnitLevel.PROVINCE, era=UnitEra.CURRENT, code=data.PROVINCE_CODE
    )
    quang_nam = AdministrativeUnit.objects.get(
        level=UnitLevel.PROVINCE, era=UnitEra.LEGACY, code="49"
    )
    illustrative = {
        year - 1: {k: (v, ILLUSTRATIVE) for k, v in DA_NANG_PREVIOUS.items()},
        year: {k: (v, ILLUSTRATIVE) for k, v in DA_NANG_CURRENT.items()},
    }
    made = _enter(actor, quang_nam, 2019, QUANG_NAM_2019_FIGURES, close=True)
    made += _enter(actor, province, year - 1, illustrative[year - 1], close=True)
    made += _enter(actor, province, year, illustrative[year], close=False)
    for code, value in TARGETS.items():
        target_set(
            indicator_code=code, year=year, value=value, province_id=province.pk, actor=actor
        )
    return made
