"""Figures, periods and metrics: closed periods, reopening by an administrator, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, Forbidden, ValidationFailed
from motcua.sector import services
from motcua.sector.models import PeriodState, SectorFigure, SectorPeriod
from motcua.targets.models import TargetIndicator
from motcua.testing import StatisticsCast

pytestmark = pytest.mark.django_db


def _set(cast: StatisticsCast, value: str | None, code: str = "bts_stations", **kw: object) -> str:
    change = services.sector_figure_set(
        metric_code=code,
        year=2025,
        unit_id=cast.province.pk,
        value=None if value is None else Decimal(value),
        actor=kw.pop("actor", cast.statistician),
        **kw,  # type: ignore[arg-type]
    )
    return change.outcome


def test_a_figure_is_created_updated_unchanged_and_removed(cast: StatisticsCast) -> None:
    assert _set(cast, "2000") == "created"
    assert _set(cast, "2000") == "unchanged"
    assert _set(cast, "2100") == "updated"
    assert _set(cast, None) == "deleted"
    assert not SectorFigure.objects.exists()


def test_every_change_is_audited_with_before_and_after(cast: StatisticsCast) -> None:
    _set(cast, "2000")
    _set(cast, "2100")
    entries = list(AuditEntry.objects.filter(action="sector.figure_set").order_by("id"))
    assert len(entries) == 2
    assert entries[0].before is None
    before, after = entries[1].before or {}, entries[1].after or {}
    assert (before["value"], after["value"]) == ("2000.0000", "2100.0000")
    assert entries[1].actor == cast.statistician


def test_closed_period_refuses_a_figure(cast: StatisticsCast) -> None:
    _set(cast, "2000")
    period = SectorPeriod.objects.get(year=2025, quarter=None, month=None)
    services.sector_period_close(period_id=period.pk, actor=cast.statistician)
    with pytest.raises(Conflict) as refused:
        _set(cast, "2100")
    assert "Năm 2025" in str(refused.value.message) or "2025" in str(refused.value.message)
    assert SectorFigure.objects.get().value == Decimal("2000")


def test_reopen_by_an_administrator_allows_a_figure_and_is_audited(cast: StatisticsCast) -> None:
    _set(cast, "2000")
    period = SectorPeriod.objects.get(year=2025)
    services.sector_period_close(period_id=period.pk, actor=cast.leader)
    with pytest.raises(Forbidden):
        services.sector_period_reopen(period_id=period.pk, reason="sai số", actor=cast.statistician)
    with pytest.raises(ValidationFailed):
        services.sector_period_reopen(period_id=period.pk, reason="  ", actor=cast.administrator)
    services.sector_period_reopen(
        period_id=period.pk, reason="Sở báo cáo lại số trạm BTS", actor=cast.administrator
    )
    period.refresh_from_db()
    assert period.state == PeriodState.OPEN
    assert period.reopened_by == cast.administrator
    entry = AuditEntry.objects.get(action="sector.period_reopen")
    assert entry.note == "Sở báo cáo lại số trạm BTS"
    assert (entry.before or {})["state"] == "closed"
    assert (entry.after or {})["state"] == "open"
    assert _set(cast, "2100") == "updated"


def test_closing_twice_and_reopening_an_open_period_are_conflicts(cast: StatisticsCast) -> None:
    _set(cast, "1")
    period = SectorPeriod.objects.get()
    with pytest.raises(Conflict):
        services.sector_period_reopen(period_id=period.pk, reason="x", actor=cast.administrator)
    services.sector_period_close(period_id=period.pk, actor=cast.statistician)
    with pytest.raises(Conflict):
        services.sector_period_close(period_id=period.pk, actor=cast.statistician)


def test_only_statisticians_and_leaders_enter_figures(cast: StatisticsCast) -> None:
    for person in (cast.reader, cast.outsider, cast.administrator):
        with pytest.raises(Forbidden):
            _set(cast, "1", actor=person)
    assert _set(cast, "1", actor=cast.leader) == "created"


def test_a_computed_density_is_never_entered(cast: StatisticsCast) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _set(cast, "72.6", code="telephone_density")
    assert "telephone_density" in refused.value.field_errors


def test_the_grid_is_saved_whole_or_not_at_all(cast: StatisticsCast) -> None:
    with pytest.raises(ValidationFailed) as refused:
        services.sector_figures_save(
            year=2025,
            unit_id=cast.province.pk,
            entries={
                "population": ("1.610.710", ""),
                "bts_stations": ("nhiều", ""),
                "fibre_commune_rate": ("120", ""),
                "no_such": ("1", ""),
            },
            actor=cast.statistician,
        )
    assert set(refused.value.field_errors) == {"bts_stations", "fibre_commune_rate", "no_such"}
    assert not SectorFigure.objects.exists()
    changes = services.sector_figures_save(
        year=2025,
        unit_id=cast.province.pk,
        entries={"population": ("1.610.710", "Cục Thống kê"), "bts_stations": ("2.000", "")},
        actor=cast.statistician,
    )
    assert [c.outcome for c in changes] == ["created", "created"]
    assert SectorFigure.objects.get(metric__code="bts_stations").value == 2000


def test_a_period_is_a_year_a_quarter_or_a_month(cast: StatisticsCast) -> None:
    with pytest.raises(ValidationFailed):
        _set(cast, "1", quarter=1, month=2)
    with pytest.raises(ValidationFailed):
        _set(cast, "1", quarter=5)
    _set(cast, "1", quarter=2)
    _set(cast, "1", month=12)
    assert SectorPeriod.objects.count() == 2


def test_a_new_metric_gets_a_target_indicator_of_its_code(cast: StatisticsCast) -> None:
    metric = services.sector_metric_create(
        code="wifi_points",
        name="Điểm wifi công cộng",
        unit_label="điểm",
        kind="count",
        actor=cast.statistician,
    )
    indicator = TargetIndicator.objects.get(code="wifi_points")
    assert indicator.unit == "number" and indicator.unit_label == "điểm"
    assert AuditEntry.objects.filter(action="sector.metric_save", object_id=str(metric.pk)).exists()
    with pytest.raises(ValidationFailed) as refused:
        services.sector_metric_create(
            code="wifi_points", name="", kind="density", actor=cast.statistician
        )
    assert set(refused.value.field_errors) == {"code", "name", "numerator"}
