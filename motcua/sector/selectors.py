"""Reads of sector figures: the grid of one unit and period, with densities, last year, targets.

``sector_figures`` costs the same few queries whatever the number of metrics
and communes: the metrics, the unit, every figure of the period and of the
same period a year before (of the unit and, for a province, of its
communes), and the year's targets (``targets_for``).

A province's figure of a count metric is its own figure if one was entered,
else the sum of its communes' figures (those of today's communes for a
current province; those under its districts for a province of before 2025)
when at least one commune has one. Percent metrics are never summed.
Densities (per 100 inhabitants) and percents with a numerator and a
denominator are computed from the figures above, never stored; a density
without the population says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from motcua.targets.selectors import Assessment, assessment_of, targets_for
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel

from .models import POPULATION, MetricKind, SectorFigure, SectorMetric, SectorPeriod

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class FigureRow:
    """One metric of the grid: the value of the period and the year before, and its target."""

    metric: SectorMetric
    value: Decimal | None
    origin: str  # entered, communes (summed), computed, or "" (no value)
    note: str
    previous: Decimal | None
    missing: str  # why a computed value is missing ("" when it is not)
    assessment: Assessment | None
    communes: int = 0  # how many communes' figures were summed

    @property
    def code(self) -> str:
        return self.metric.code

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def _values(
    metrics: list[SectorMetric],
    own: dict[int, tuple[Decimal, str]],
    communes: dict[int, list[Decimal]],
    summed: bool,
) -> dict[str, tuple[Decimal | None, str, str, int, str]]:
    """Return {code: (value, origin, note, communes summed, missing)} for one period."""
    out: dict[str, tuple[Decimal | None, str, str, int, str]] = {}
    by_id = {m.pk: m for m in metrics}
    for metric in metrics:
        if metric.kind == MetricKind.DENSITY:
            continue
        if metric.pk in own:
            value, note = own[metric.pk]
            out[metric.code] = (value, "entered", note, 0, "")
        elif summed and metric.kind == MetricKind.COUNT and communes.get(metric.pk):
            parts = communes[metric.pk]
            out[metric.code] = (sum(parts, Decimal(0)), "communes", "", len(parts), "")
        else:
            out[metric.code] = (None, "", "", 0, "")
    population = out.get(POPULATION, (None,))[0]
    for metric in metrics:
        numerator = by_id.get(metric.numerator_id) if metric.numerator_id else None
        if metric.kind == MetricKind.DENSITY:
            top = out.get(numerator.code, (None,))[0] if numerator else None
            if top is None:
                name = numerator.name if numerator else "?"
                out[metric.code] = (None, "", "", 0, _("No figure for %(name)s") % {"name": name})
            elif not population:
                out[metric.code] = (None, "", "", 0, _("No population figure for this period"))
            else:
                value = (top * 100 / population).quantize(TWO_PLACES, ROUND_HALF_UP)
                out[metric.code] = (value, "computed", "", 0, "")
        elif (
            metric.kind == MetricKind.PERCENT
            and out[metric.code][0] is None
            and numerator is not None
            and metric.denominator_id
        ):
            denominator = by_id.get(metric.denominator_id)
            top = out.get(numerator.code, (None,))[0]
            bottom = out.get(denominator.code, (None,))[0] if denominator else None
            if top is not None and bottom:
                value = (top * 100 / bottom).quantize(TWO_PLACES, ROUND_HALF_UP)
                out[metric.code] = (value, "computed", "", 0, "")
    return out


def _commune_filter(unit: AdministrativeUnit) -> Q:
    if unit.era == UnitEra.LEGACY:  # communes under the province's districts
        return Q(unit__parent__parent_id=unit.pk, unit__level=UnitLevel.COMMUNE)
    return Q(unit__parent_id=unit.pk, unit__level=UnitLevel.COMMUNE)


def _period_filter(year: int, quarter: int | None, month: int | None) -> Q:
    return (
        Q(
            period__year__in=[year, year - 1],
            period__quarter__isnull=quarter is None,
            period__month__isnull=month is None,
        )
        & Q(**({"period__quarter": quarter} if quarter else {}))
        & Q(**({"period__month": month} if month else {}))
    )


def sector_figures(
    *, year: int, unit_id: int, quarter: int | None = None, month: int | None = None
) -> list[FigureRow]:
    """Return the grid of the active metrics for ``unit_id`` and the period, in metric order.

    Four queries (metrics, unit, figures of both years, targets), whatever the
    number of metrics and communes. An unknown unit gives an empty list.
    """
    metrics = list(SectorMetric.objects.filter(is_active=True))
    unit = AdministrativeUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        return []
    is_province = unit.level == UnitLevel.PROVINCE
    where = Q(unit_id=unit.pk)
    if is_province:
        where |= _commune_filter(unit)
    figures = SectorFigure.objects.filter(
        where, _period_filter(year, quarter, month), metric__is_active=True
    ).values_list("metric_id", "period__year", "unit_id", "value", "note")
    own: dict[int, dict[int, tuple[Decimal, str]]] = {year: {}, year - 1: {}}
    communes: dict[int, dict[int, list[Decimal]]] = {
        year: defaultdict(list),
        year - 1: defaultdict(list),
    }
    for metric_id, period_year, figure_unit, value, note in figures:
        if figure_unit == unit.pk:
            own[period_year][metric_id] = (value, note)
        else:
            communes[period_year][metric_id].append(value)
    now = _values(metrics, own[year], communes[year], is_province)
    before = _values(metrics, own[year - 1], communes[year - 1], is_province)
    # Targets are yearly and per province: only a province's year figures are assessed.
    targets = (
        targets_for(year=year, province_id=unit.pk)
        if is_province and not (quarter or month)
        else {}
    )
    rows = []
    for metric in metrics:
        shown, origin, note, summed, missing = now[metric.code]
        target = targets.get(metric.code)
        rows.append(
            FigureRow(
                metric=metric,
                value=shown,
                origin=origin,
                note=note,
                previous=before[metric.code][0],
                missing=missing,
                assessment=assessment_of(target, shown) if target is not None else None,
                communes=summed,
            )
        )
    return rows


def sector_period(
    *, year: int, quarter: int | None = None, month: int | None = None
) -> SectorPeriod | None:
    """Return the period if it was ever used (a figure entered, or closed), else None."""
    return (
        SectorPeriod.objects.filter(year=year, quarter=quarter, month=month)
        .select_related("closed_by", "reopened_by")
        .first()
    )


def sector_periods() -> list[SectorPeriod]:
    """Return every period used, newest first."""
    return list(SectorPeriod.objects.all())


def reporting_units(*, around: AdministrativeUnit | None = None) -> list[AdministrativeUnit]:
    """Return the units figures are entered for: provinces (today's, then former ones), and the
    communes of ``around`` (a province) or of its province (a commune); two queries at most."""
    units = list(
        AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).order_by("-era", "name")
    )
    if around is not None:
        province_id = around.pk if around.level == UnitLevel.PROVINCE else around.parent_id
        if around.era == UnitEra.CURRENT and province_id is not None:
            units += list(
                AdministrativeUnit.objects.filter(
                    parent_id=province_id, level=UnitLevel.COMMUNE
                ).order_by("name")
            )
    return units


def unit_by_id(unit_id: int) -> AdministrativeUnit | None:
    """Return the administrative unit ``unit_id``, or None."""
    return AdministrativeUnit.objects.filter(pk=unit_id).first()


def metrics_all() -> list[SectorMetric]:
    """Return every metric (active or not) with its numerator and denominator."""
    return list(SectorMetric.objects.select_related("numerator", "denominator"))


@dataclass(frozen=True)
class FigureGrid:
    """The figures of one unit and period, with the period's state: the page's and the API's."""

    year: int
    quarter: int | None
    month: int | None
    unit: AdministrativeUnit
    period: SectorPeriod | None
    rows: list[FigureRow]

    @property
    def state(self) -> str:
        return self.period.state if self.period is not None else "open"


def sector_grid(
    *, year: int, unit_id: int, quarter: int | None = None, month: int | None = None
) -> FigureGrid | None:
    """Return the grid of ``unit_id`` for the period (None for an unknown unit); six queries."""
    unit = unit_by_id(unit_id)
    if unit is None:
        return None
    return FigureGrid(
        year=year,
        quarter=quarter,
        month=month,
        unit=unit,
        period=sector_period(year=year, quarter=quarter, month=month),
        rows=sector_figures(year=year, unit_id=unit.pk, quarter=quarter, month=month),
    )
