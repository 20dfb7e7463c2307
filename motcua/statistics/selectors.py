"""Reads of statistics: the figures of a scope and period, their trend, the dossiers behind them.

Every figure is read from ``Rollup`` rows: the whole months inside the
period from the month rows, the days at its edges from the day rows, in one
query whatever the number of dossiers (``figures``). A scope may be several
keys summed (today's province with the provinces merged into it in 2025).
The dossiers behind a number are the facts its measure counts
(``facts_behind``), read with the measure's own filter.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound, ValidationFailed

from .measures import BY_NAME, DURATION_BUCKETS, DURATION_NAMES, NAMES
from .models import Fact, Grain, OpenCount, Rollup, Scope
from .periods import Period, split

UNKNOWN_MEASURE = _("Unknown figure.")

# The fact's column each scope is keyed by (a unit's procedure: both).
SCOPE_FIELDS: dict[str, tuple[str, ...]] = {
    Scope.PROVINCE: ("province_id",),
    Scope.UNIT: ("receiving_unit_id",),
    Scope.AGENCY: ("agency_id",),
    Scope.PROCEDURE: ("procedure_id",),
    Scope.COMMUNE: ("commune_id",),
    Scope.UNIT_PROCEDURE: ("receiving_unit_id", "procedure_id"),
}


@dataclass(frozen=True)
class Where:
    """A scope of statistics: a kind (``Scope``) and the keys summed (one or several)."""

    scope: str
    keys: tuple[int, ...]
    key2: int = 0  # a unit's procedure: the procedure

    def rollups(self) -> Q:
        q = Q(scope=self.scope, key__in=self.keys)
        return q & Q(key2=self.key2) if self.scope == Scope.UNIT_PROCEDURE else q


class Measures(dict[str, int]):
    """The measures of a group: ``m["received"]``; derived figures as properties."""

    def __missing__(self, key: str) -> int:
        if key in BY_NAME:
            return 0
        raise KeyError(key)

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        """Return ``part`` as a percentage of ``whole`` (one decimal), None when nothing counts."""
        return round(100 * part / whole, 1) if whole else None

    @property
    def on_time_rate(self) -> float | None:
        """Finished early or on time among those judged."""
        judged = self["fin_early"] + self["fin_on_time"] + self["fin_late"]
        return self.share(self["fin_early"] + self["fin_on_time"], judged)

    @property
    def online_rate(self) -> float | None:
        return self.share(self["recv_online"], self["received"])

    @property
    def average_days(self) -> float | None:
        """Average processing time, in days (elapsed)."""
        n = self["proc_count"]
        return round(self["proc_seconds"] / n / 86400, 1) if n else None

    @property
    def median_days(self) -> float | None:
        """Median processing time in days, interpolated inside its bucket."""
        counts = [self[name] for name in DURATION_NAMES]
        total = sum(counts)
        if not total:
            return None
        half = total / 2
        seen = 0
        for index, count in enumerate(counts):
            if count and seen + count >= half:
                low = DURATION_BUCKETS[index - 1] if index else 0.0
                high = DURATION_BUCKETS[index] if index < len(DURATION_BUCKETS) else low
                return round(low + (high - low) * (half - seen) / count, 1)
            seen += count
        return None  # pragma: no cover


@dataclass
class Figures:
    """The measures of a scope over a period, with a breakdown by group when asked."""

    period: Period
    totals: Measures
    carried_over: int
    groups: dict[int, Measures] = field(default_factory=dict)


def _period_filter(period: Period) -> Q:
    months, days = split(period)
    q = Q(grain=Grain.MONTH, day__in=months) if months else Q(pk__in=[])
    for lo, hi in days:
        q |= Q(grain=Grain.DAY, day__gte=lo, day__lte=hi)
    return q


def _before_filter(start: dt.date) -> Q:
    """Everything counted before ``start``: whole months, then the days of its month."""
    first = start.replace(day=1)
    q = Q(grain=Grain.MONTH, day__lt=first)
    if start > first:
        q |= Q(grain=Grain.DAY, day__gte=first, day__lt=start)
    return q


def _sums(names: Sequence[str]) -> dict[str, Sum]:
    return {name: Sum(name) for name in names}


def _measures(row: dict[str, int | None]) -> Measures:
    return Measures({name: int(row.get(name) or 0) for name in NAMES})


def carried_over(where: Where, start: dt.date) -> int:
    """Return the dossiers received before ``start`` and not finished by then; one query."""
    row = (
        Rollup.objects.filter(where.rollups())
        .filter(_before_filter(start))
        .aggregate(received=Sum("received"), finished=Sum("finished"))
    )
    return int(row["received"] or 0) - int(row["finished"] or 0)


def figures(
    *, where: Where, period: Period, by: str | None = None, keys: Sequence[int] = ()
) -> Figures:
    """Return the measures of ``where`` over ``period``; 2 queries, 3 with a breakdown.

    ``by`` (a ``Scope``) and ``keys``: also the measures of each of those
    groups (e.g. the agencies of a province), keyed by group (a unit's
    procedures: by procedure, the unit's id given as the one key).
    """
    span = _period_filter(period)
    row = Rollup.objects.filter(where.rollups()).filter(span).aggregate(**_sums(NAMES))
    out = Figures(period, _measures(row), carried_over(where, period.start))
    if by:
        group_col = "key2" if by == Scope.UNIT_PROCEDURE else "key"
        for grouped in (
            Rollup.objects.filter(scope=by, key__in=keys)
            .filter(span)
            .values(group_col)
            .annotate(**_sums(NAMES))
            .order_by()
        ):
            out.groups[grouped[group_col]] = _measures(grouped)
    return out


def series(
    *, where: Where, period: Period, names: Sequence[str] = NAMES
) -> list[tuple[dt.date, Measures]]:
    """Return ``names`` month by month over ``period`` (edge months: their days inside); 1 query."""
    by_month: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        Rollup.objects.filter(where.rollups())
        .filter(_period_filter(period))
        .values("grain", "day")
        .annotate(**_sums(names))
        .order_by()
    )
    for row in rows:
        values: dict[str, object] = dict(row)
        month = values["day"].replace(day=1)  # type: ignore[attr-defined]
        for name in names:
            by_month[month][name] += int(values[name] or 0)  # type: ignore[call-overload]
    return [(month, Measures({n: by_month[month][n] for n in names})) for month in period.months()]


@dataclass(frozen=True)
class Open:
    """Dossiers open at the end of a day (from the daily counts), or None when not counted."""

    day: dt.date
    open: int
    within: int
    past: int
    paused_supplement: int
    paused_payment: int
    withdrawal_requested: int


def open_at(where: Where, day: dt.date) -> Open | None:
    """Return the open dossiers of ``where`` at the end of ``day`` (the day's count); one query."""
    q = Q(scope=where.scope, key__in=where.keys, day=day)
    if where.scope == Scope.UNIT_PROCEDURE:
        q &= Q(key2=where.key2)
    names = (
        "open",
        "within",
        "past",
        "paused_supplement",
        "paused_payment",
        "withdrawal_requested",
    )
    row = OpenCount.objects.filter(q).aggregate(**_sums(names))
    if row["open"] is None:
        return None
    return Open(day, *(int(row[n] or 0) for n in names))


def facts_behind(*, where: Where, period: Period, measure: str) -> QuerySet[Fact]:
    """Return the facts counted in ``measure`` for ``where`` over ``period``, newest first.

    Raises NotFound for an unknown measure.
    """
    spec = BY_NAME.get(measure)
    if spec is None:
        raise NotFound(UNKNOWN_MEASURE)
    columns = SCOPE_FIELDS.get(where.scope)
    if columns is None:
        raise ValidationFailed(UNKNOWN_MEASURE)
    q = Q(**{f"{columns[0]}__in": where.keys})
    if len(columns) > 1:
        q &= Q(**{columns[1]: where.key2})
    q &= Q(**{f"{spec.on}__gte": period.start, f"{spec.on}__lte": period.end})
    return Fact.objects.filter(q & spec.q).order_by(f"-{spec.on}", "-id")
