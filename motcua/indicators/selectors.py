"""Reads of the indicators: the set in force, a subject's scorecard, the ranking of agencies.

A scorecard costs a constant number of queries whatever the number of
dossiers: the set in force at the period's end (2), the subject's figures
from the statistics rollups (``figures``: 2), the dossiers open at the
period's end (1) and the catalogue's procedures by online level on the
period's last day, from the catalogue's history (2). The
ranking of a province's agencies reads every agency's figures at once
(``figures(by="a")``) and scores each with the same rules.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from motcua.catalog.history import Tally, online_provision, provisions_as_of
from motcua.core.errors import NotFound, ValidationFailed
from motcua.organisation.models import Agency
from motcua.statistics.models import OpenCount, Scope
from motcua.statistics.periods import Period
from motcua.statistics.scopes import Subject, groups_of
from motcua.statistics.selectors import Measures, figures, open_at

from . import formulas
from .formulas import Result, Side
from .models import Indicator, IndicatorSet

NO_SET = _("No indicator set is in force for this period.")
RANKING_IS_FOR_PROVINCES = _("Agencies are ranked within a province: choose a province.")

# The list of dossiers behind a number (the statistics engineer's page).
FACTS_PATH = "/can-bo/thong-ke/ho-so/"


# --- The rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRule:
    code: str
    name: str
    max_points: float
    formula: str
    params: dict[str, Any]
    legal_source: str


@dataclass(frozen=True)
class GroupRule:
    code: str
    name: str
    max_points: float
    indicators: tuple[IndicatorRule, ...]


@dataclass(frozen=True)
class Rules:
    """A set of indicators as read for scoring."""

    id: int
    code: str
    name: str
    legal_source: str
    valid_from: dt.date
    published: bool
    groups: tuple[GroupRule, ...]

    @property
    def max_points(self) -> float:
        return sum(g.max_points for g in self.groups)


def rules_of(indicator_set: IndicatorSet) -> Rules:
    """Return the rules of ``indicator_set``; one query."""
    rows = Indicator.objects.filter(group__indicator_set=indicator_set).select_related("group")
    by_group: dict[int, list[Indicator]] = defaultdict(list)
    groups = {}
    for row in rows.order_by("group__order", "group_id", "order", "id"):
        groups[row.group_id] = row.group
        by_group[row.group_id].append(row)
    return Rules(
        indicator_set.pk,
        indicator_set.code,
        indicator_set.name,
        indicator_set.legal_source,
        indicator_set.valid_from,
        indicator_set.published,
        tuple(
            GroupRule(
                group.code,
                group.name,
                float(group.max_points),
                tuple(
                    IndicatorRule(
                        i.code,
                        i.name,
                        float(i.max_points),
                        i.formula,
                        i.parameters,
                        i.legal_source,
                    )
                    for i in by_group[pk]
                ),
            )
            for pk, group in groups.items()
        ),
    )


def set_in_force(day: dt.date) -> IndicatorSet:
    """Return the published set in force on ``day`` (the latest ``valid_from`` on or before it);
    one query. NotFound when none is."""
    found = (
        IndicatorSet.objects.filter(published=True, valid_from__lte=day)
        .order_by("-valid_from", "-id")
        .first()
    )
    if found is None:
        raise NotFound(NO_SET)
    return found


def sets() -> list[IndicatorSet]:
    """Return every set, the newest first; one query."""
    return list(IndicatorSet.objects.order_by("-valid_from", "-id"))


# --- The catalogue's procedures by online level --------------------------------------------


def _level_values(tally: Tally) -> dict[str, int]:
    return {
        "procedures": tally.published,
        "procedures_full": tally.full,
        "procedures_partial": tally.partial,
        "procedures_lv3": tally.level_3,
        "procedures_lv4": tally.level_4,
    }


def _online_counts(subject: Subject, as_of: dt.date) -> dict[str, int]:
    """Return the subject's procedures published on ``as_of`` by online level; 2-3 queries.

    From the catalogue's history (``catalog.history.online_provision``): a
    province's procedures with those of the provinces merged into it, an
    agency's with those of the agencies it took over, a one-stop unit's
    those of its province, a commune's those of its agencies, a procedure
    its own.
    """
    if subject.kind == "procedure":
        tally = Tally()
        for row in provisions_as_of(as_of).filter(procedure_id=subject.id, is_published=True):
            tally.add(row.online_level, row.legacy_online_level, 1)
        return _level_values(tally)
    if subject.kind == "agency":
        counts = online_provision(as_of=as_of, agency_ids=subject.where.keys)
    elif subject.kind == "commune":
        agencies = Agency.objects.filter(administrative_unit_id=subject.id)
        counts = online_provision(
            as_of=as_of, agency_ids=list(agencies.values_list("pk", flat=True))
        )
    else:  # a province, or a one-stop unit (it receives its province's procedures)
        province = subject.id if subject.kind == "province" else subject.province_id
        if province is None:
            return _level_values(Tally())
        counts = online_provision(as_of=as_of, province_id=province)
    return _level_values(counts.total)


def _online_counts_by_agency(province_id: int, as_of: dt.date) -> dict[int, dict[str, int]]:
    """Return each agency's procedures published on ``as_of`` by online level; 2 queries."""
    counts = online_provision(as_of=as_of, province_id=province_id)
    return {row.agency_id: _level_values(row.tally) for row in counts.by_agency}


# --- Scoring -------------------------------------------------------------------------------


def open_day(period: Period) -> dt.date:
    """Return the day whose open dossiers count for ``period``: its end, or today if sooner."""
    return min(period.end, timezone.localdate())


def dossiers_link(*, subject: Subject, merged: bool, period: Period, measure: str) -> str:
    """Return the URL of the list of dossiers counted in ``measure`` for the subject and period."""
    query: dict[str, str | int] = {
        "doi-tuong": subject.kind,
        "id": subject.id,
        "gop": 1 if merged else 0,
        "chi-so": measure,
        "tu": period.start.strftime("%d/%m/%Y"),
        "den": period.end.strftime("%d/%m/%Y"),
    }
    return f"{FACTS_PATH}?{urlencode(query)}"


@dataclass(frozen=True)
class LinkedTerm:
    """A figure behind an indicator, with the link to its dossiers when it is a measure."""

    name: str
    label: str
    value: int
    weight: float
    href: str | None


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    name: str
    formula: str
    legal_source: str
    max_points: float
    result: Result
    numerator: tuple[LinkedTerm, ...] = ()
    denominator: tuple[LinkedTerm, ...] = ()

    @property
    def value(self) -> float | None:
        return self.result.value

    @property
    def unit(self) -> str:
        return self.result.unit

    @property
    def points(self) -> float | None:
        return self.result.points

    @property
    def scored(self) -> bool:
        return self.result.scored

    @property
    def note(self) -> str:
        return self.result.note

    @property
    def numerator_total(self) -> float | None:
        return self.result.numerator.total if self.result.numerator else None

    @property
    def denominator_total(self) -> float | None:
        return self.result.denominator.total if self.result.denominator else None


@dataclass(frozen=True)
class GroupScore:
    code: str
    name: str
    max_points: float
    indicators: tuple[IndicatorScore, ...]

    @property
    def points(self) -> float:
        """Points earned by the indicators that could be scored."""
        return round(sum(i.points or 0 for i in self.indicators), 2)

    @property
    def scorable(self) -> float:
        """Points that could be scored: those of the indicators with data."""
        return round(sum(i.max_points for i in self.indicators if i.scored), 2)


@dataclass(frozen=True)
class Scorecard:
    """A subject's indicators over a period, under the rules in force at the period's end."""

    subject: Subject
    period: Period
    merged: bool
    rules: Rules
    groups: tuple[GroupScore, ...]
    open_counted: bool
    values: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return round(sum(g.points for g in self.groups), 2)

    @property
    def scorable(self) -> float:
        return round(sum(g.scorable for g in self.groups), 2)

    @property
    def max_points(self) -> float:
        return self.rules.max_points

    @property
    def out_of_100(self) -> float | None:
        """The total brought to 100 over the points that could be scored (None: none could)."""
        return round(100 * self.total / self.scorable, 1) if self.scorable else None


def _linked(side: Side | None, link: Any) -> tuple[LinkedTerm, ...]:
    if side is None:
        return ()
    return tuple(
        LinkedTerm(t.name, t.label, t.value, t.weight, link(t.name) if t.is_measure else None)
        for t in side.terms
    )


def score(rules: Rules, values: Mapping[str, int], link: Any = None) -> tuple[GroupScore, ...]:
    """Score ``values`` under ``rules``; no query. ``link(measure)`` makes the terms' links."""
    link = link or (lambda _name: None)
    out = []
    for group in rules.groups:
        scored = []
        for rule in group.indicators:
            result = formulas.evaluate(rule.formula, rule.params, values, rule.max_points)
            scored.append(
                IndicatorScore(
                    rule.code,
                    rule.name,
                    rule.formula,
                    rule.legal_source,
                    rule.max_points,
                    result,
                    _linked(result.numerator, link),
                    _linked(result.denominator, link),
                )
            )
        out.append(GroupScore(group.code, group.name, group.max_points, tuple(scored)))
    return tuple(out)


def _values(
    measures: Measures, within: int, past: int, procedures: Mapping[str, int]
) -> dict[str, int]:
    return {**measures, "open_within": within, "open_past": past, **procedures}


def scorecard(*, subject: Subject, period: Period, merged: bool = True) -> Scorecard:
    """Return ``subject``'s scorecard over ``period``; 7 queries whatever the dossiers.

    NotFound when no set is in force at the period's end.
    """
    rules = rules_of(set_in_force(period.end))
    figs = figures(where=subject.where, period=period)
    opened = open_at(subject.where, open_day(period))
    values = _values(
        figs.totals,
        opened.within if opened else 0,
        opened.past if opened else 0,
        _online_counts(subject, period.end),
    )

    def link(measure: str) -> str:
        return dossiers_link(subject=subject, merged=merged, period=period, measure=measure)

    return Scorecard(
        subject, period, merged, rules, score(rules, values, link), opened is not None, values
    )


@dataclass(frozen=True)
class Ranked:
    """An agency's place among its province's agencies."""

    rank: int
    agency_id: int
    name: str
    total: float
    scorable: float
    out_of_100: float | None
    groups: tuple[GroupScore, ...]


def ranking(*, subject: Subject, period: Period) -> tuple[Rules, list[Ranked]]:
    """Return the rules and the province's agencies ranked by score (out of 100); 9 queries.

    ValidationFailed unless ``subject`` is a province.
    """
    if subject.kind != "province":
        raise ValidationFailed(RANKING_IS_FOR_PROVINCES)
    rules = rules_of(set_in_force(period.end))
    agencies = groups_of(subject, "agency")
    ids = [pk for pk, _name in agencies]
    figs = figures(where=subject.where, period=period, by=Scope.AGENCY, keys=ids)
    opened: dict[int, dict[str, Any]] = {
        row["key"]: dict(row)
        for row in OpenCount.objects.filter(scope=Scope.AGENCY, key__in=ids, day=open_day(period))
        .values("key")
        .annotate(within=Sum("within"), past=Sum("past"))
        .order_by()
    }
    procedures = _online_counts_by_agency(subject.id, period.end)
    rows = []
    for pk, name in agencies:
        row: dict[str, Any] = opened.get(pk, {})
        values = _values(
            figs.groups.get(pk, Measures()),
            int(row.get("within") or 0),
            int(row.get("past") or 0),
            procedures.get(pk, _level_values(Tally())),
        )
        groups = score(rules, values)
        total = round(sum(g.points for g in groups), 2)
        scorable = round(sum(g.scorable for g in groups), 2)
        rows.append((pk, name, total, scorable, groups))
    rows.sort(key=lambda r: (-(100 * r[2] / r[3]) if r[3] else 1, r[1]))
    ranked = [
        Ranked(
            index + 1, pk, name, total, scorable,
            round(100 * total / scorable, 1) if scorable else None, groups,
        )
        for index, (pk, name, total, scorable, groups) in enumerate(rows)
    ]  # fmt: skip
    return rules, ranked
