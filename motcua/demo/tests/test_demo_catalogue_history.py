"""The demo's catalogue history: former Quảng Nam in 2019, the city before and after 2022."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.catalog.history import SCHEME_LEGACY, online_provision
from motcua.demo.catalogue_history import demo_catalogue_history_load
from motcua.demo.services import DemoSummary
from motcua.organisation.models import Agency

pytestmark = pytest.mark.django_db


def test_as_of_the_end_of_2019_levels_3_and_4_are_counted(demo: DemoSummary) -> None:
    assert demo.catalogue_history is not None and not demo.catalogue_history.rejected
    counts = online_provision(as_of=dt.date(2019, 12, 31))
    assert counts.scheme == SCHEME_LEGACY
    assert counts.total.level_3 > 0 and counts.total.level_4 > 0
    names = {a.name for a in counts.by_agency}
    assert "Sở Thông tin và Truyền thông tỉnh Quảng Nam" in names
    assert "district" in {lv.level for lv in counts.by_level}


def test_former_agencies_count_under_the_city_agencies(demo: DemoSummary) -> None:
    so_tu_phap = Agency.objects.get(code="000.00.11.H15")
    old = Agency.objects.get(code="000.00.02.H47")
    assert not old.is_active and old.successor == so_tu_phap
    counts = online_provision(as_of=dt.date(2019, 12, 31), under_successors=True)
    assert "Sở Tư pháp tỉnh Quảng Nam" not in {a.name for a in counts.by_agency}
    assert online_provision(as_of=dt.date(2019, 12, 31), agency_ids=[so_tu_phap.pk]).total.published


def test_procedures_became_fully_online_last_year(demo: DemoSummary) -> None:
    today = timezone.localdate()
    now = online_provision(as_of=today).total
    before = online_provision(as_of=dt.date(2023, 6, 30)).total
    assert now.full > 0 and before.full == 0 and before.partial > 0
    assert now.published == 38  # the city's published catalogue; 2019's are not published today


def test_loading_the_history_again_changes_nothing(demo: DemoSummary) -> None:
    report = demo_catalogue_history_load()
    assert report.counts() == {"unchanged": 40}
