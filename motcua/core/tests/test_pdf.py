"""Lines every printed document shares: the date as Decree 30/2020/NĐ-CP writes it, the place."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from motcua.core.pdf import place_date, place_name, vn_date
from motcua.testing import AgencyFactory, CommuneFactory, ProvinceFactory


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (dt.date(2026, 12, 5), "ngày 05 tháng 12 năm 2026"),
        (dt.date(2026, 1, 15), "ngày 15 tháng 01 năm 2026"),
        (dt.date(2026, 2, 28), "ngày 28 tháng 02 năm 2026"),
        (dt.date(2026, 3, 1), "ngày 01 tháng 3 năm 2026"),
        (dt.date(2026, 11, 30), "ngày 30 tháng 11 năm 2026"),
    ],
)
def test_days_below_10_and_months_1_and_2_take_a_leading_zero(day: dt.date, written: str) -> None:
    assert vn_date(day) == written


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("province", "place"),
    [
        ("Thành phố Đà Nẵng", "Đà Nẵng"),
        ("Tỉnh Quảng Ngãi", "Quảng Ngãi"),
        ("Thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh"),  # named after a person: in full
    ],
)
def test_the_place_is_the_province_of_the_issuer(province: str, place: str, settings: Any) -> None:
    settings.MOTCUA_PLACE_NAME = ""
    unit = ProvinceFactory(code="99", name=province)
    assert place_name(AgencyFactory(administrative_unit=unit)) == place
    commune = CommuneFactory(parent=unit)
    assert place_name(AgencyFactory(administrative_unit=commune)) == place


@pytest.mark.django_db
def test_a_configured_place_wins_and_a_time_is_read_in_local_time(settings: Any) -> None:
    settings.MOTCUA_PLACE_NAME = ""
    agency = AgencyFactory()
    # 23:30 on 4 December in UTC is already the 5th in Vietnam.
    late = dt.datetime(2026, 12, 4, 23, 30, tzinfo=dt.UTC)
    assert place_date(agency, late) == "Đà Nẵng, ngày 05 tháng 12 năm 2026"
    settings.MOTCUA_PLACE_NAME = "Hội An"
    assert place_date(agency, late.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))).startswith("Hội An, ")


def test_without_an_agency_or_a_place_only_the_date_is_written(settings: Any) -> None:
    settings.MOTCUA_PLACE_NAME = ""
    assert place_date(None, dt.date(2026, 12, 5)) == "ngày 05 tháng 12 năm 2026"
