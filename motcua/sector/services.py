"""Writes of sector figures: metrics, figures (one or a grid), periods closed and reopened.

Every change is audited in its own transaction with the value before and
after. A closed period takes no figure until an administrator reopens it
(with a reason); the period's row is locked while a figure is written, so a
figure cannot slip in while the period is being closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import audit_record, snapshot
from motcua.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from motcua.staff.permissions import province_administrator, statistics_editor
from motcua.targets.models import IndicatorUnit
from motcua.targets.services import (
    check_value,
    check_year,
    parse_number,
    target_indicator_ensure,
    valid_id,
)
from motcua.territory.models import AdministrativeUnit

from .models import MetricKind, PeriodState, SectorFigure, SectorMetric, SectorPeriod

NOT_EDITOR = _("Only a statistician or a leader at the province enters sector figures.")
NOT_ADMINISTRATOR = _("Only an administrator at the province reopens a closed period.")
PERIOD_CLOSED = _("The period %(period)s is closed: an administrator must reopen it first.")
ALREADY_CLOSED = _("This period is already closed.")
ALREADY_OPEN = _("This period is open.")
NO_PERIOD = _("No such reporting period.")
REASON_REQUIRED = _("Give the reason for reopening.")
UNKNOWN_METRIC = _("No sector metric has this code.")
UNKNOWN_UNIT = _("No such administrative unit.")
COMPUTED = _("This figure is computed from others; it is not entered.")
QUARTER_OR_MONTH = _("Give a quarter or a month, not both.")
BAD_QUARTER = _("A quarter is 1 to 4.")
BAD_MONTH = _("A month is 1 to 12.")
CODE_TAKEN = _("A metric with this code exists.")
BAD_CODE = _("Use lower-case letters, digits and underscores (at most 60).")
NAME_REQUIRED = _("Give the name.")
BAD_KIND = _("Choose count, percent or per 100 inhabitants.")
NEEDS_NUMERATOR = _("A density needs the metric it counts (the numerator).")

FIGURE_FIELDS = ("metric", "period", "unit", "value", "note")
PERIOD_FIELDS = ("state", "closed_at", "closed_by", "reopened_at", "reopened_by", "reopen_reason")
METRIC_FIELDS = (
    "code",
    "name",
    "name_en",
    "unit_label",
    "kind",
    "numerator",
    "denominator",
    "order",
    "is_active",
    "source",
    "notes",
)
INDICATOR_UNIT = {
    MetricKind.COUNT: IndicatorUnit.NUMBER,
    MetricKind.PERCENT: IndicatorUnit.PERCENT,
    MetricKind.DENSITY: IndicatorUnit.PER100,
}


def check_editor(actor: Any) -> None:
    """Raise Forbidden unless ``actor`` enters the province's statistics."""
    if not statistics_editor(actor):
        raise Forbidden(NOT_EDITOR)


# --- Metrics --------------------------------------------------------------------------------


def sector_metric_save(*, metric: SectorMetric, actor: Any) -> SectorMetric:
    """Save a new or changed metric (audited); a new one gets a target indicator of its code.

    For the admin, which has validated the fields; ``sector_metric_create``
    is the staff page's way in.
    """
    with transaction.atomic():
        old = SectorMetric.objects.filter(pk=metric.pk).first() if metric.pk else None
        before = snapshot(old, METRIC_FIELDS) if old is not None else None
        metric.save()
        audit_record(
            action="sector.metric_save",
            target=metric,
            actor=actor,
            before=before,
            after=snapshot(metric, METRIC_FIELDS),
        )
        if old is None:
            target_indicator_ensure(
                code=metric.code,
                name=metric.name,
                name_en=metric.name_en,
                unit=INDICATOR_UNIT[MetricKind(metric.kind)],
                unit_label=metric.unit_label,
                source=metric.source,
                actor=actor,
            )
    return metric


def sector_metric_create(
    *,
    code: str,
    name: str,
    name_en: str = "",
    unit_label: str = "",
    kind: str,
    numerator_code: str = "",
    denominator_code: str = "",
    source: str = "",
    actor: Any,
) -> SectorMetric:
    """Add a metric the department reports (a statistician or a leader at the province)."""
    check_editor(actor)
    errors: dict[str, list[Any]] = {}
    code = code.strip()
    if (
        not code
        or len(code) > 60
        or not all(c.isascii() and (c.isalnum() or c == "_") for c in code)
    ) or code != code.lower():
        errors["code"] = [BAD_CODE]
    elif SectorMetric.objects.filter(code=code).exists():
        errors["code"] = [CODE_TAKEN]
    if not name.strip():
        errors["name"] = [NAME_REQUIRED]
    if kind not in MetricKind.values:
        errors["kind"] = [BAD_KIND]
    related: dict[str, SectorMetric | None] = {}
    for field, wanted in (("numerator", numerator_code), ("denominator", denominator_code)):
        related[field] = None
        if wanted.strip():
            related[field] = SectorMetric.objects.filter(code=wanted.strip()).first()
            if related[field] is None:
                errors[field] = [UNKNOWN_METRIC]
    if kind == MetricKind.DENSITY and related["numerator"] is None and "numerator" not in errors:
        errors["numerator"] = [NEEDS_NUMERATOR]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, field_errors=errors)
    last = SectorMetric.objects.order_by("-order").values_list("order", flat=True).first() or 0
    metric = SectorMetric(
        code=code,
        name=name.strip()[:255],
        name_en=name_en.strip()[:255],
        unit_label=unit_label.strip()[:60],
        kind=kind,
        numerator=related["numerator"],
        denominator=related["denominator"],
        order=last + 10,
        source=source.strip()[:255],
    )
    return sector_metric_save(metric=metric, actor=actor)


# --- Periods --------------------------------------------------------------------------------


def period_parts(
    year: Any, quarter: Any = None, month: Any = None
) -> tuple[int, int | None, int | None]:
    """Check a period's year, quarter and month; ValidationFailed naming the wrong one."""
    year = check_year(year)
    if quarter is not None and month is not None:
        raise ValidationFailed(QUARTER_OR_MONTH, field_errors={"month": [QUARTER_OR_MONTH]})
    if quarter is not None and (
        isinstance(quarter, bool) or not isinstance(quarter, int) or not 1 <= quarter <= 4
    ):
        raise ValidationFailed(BAD_QUARTER, field_errors={"quarter": [BAD_QUARTER]})
    if month is not None and (
        isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12
    ):
        raise ValidationFailed(BAD_MONTH, field_errors={"month": [BAD_MONTH]})
    return year, quarter, month


def _period_locked(year: int, quarter: int | None, month: int | None) -> SectorPeriod:
    """Return the period, made open if new, locked for the rest of the transaction."""
    found = SectorPeriod.objects.select_for_update().filter(year=year, quarter=quarter, month=month)
    period = found.first()
    if period is None:
        SectorPeriod.objects.bulk_create(
            [SectorPeriod(year=year, quarter=quarter, month=month)], ignore_conflicts=True
        )
        period = found.get()
    return period


def sector_period_close(*, period_id: int, actor: Any) -> SectorPeriod:
    """Close a period (a statistician or a leader at the province): it takes no more figures."""
    check_editor(actor)
    with transaction.atomic():
        period = SectorPeriod.objects.select_for_update().filter(pk=period_id).first()
        if period is None:
            raise NotFound(NO_PERIOD)
        if period.is_closed:
            raise Conflict(ALREADY_CLOSED)
        before = snapshot(period, PERIOD_FIELDS)
        period.state = PeriodState.CLOSED
        period.closed_at = timezone.now()
        period.closed_by_id = actor.pk
        period.save()
        audit_record(
            action="sector.period_close",
            target=period,
            actor=actor,
            before=before,
            after=snapshot(period, PERIOD_FIELDS),
        )
    return period


def sector_period_reopen(*, period_id: int, reason: str, actor: Any) -> SectorPeriod:
    """Reopen a closed period: an administrator at the province (or a superuser), with a reason."""
    if not province_administrator(actor):
        raise Forbidden(NOT_ADMINISTRATOR)
    text = reason.strip()
    if not text:
        raise ValidationFailed(REASON_REQUIRED, field_errors={"reason": [REASON_REQUIRED]})
    with transaction.atomic():
        period = SectorPeriod.objects.select_for_update().filter(pk=period_id).first()
        if period is None:
            raise NotFound(NO_PERIOD)
        if not period.is_closed:
            raise Conflict(ALREADY_OPEN)
        before = snapshot(period, PERIOD_FIELDS)
        period.state = PeriodState.OPEN
        period.reopened_at = timezone.now()
        period.reopened_by_id = actor.pk
        period.reopen_reason = text[:500]
        period.save()
        audit_record(
            action="sector.period_reopen",
            target=period,
            actor=actor,
            before=before,
            after=snapshot(period, PERIOD_FIELDS),
            note=text[:500],
        )
    return period


# --- Figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureChange:
    """What setting one figure did: ``created``, ``updated``, ``deleted`` or ``unchanged``."""

    metric: str
    outcome: str
    figure: SectorFigure | None


def _figure_write(
    *,
    metric: SectorMetric,
    period: SectorPeriod,
    unit: AdministrativeUnit,
    value: Decimal | None,
    note: str,
    actor: Any,
) -> FigureChange:
    """Write one figure in the caller's transaction, the period locked and open."""
    if metric.computed:
        raise ValidationFailed(COMPUTED, field_errors={metric.code: [COMPUTED]})
    existing = (
        SectorFigure.objects.select_for_update()
        .filter(metric=metric, period=period, unit=unit)
        .first()
    )
    note = note.strip()[:500]
    if value is None:
        if existing is None:
            return FigureChange(metric.code, "unchanged", None)
        audit_record(
            action="sector.figure_delete",
            target=existing,
            actor=actor,
            before=snapshot(existing, FIGURE_FIELDS),
        )
        existing.delete()
        return FigureChange(metric.code, "deleted", None)
    if existing is not None and existing.value == value and existing.note == note:
        return FigureChange(metric.code, "unchanged", existing)
    before = snapshot(existing, FIGURE_FIELDS) if existing is not None else None
    figure = existing or SectorFigure(metric=metric, period=period, unit=unit)
    figure.value = value
    figure.note = note
    figure.entered_by_id = getattr(actor, "pk", None)
    figure.entered_at = timezone.now()
    figure.save()
    audit_record(
        action="sector.figure_set",
        target=figure,
        actor=actor,
        before=before,
        after=snapshot(figure, FIGURE_FIELDS),
    )
    return FigureChange(metric.code, "updated" if existing else "created", figure)


def _open_period(year: int, quarter: int | None, month: int | None) -> SectorPeriod:
    period = _period_locked(year, quarter, month)
    if period.is_closed:
        raise Conflict(PERIOD_CLOSED % {"period": period.label})
    return period


def _unit(unit_id: Any) -> AdministrativeUnit:
    unit = AdministrativeUnit.objects.filter(pk=unit_id).first() if valid_id(unit_id) else None
    if unit is None:
        raise NotFound(UNKNOWN_UNIT)
    return unit


def figure_value(metric: SectorMetric, raw: Any) -> Decimal | None:
    """Return the value typed for ``metric`` ("" or None: none), or ValidationFailed."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    unit = IndicatorUnit.PERCENT if metric.kind == MetricKind.PERCENT else IndicatorUnit.NUMBER
    return check_value(parse_number(raw), unit)


def sector_figure_set(
    *,
    metric_code: str,
    year: int,
    unit_id: int,
    value: Decimal | None,
    quarter: int | None = None,
    month: int | None = None,
    note: str = "",
    actor: Any,
) -> FigureChange:
    """Set (or, with ``value`` None, remove) one figure; a statistician or leader at the province.

    A closed period refuses it (Conflict) until an administrator reopens it.
    The period is made when first used; its row is locked (``select_for_update``)
    with the figure's, so closing waits for the figure or the figure sees the
    period closed.
    """
    return sector_figures_save(
        year=year,
        quarter=quarter,
        month=month,
        unit_id=unit_id,
        entries={metric_code: (value, note)},
        actor=actor,
    )[0]


def sector_figures_save(
    *,
    year: int,
    unit_id: int,
    entries: Mapping[str, tuple[Any, str]],
    quarter: int | None = None,
    month: int | None = None,
    actor: Any,
) -> list[FigureChange]:
    """Set several figures of one period and unit at once: all of them, or none.

    ``entries`` maps metric codes to (value as typed or Decimal or None, note).
    Every wrong value is reported at once, by metric code (ValidationFailed
    with a message per field); an unknown code is one of them.
    """
    check_editor(actor)
    year, quarter, month = period_parts(year, quarter, month)
    unit = _unit(unit_id)
    metrics = {m.code: m for m in SectorMetric.objects.filter(code__in=list(entries))}
    values: dict[str, Decimal | None] = {}
    errors: dict[str, list[Any]] = {}
    for code, (raw, _note) in entries.items():
        metric = metrics.get(code)
        if metric is None:
            errors[code] = [UNKNOWN_METRIC]
            continue
        if metric.computed:
            if raw is not None and str(raw).strip():
                errors[code] = [COMPUTED]
            continue
        try:
            values[code] = figure_value(metric, raw)
        except ValidationFailed as error:
            errors[code] = [error.message]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, field_errors=errors)
    with transaction.atomic():
        period = _open_period(year, quarter, month)
        return [
            _figure_write(
                metric=metrics[code],
                period=period,
                unit=unit,
                value=value,
                note=entries[code][1],
                actor=actor,
            )
            for code, value in values.items()
        ]
