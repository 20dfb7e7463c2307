"""Reads of targets: the targets of a year for a province or an agency, and assessments.

``targets_for`` reads every target that applies in one query, so a dashboard
assesses many indicators with one read: ``assessment_of(target, value)`` is
pure. An agency without its own target for an indicator falls back to the
target of its province (the province the agency's administrative unit is, or
lies in).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from motcua.core.numbers import number_text
from motcua.organisation.models import Agency
from motcua.territory.models import AdministrativeUnit, UnitLevel

from .models import Direction, IndicatorUnit, Target, TargetIndicator


@dataclass(frozen=True)
class Assessment:
    """A value against its target: ``distance`` is signed so that positive means better."""

    code: str
    year: int
    target: Decimal
    value: Decimal | None
    achieved: bool | None  # None: no value to assess
    distance: Decimal | None
    text: str
    scope: str  # "province" or "agency": whose target it is


def _amount(indicator: TargetIndicator, amount: Decimal) -> str:
    if indicator.unit == IndicatorUnit.PERCENT:
        return _("%(n)s percentage points") % {"n": number_text(amount)}
    return f"{number_text(amount)} {indicator.unit_label}".strip()


def assessment_of(target: Target, value: Decimal | None) -> Assessment:
    """Assess ``value`` against ``target`` (its indicator loaded), with the sentence that says it.

    At least: achieved when value >= target, distance = value - target. At
    most: achieved when value <= target, distance = target - value.
    """
    indicator = target.indicator
    scope = "agency" if target.agency_id is not None else "province"
    if value is None:
        return Assessment(
            code=indicator.code,
            year=target.year,
            target=target.value,
            value=None,
            achieved=None,
            distance=None,
            text=_("No figure yet"),
            scope=scope,
        )
    at_most = indicator.direction == Direction.AT_MOST
    distance = (target.value - value) if at_most else (value - target.value)
    achieved = distance >= 0
    amount = _amount(indicator, abs(distance))
    if distance == 0:
        text = _("Achieved")
    elif achieved:
        text = (
            _("Achieved (%(amount)s under the limit)")
            if at_most
            else _("Achieved (%(amount)s over)")
        ) % {"amount": amount}
    else:
        text = (
            _("Not achieved (%(amount)s over the limit)")
            if at_most
            else _("Not achieved (%(amount)s short)")
        ) % {"amount": amount}
    return Assessment(
        code=indicator.code,
        year=target.year,
        target=target.value,
        value=value,
        achieved=achieved,
        distance=distance,
        text=text,
        scope=scope,
    )


def targets_for(
    *, year: int, province_id: int | None = None, agency_id: int | None = None
) -> dict[str, Target]:
    """Return ``{indicator code: target}`` that applies to the province or the agency in ``year``.

    One query. For an agency, its own targets win over its province's; the
    province is found in the same query (the agency's unit, or that unit's
    parent) unless ``province_id`` is given too.
    """
    if province_id is None and agency_id is None:
        return {}
    scope = Q()
    if province_id is not None:
        scope |= Q(province_id=province_id)
    elif agency_id is not None:
        provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).filter(
            Q(agencies__id=agency_id) | Q(children__agencies__id=agency_id)
        )
        scope |= Q(province__in=provinces.values("id"))
    if agency_id is not None:
        scope |= Q(agency_id=agency_id)
    found: dict[str, Target] = {}
    rows = Target.objects.filter(scope, year=year).select_related("indicator")
    for target in sorted(rows, key=lambda t: t.agency_id is not None):  # the agency's last
        found[target.indicator.code] = target
    return found


def assess(
    *,
    code: str,
    year: int,
    value: Decimal | None,
    province_id: int | None = None,
    agency_id: int | None = None,
) -> Assessment | None:
    """Assess ``value`` of indicator ``code`` against the year's target; None when none is set."""
    target = targets_for(year=year, province_id=province_id, agency_id=agency_id).get(code)
    return assessment_of(target, value) if target is not None else None


def indicators_active() -> list[TargetIndicator]:
    """Return the active indicators, in their order."""
    return list(TargetIndicator.objects.filter(is_active=True))


def targets_of_year(*, year: int) -> list[Target]:
    """Return every target of ``year`` with its indicator and scope (one query)."""
    return list(
        Target.objects.filter(year=year)
        .select_related("indicator", "province", "agency", "set_by")
        .order_by("indicator__order", "indicator__code", "province__name", "agency__name")
    )


def target_scopes() -> tuple[list[AdministrativeUnit], list[Agency]]:
    """Return what a target may be set for: today's provinces and the active agencies."""
    provinces = list(
        AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era="current").order_by("name")
    )
    agencies = list(Agency.objects.filter(is_active=True).order_by("level", "name"))
    return provinces, agencies


def home_province(*, user_id: int) -> AdministrativeUnit | None:
    """Return the province the user works in (of their first agency), else today's first."""
    worked = (
        AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era="current")
        .filter(
            Q(agencies__staff_roles__user_id=user_id)
            | Q(children__agencies__staff_roles__user_id=user_id)
        )
        .order_by("code")
        .first()
    )
    if worked is not None:
        return worked
    return (
        AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era="current")
        .order_by("code")
        .first()
    )
