"""Targets: set and deleted with audit, assessed in both directions, read in one query."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from motcua.audit.models import AuditEntry
from motcua.core.errors import Forbidden, NotFound, ValidationFailed
from motcua.targets.models import Direction, Target, TargetIndicator
from motcua.targets.selectors import assess, targets_for
from motcua.targets.services import target_delete, target_set
from motcua.testing import AgencyFactory, CommuneFactory, StatisticsCast

pytestmark = pytest.mark.django_db


def _set(cast: StatisticsCast, code: str, value: str, **scope: Any) -> Target:
    scope = scope or {"province_id": cast.province.pk}
    return target_set(indicator_code=code, year=2026, value=value, actor=cast.statistician, **scope)


def test_the_indicators_are_seeded() -> None:
    codes = set(TargetIndicator.objects.values_list("code", flat=True))
    assert {"online_dossier_rate", "full_online_rate", "post_returned", "bts_stations"} <= codes


def test_a_target_achieved_says_by_how_much(cast: StatisticsCast) -> None:
    _set(cast, "full_online_rate", "50")
    found = assess(
        code="full_online_rate", year=2026, value=Decimal("53.2"), province_id=cast.province.pk
    )
    assert found is not None
    assert (found.achieved, found.distance) == (True, Decimal("3.2"))
    assert found.text == "Đạt (vượt 3,2 điểm %)"


def test_a_target_not_achieved_says_what_is_missing(cast: StatisticsCast) -> None:
    _set(cast, "telephone_subscribers", "1170625")
    found = assess(
        code="telephone_subscribers",
        year=2026,
        value=Decimal("1169375"),
        province_id=cast.province.pk,
    )
    assert found is not None
    assert (found.achieved, found.distance) == (False, Decimal("-1250"))
    assert found.text == "Chưa đạt (còn thiếu 1.250 thuê bao)"


def test_at_most_counts_lower_as_better(cast: StatisticsCast) -> None:
    TargetIndicator.objects.filter(code="online_dossier_rate").update(direction=Direction.AT_MOST)
    _set(cast, "online_dossier_rate", "10")
    under = assess(
        code="online_dossier_rate", year=2026, value=Decimal("8"), province_id=cast.province.pk
    )
    over = assess(
        code="online_dossier_rate", year=2026, value=Decimal("12.5"), province_id=cast.province.pk
    )
    assert under is not None and over is not None
    assert (under.achieved, under.distance) == (True, Decimal("2"))
    assert (over.achieved, over.distance) == (False, Decimal("-2.5"))
    assert over.text == "Chưa đạt (vượt mức tối đa 2,5 điểm %)"


def test_no_target_no_assessment_and_no_value_is_said(cast: StatisticsCast) -> None:
    assert (
        assess(code="reuse_rate", year=2026, value=Decimal(1), province_id=cast.province.pk) is None
    )
    _set(cast, "reuse_rate", "80")
    found = assess(code="reuse_rate", year=2026, value=None, province_id=cast.province.pk)
    assert found is not None and found.achieved is None and found.text == "Chưa có số liệu"


def test_an_agency_falls_back_to_its_provinces_target_in_one_query(
    cast: StatisticsCast, django_assert_num_queries: Any
) -> None:
    commune_agency = AgencyFactory(administrative_unit=CommuneFactory(parent=cast.province))
    _set(cast, "on_time_rate", "98")
    _set(cast, "e_result_rate", "90")
    _set(cast, "on_time_rate", "95", agency_id=commune_agency.pk)
    with django_assert_num_queries(1):
        found = targets_for(year=2026, agency_id=commune_agency.pk)
    assert found["on_time_rate"].value == 95 and found["on_time_rate"].agency_id
    assert found["e_result_rate"].value == 90 and found["e_result_rate"].province_id
    with django_assert_num_queries(1):
        assert targets_for(year=2026, agency_id=cast.department.pk)["on_time_rate"].value == 98


def test_setting_again_replaces_the_value_and_audits_both(cast: StatisticsCast) -> None:
    _set(cast, "digitisation_rate", "70")
    target = _set(cast, "digitisation_rate", "80,5")
    assert Target.objects.count() == 1 and target.value == Decimal("80.5")
    entries = list(AuditEntry.objects.filter(action="targets.target_set").order_by("id"))
    assert (entries[1].before or {})["value"] == "70.0000"
    assert (entries[1].after or {})["value"] == "80.5000"
    target_delete(target_id=target.pk, actor=cast.leader)
    assert not Target.objects.exists()
    assert AuditEntry.objects.filter(action="targets.target_delete").count() == 1
    with pytest.raises(NotFound):
        target_delete(target_id=target.pk, actor=cast.leader)


def test_bad_targets_are_refused(cast: StatisticsCast) -> None:
    with pytest.raises(Forbidden):
        target_set(
            indicator_code="reuse_rate",
            year=2026,
            value="80",
            province_id=cast.province.pk,
            actor=cast.reader,
        )
    for kwargs, field in (
        ({"value": "120"}, "value"),
        ({"value": "-1"}, "value"),
        ({"value": "nhiều"}, "value"),
        ({"indicator_code": "nope"}, "indicator"),
        ({"province_id": None}, "scope"),
        ({"agency_id": cast.department.pk}, "scope"),
        ({"year": 1999}, "year"),
    ):
        arguments: dict[str, Any] = {
            "indicator_code": "reuse_rate",
            "year": 2026,
            "value": "80",
            "province_id": cast.province.pk,
            **kwargs,
        }
        with pytest.raises(ValidationFailed) as refused:
            target_set(actor=cast.statistician, **arguments)
        assert field in refused.value.field_errors, kwargs
    assert not Target.objects.exists()
