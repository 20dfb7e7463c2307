"""The formulas of the indicators: pure functions of the figures, keyed by name (``FORMULAS``).

An indicator names its formula and gives its parameters; a formula reads
the figures it needs (``values``: the statistics measures of the subject
and period, the dossiers open at the period's end, the catalogue's counts
of procedures by online level) and returns the indicator's value, its
points and the numbers behind it: each side of the ratio as the terms it
sums, so a page can link each term that is a statistics measure to the
dossiers it counts.

Expressions are sums of names (``fin_early+fin_on_time``); the names are
the statistics measures (``statistics.measures.NAMES``) and ``EXTRA``.
Points are proportional: ``max_points * min(1, value / full_score_at)``
(``full_score_at`` 100 unless given). An indicator with nothing to count
(a zero denominator) or no data at all (petitions: no module records them)
scores no points and is left out of the points that could be scored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed
from motcua.statistics.measures import BY_NAME

# Names an expression may use beyond the statistics measures.
EXTRA: dict[str, str | Promise] = {
    "open_within": _("Still open within their due date at the end of the period"),
    "open_past": _("Still open past their due date at the end of the period"),
    "procedures": _("Procedures in the catalogue"),
    "procedures_full": _("Procedures offered fully online"),
    "procedures_partial": _("Procedures offered partially online"),
    "procedures_lv3": _("Procedures online at level 3 (before 2022)"),
    "procedures_lv4": _("Procedures online at level 4 (before 2022)"),
}

UNKNOWN_FORMULA = _("Unknown formula.")
UNKNOWN_NAME = _("Unknown figure in an expression: %(name)s.")
BAD_EXPRESSION = _("Write an expression as figures joined by +, e.g. fin_early+fin_on_time.")
BAD_FULL_SCORE = _("The share that earns full points must be above 0 and at most 100.")
BAD_WEIGHTS = _("Give each rating level 1 to 5 a weight between 0 and 1.")
MISSING_PARAM = _("This formula needs the parameter %(name)s.")
BAD_DAYS = _("Give the number of days within which the full points are earned (above 0).")
BAD_PARAMS = _("The parameters must be a JSON object.")
NO_DATA = _("No data: the system does not record this.")
NOTHING_TO_COUNT = _("Nothing to count in this period.")
INFORMATIONAL = _("Shown for information, not scored.")

PERCENT = "%"
DAYS = "days"


def label_of(name: str) -> str:
    """Return the label of a figure an expression may use."""
    if name in BY_NAME:
        return str(BY_NAME[name].label)
    return str(EXTRA[name])


def names_of(expression: str) -> tuple[str, ...]:
    """Return the names summed by ``expression``; ValidationFailed for an unknown one."""
    if not isinstance(expression, str) or not expression.strip():
        raise ValidationFailed(BAD_EXPRESSION)
    names = tuple(part.strip() for part in expression.split("+"))
    for name in names:
        if not name:
            raise ValidationFailed(BAD_EXPRESSION)
        if name not in BY_NAME and name not in EXTRA:
            raise ValidationFailed(str(UNKNOWN_NAME) % {"name": name})
    return names


@dataclass(frozen=True)
class Term:
    """A figure in a sum: its name (a statistics measure links to its dossiers), label, value."""

    name: str
    label: str
    value: int
    weight: float = 1.0

    @property
    def is_measure(self) -> bool:
        return self.name in BY_NAME


@dataclass(frozen=True)
class Side:
    """One side of a ratio: the expression, its terms and their (weighted) total."""

    expression: str
    terms: tuple[Term, ...]
    total: float


@dataclass(frozen=True)
class Result:
    """What a formula gives: the value, the points (None: nothing to score) and the numbers."""

    value: float | None
    unit: str
    points: float | None
    numerator: Side | None = None
    denominator: Side | None = None
    note: str = ""

    @property
    def scored(self) -> bool:
        return self.points is not None


def side(
    expression: str, values: Mapping[str, int], weights: Mapping[str, float] | None = None
) -> Side:
    """Return the side of a ratio ``expression`` reads from ``values``."""
    terms = tuple(
        Term(n, label_of(n), int(values.get(n, 0)), (weights or {}).get(n, 1.0))
        for n in names_of(expression)
    )
    return Side(expression, terms, sum(t.value * t.weight for t in terms))


def proportional(share: float, full_at: float, max_points: float) -> float:
    """Return the points of ``share`` (%) when ``full_at`` (%) earns ``max_points``."""
    return round(max_points * min(1.0, share / full_at), 2)


def _full_at(params: Mapping[str, Any], *, required: bool = False) -> float:
    if "full_score_at" not in params:
        if required:
            raise ValidationFailed(str(MISSING_PARAM) % {"name": "full_score_at"})
        return 100.0
    value = params["full_score_at"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 100:
        raise ValidationFailed(BAD_FULL_SCORE)
    return float(value)


def _expression(params: Mapping[str, Any], key: str) -> str:
    if key not in params:
        raise ValidationFailed(str(MISSING_PARAM) % {"name": key})
    names_of(params[key])
    return str(params[key])


def _ratio_result(numerator: Side, denominator: Side, full_at: float, max_points: float) -> Result:
    if denominator.total <= 0:
        return Result(None, PERCENT, None, numerator, denominator, str(NOTHING_TO_COUNT))
    share = 100 * numerator.total / denominator.total
    return Result(
        round(share, 1), PERCENT, proportional(share, full_at, max_points), numerator, denominator
    )


def ratio(params: Mapping[str, Any], values: Mapping[str, int], max_points: float) -> Result:
    """Share of ``numerator`` in ``denominator``; full points at ``full_score_at`` (100)."""
    return _ratio_result(
        side(params["numerator"], values),
        side(params["denominator"], values),
        _full_at(params),
        max_points,
    )


def ratio_full_at(
    params: Mapping[str, Any], values: Mapping[str, int], max_points: float
) -> Result:
    """A ratio whose full points are reached at ``full_score_at`` (required), e.g. 80 %."""
    return ratio(params, values, max_points)


def _weights(params: Mapping[str, Any]) -> dict[str, float]:
    raw = params.get("weights")
    if not isinstance(raw, dict) or not raw:
        raise ValidationFailed(BAD_WEIGHTS)
    out: dict[str, float] = {}
    for level, weight in raw.items():
        if str(level) not in ("1", "2", "3", "4", "5"):
            raise ValidationFailed(BAD_WEIGHTS)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 1:
            raise ValidationFailed(BAD_WEIGHTS)
        out[f"rate_{level}"] = float(weight)
    return out


def satisfaction(params: Mapping[str, Any], values: Mapping[str, int], max_points: float) -> Result:
    """Weighted share of ratings (``weights`` per level 1-5) among all ratings of the period."""
    weights = _weights(params)
    levels = "+".join(name for name in sorted(weights, reverse=True) if weights[name])
    numerator = side(levels, values, weights) if levels else Side("", (), 0.0)
    return _ratio_result(numerator, side("rated", values), _full_at(params), max_points)


def average_days(params: Mapping[str, Any], values: Mapping[str, int], max_points: float) -> Result:
    """Average processing time in days; full points within ``full_score_within_days`` (when
    the indicator is worth points), fewer in proportion beyond."""
    seconds = side("proc_seconds", values)
    count = side("proc_count", values)
    if count.total <= 0:
        return Result(None, DAYS, None, seconds, count, str(NOTHING_TO_COUNT))
    days = seconds.total / count.total / 86400
    if max_points <= 0:
        return Result(round(days, 1), DAYS, 0.0, seconds, count, str(INFORMATIONAL))
    within = float(params["full_score_within_days"])
    points = max_points if days <= within else round(max_points * within / days, 2)
    return Result(round(days, 1), DAYS, points, seconds, count)


def no_data(params: Mapping[str, Any], values: Mapping[str, int], max_points: float) -> Result:
    """An indicator the system has no data for: no value, no points (never a made-up number)."""
    return Result(None, PERCENT, None, note=str(NO_DATA))


# Petitions and feedback (phản ánh, kiến nghị): no module records them yet.
petitions = no_data

Formula = Callable[[Mapping[str, Any], Mapping[str, int], float], Result]

FORMULAS: dict[str, Formula] = {
    "ratio": ratio,
    "ratio_full_at": ratio_full_at,
    "satisfaction": satisfaction,
    "average_days": average_days,
    "petitions": petitions,
    "no_data": no_data,
}


def check(formula: str, params: Any, max_points: Decimal | float = 0) -> None:
    """Raise ValidationFailed unless ``params`` suit ``formula`` (names known, shares valid)."""
    if formula not in FORMULAS:
        raise ValidationFailed(UNKNOWN_FORMULA, field_errors={"formula": [str(UNKNOWN_FORMULA)]})
    if not isinstance(params, dict):
        raise ValidationFailed(BAD_PARAMS)
    if formula in ("ratio", "ratio_full_at"):
        _expression(params, "numerator")
        _expression(params, "denominator")
        _full_at(params, required=formula == "ratio_full_at")
    elif formula == "satisfaction":
        _weights(params)
        _full_at(params)
    elif formula == "average_days" and float(max_points) > 0:
        days = params.get("full_score_within_days")
        if isinstance(days, bool) or not isinstance(days, int | float) or days <= 0:
            raise ValidationFailed(BAD_DAYS)


def needed(formula: str, params: Mapping[str, Any]) -> set[str]:
    """Return the names ``formula`` reads with ``params`` (to know what to fetch)."""
    if formula in ("ratio", "ratio_full_at"):
        return {*names_of(params["numerator"]), *names_of(params["denominator"])}
    if formula == "satisfaction":
        return {*_weights(params), "rated"}
    if formula == "average_days":
        return {"proc_seconds", "proc_count"}
    return set()


def evaluate(
    formula: str, params: Mapping[str, Any], values: Mapping[str, int], max_points: float
) -> Result:
    """Return what ``formula`` gives for ``values``."""
    check(formula, dict(params), max_points)
    return FORMULAS[formula](params, values, max_points)
