"""The grid: densities computed, population missing said, communes summed, targets assessed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from motcua.sector import services
from motcua.sector.selectors import FigureRow, sector_figures
from motcua.targets.services import target_set
from motcua.territory.models import UnitEra, UnitLevel
from motcua.testing import CommuneFactory, ProvinceFactory, StatisticsCast

pytestmark = pytest.mark.django_db


def _enter(cast: StatisticsCast, unit_id: int, year: int, **values: str) -> None:
    services.sector_figures_save(
        year=year,
        unit_id=unit_id,
        entries={code: (value, "") for code, value in values.items()},
        actor=cast.statistician,
    )


def _rows(unit_id: int, year: int = 2019, **kw: Any) -> dict[str, FigureRow]:
    return {row.code: row for row in sector_figures(year=year, unit_id=unit_id, **kw)}


def test_density_is_computed_per_100_inhabitants(cast: StatisticsCast) -> None:
    _enter(
        cast,
        cast.province.pk,
        2019,
        population="1610710",
        telephone_subscribers="1169375",
        internet_subscribers="170000",
    )
    rows = _rows(cast.province.pk)
    assert rows["telephone_density"].value == Decimal("72.60")
    assert rows["telephone_density"].origin == "computed"
    assert rows["internet_density"].value == Decimal("10.55")


def test_a_density_without_population_says_so(cast: StatisticsCast) -> None:
    _enter(cast, cast.province.pk, 2019, telephone_subscribers="1169375")
    rows = _rows(cast.province.pk)
    assert rows["telephone_density"].value is None
    assert rows["telephone_density"].missing == "Chưa có số liệu dân số của kỳ này"
    assert rows["internet_density"].missing.startswith("Chưa có số liệu")


def test_a_percent_of_two_counts_is_computed_unless_entered(cast: StatisticsCast) -> None:
    _enter(cast, cast.province.pk, 2019, communes_fibre="117", communes_total="121")
    assert _rows(cast.province.pk)["fibre_commune_rate"].value == Decimal("96.69")
    _enter(cast, cast.province.pk, 2019, fibre_commune_rate="97")
    row = _rows(cast.province.pk)["fibre_commune_rate"]
    assert (row.value, row.origin) == (Decimal("97"), "entered")


def test_a_province_sums_its_communes_unless_it_has_its_own_figure(cast: StatisticsCast) -> None:
    one, two = CommuneFactory(parent=cast.province), CommuneFactory(parent=cast.province)
    _enter(cast, one.pk, 2019, bts_stations="12", population="20000", fibre_commune_rate="50")
    _enter(cast, two.pk, 2019, bts_stations="30", population="30000")
    rows = _rows(cast.province.pk)
    assert (rows["bts_stations"].value, rows["bts_stations"].origin) == (Decimal(42), "communes")
    assert rows["bts_stations"].communes == 2
    assert rows["fibre_commune_rate"].value is None  # a percent is never summed
    _enter(cast, cast.province.pk, 2019, bts_stations="2000")
    rows = _rows(cast.province.pk)
    assert (rows["bts_stations"].value, rows["bts_stations"].origin) == (Decimal(2000), "entered")
    assert _rows(one.pk)["bts_stations"].value == 12


def test_a_former_province_sums_the_communes_of_its_districts(cast: StatisticsCast) -> None:
    old = ProvinceFactory(code="49", name="Tỉnh Quảng Nam", era=UnitEra.LEGACY)
    district = CommuneFactory(
        parent=old, level=UnitLevel.DISTRICT, era=UnitEra.LEGACY, name="Huyện Thử"
    )
    commune = CommuneFactory(parent=district, era=UnitEra.LEGACY)
    _enter(cast, commune.pk, 2019, postal_points="3")
    assert _rows(old.pk)["postal_points"].value == 3


def test_last_years_value_and_the_target_are_shown(cast: StatisticsCast) -> None:
    _enter(cast, cast.province.pk, 2018, population="100", telephone_subscribers="70")
    _enter(cast, cast.province.pk, 2019, population="100", telephone_subscribers="72.6")
    target_set(
        indicator_code="telephone_density",
        year=2019,
        value="75",
        province_id=cast.province.pk,
        actor=cast.statistician,
    )
    row = _rows(cast.province.pk)["telephone_density"]
    assert row.previous == Decimal("70.00")
    assert row.change == Decimal("2.60")
    assert row.assessment is not None and row.assessment.achieved is False
    assert row.assessment.text == "Chưa đạt (còn thiếu 2,4 máy/100 dân)"
    assert _rows(cast.province.pk, quarter=1)["telephone_density"].assessment is None


def test_the_grid_costs_the_same_queries_for_2_or_20_communes(
    cast: StatisticsCast, django_assert_num_queries: Any
) -> None:
    communes = [CommuneFactory(parent=cast.province) for _ in range(2)]
    for commune in communes:
        _enter(cast, commune.pk, 2019, bts_stations="1", population="10")
    with django_assert_num_queries(4):
        sector_figures(year=2019, unit_id=cast.province.pk)
    for commune in [CommuneFactory(parent=cast.province) for _ in range(18)]:
        _enter(cast, commune.pk, 2019, bts_stations="1", internet_subscribers="3")
    with django_assert_num_queries(4):
        rows = {r.code: r for r in sector_figures(year=2019, unit_id=cast.province.pk)}
    assert rows["bts_stations"].value == 20


def test_an_unknown_unit_has_no_grid(db: None) -> None:
    assert sector_figures(year=2019, unit_id=999999) == []
