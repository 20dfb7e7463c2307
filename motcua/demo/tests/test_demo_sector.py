"""The demo's sector figures and targets: Đà Nẵng this year and last, Quảng Nam 2019."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.demo.sector import STATISTICIAN, demo_sector_load
from motcua.demo.services import DemoSummary
from motcua.sector.models import SectorPeriod
from motcua.sector.selectors import FigureRow, sector_figures
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel

pytestmark = pytest.mark.django_db


def _rows(code: str, era: str, year: int) -> dict[str, FigureRow]:
    unit = AdministrativeUnit.objects.get(level=UnitLevel.PROVINCE, era=era, code=code)
    return {r.code: r for r in sector_figures(year=year, unit_id=unit.pk)}


def test_quang_nam_2019_has_the_reports_figures_and_is_closed(demo: DemoSummary) -> None:
    rows = _rows("49", UnitEra.LEGACY, 2019)
    assert rows["telephone_subscribers"].value == 1169375
    assert rows["telephone_density"].value == Decimal("72.60")
    assert SectorPeriod.objects.get(year=2019, quarter=None, month=None).is_closed


def test_da_nang_this_year_is_assessed_against_its_targets(demo: DemoSummary) -> None:
    year = timezone.localdate().year
    rows = _rows("48", UnitEra.CURRENT, year)
    telephone = rows["telephone_density"].assessment
    internet = rows["internet_density"].assessment
    assert telephone is not None and internet is not None
    assert telephone.achieved is True and internet.achieved is False
    assert rows["bts_stations"].previous == 5480
    assert SectorPeriod.objects.get(year=year - 1, quarter=None, month=None).is_closed


def test_loading_again_changes_nothing(demo: DemoSummary) -> None:
    entries = AuditEntry.objects.count()
    assert demo_sector_load() == 0
    assert AuditEntry.objects.count() == entries


def test_the_statistician_opens_the_grid(demo: DemoSummary, client: Client) -> None:
    client.force_login(get_user_model().objects.get(username=STATISTICIAN))
    html = client.get("/can-bo/thong-ke/nganh/").content.decode()
    assert "Thành phố Đà Nẵng" in html and 'name="value-population"' in html


def test_the_annual_review_reads_the_sector_figures_and_their_targets(demo: DemoSummary) -> None:
    from motcua.review.providers import ReviewInput, figures_of
    from motcua.statistics.scopes import subject_of

    province = AdministrativeUnit.objects.get(
        level=UnitLevel.PROVINCE, era=UnitEra.CURRENT, code="48"
    )
    year = timezone.localdate().year
    found = figures_of(ReviewInput(year, subject_of("province", province.pk))).by_code
    density = found["telephone_density"]
    assert density.source_indicator == "sector.telephone_density"
    assert density.value == 111.65 and density.target_assessment == "Đạt (vượt 6,65 máy/100 dân)"
    assert found["bts_stations"].previous_value == 5480
