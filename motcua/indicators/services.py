"""Writes of the indicators: a new version copied from a set, a draft edited, then published.

A published set is never edited (periods scored under it keep their score);
a change is a copy with a later ``valid_from``, edited while a draft. Every
change is audited in its transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import audit_record, snapshot
from motcua.core.errors import Conflict, NotFound, ValidationFailed

from . import formulas
from .models import Indicator, IndicatorGroup, IndicatorSet

SET_PUBLISHED = _("A published indicator set cannot be changed: copy it to a new version.")
CODE_TAKEN = _("Another indicator set has this code.")
BAD_POINTS = _("Enter points between 0 and 100.")
POINTS_DO_NOT_ADD_UP = _("The indicators of group %(group)s add up to %(sum)s points, not %(max)s.")
NO_SUCH_SET = _("No such indicator set.")
NO_SUCH_INDICATOR = _("No such indicator.")
VALID_FROM_TAKEN = _("A published set is already in force from this date.")

SET_FIELDS = ["code", "name", "legal_source", "valid_from", "published"]
INDICATOR_FIELDS = ["code", "max_points", "formula", "params"]


def _points(value: Any, field: str = "max_points") -> Decimal:
    try:
        points = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError) as error:
        raise ValidationFailed(BAD_POINTS, field_errors={field: [str(BAD_POINTS)]}) from error
    if not points.is_finite() or not Decimal(0) <= points <= Decimal(100):
        raise ValidationFailed(BAD_POINTS, field_errors={field: [str(BAD_POINTS)]})
    return points.quantize(Decimal("0.01"))


def _draft(set_id: int) -> IndicatorSet:
    """Return the set ``set_id`` locked, if it is a draft."""
    found = IndicatorSet.objects.select_for_update().filter(pk=set_id).first()
    if found is None:
        raise NotFound(NO_SUCH_SET)
    if found.published:
        raise Conflict(SET_PUBLISHED)
    return found


def indicator_set_copy(
    *, source: IndicatorSet, code: str, valid_from: dt.date, actor: Any, name: str = ""
) -> IndicatorSet:
    """Copy ``source`` with its groups and indicators to a draft in force from ``valid_from``."""
    code = code.strip()
    if not code:
        raise ValidationFailed(CODE_TAKEN, field_errors={"code": [str(CODE_TAKEN)]})
    with transaction.atomic():
        if IndicatorSet.objects.filter(code=code).exists():
            raise ValidationFailed(CODE_TAKEN, field_errors={"code": [str(CODE_TAKEN)]})
        copy = IndicatorSet.objects.create(
            code=code,
            name=name.strip() or source.name,
            legal_source=source.legal_source,
            valid_from=valid_from,
            published=False,
            copied_from=source,
        )
        for group in source.groups.prefetch_related("indicators"):
            new_group = IndicatorGroup.objects.create(
                indicator_set=copy,
                code=group.code,
                name=group.name,
                max_points=group.max_points,
                order=group.order,
            )
            Indicator.objects.bulk_create(
                Indicator(
                    group=new_group,
                    code=i.code,
                    name=i.name,
                    max_points=i.max_points,
                    formula=i.formula,
                    params=i.params,
                    legal_source=i.legal_source,
                    order=i.order,
                )
                for i in group.indicators.all()
            )
        audit_record(
            action="indicators.set_copy",
            target=copy,
            actor=actor,
            after=snapshot(copy, SET_FIELDS),
            note=f"copied from {source.code}",
        )
    return copy


def indicator_update(
    *, indicator_id: int, max_points: Any, params: Any, actor: Any, legal_source: str | None = None
) -> Indicator:
    """Change the points and parameters of an indicator of a draft set (locks the set's row).

    ValidationFailed for bad points or parameters (an unknown measure...),
    Conflict when the set is published.
    """
    with transaction.atomic():
        indicator = Indicator.objects.select_related("group").filter(pk=indicator_id).first()
        if indicator is None:
            raise NotFound(NO_SUCH_INDICATOR)
        _draft(indicator.group.indicator_set_id)
        points = _points(max_points)
        formulas.check(indicator.formula, params, points)
        before = snapshot(indicator, INDICATOR_FIELDS)
        indicator.max_points = points
        indicator.params = params
        if legal_source is not None:
            indicator.legal_source = legal_source.strip()
        indicator.save()
        audit_record(
            action="indicators.indicator_update",
            target=indicator,
            actor=actor,
            before=before,
            after=snapshot(indicator, INDICATOR_FIELDS),
        )
    return indicator


def indicator_group_update(*, group_id: int, max_points: Any, actor: Any) -> IndicatorGroup:
    """Change the points a group of a draft set is worth (locks the set's row)."""
    with transaction.atomic():
        group = IndicatorGroup.objects.filter(pk=group_id).first()
        if group is None:
            raise NotFound(NO_SUCH_INDICATOR)
        _draft(group.indicator_set_id)
        before = snapshot(group, ["code", "max_points"])
        group.max_points = _points(max_points)
        group.save(update_fields=["max_points"])
        audit_record(
            action="indicators.group_update",
            target=group,
            actor=actor,
            before=before,
            after=snapshot(group, ["code", "max_points"]),
        )
    return group


def indicator_set_publish(*, set_id: int, actor: Any) -> IndicatorSet:
    """Publish a draft set: from its ``valid_from`` it scores the periods ending on or after.

    Each group's indicators must add up to the group's points and every
    indicator's parameters must be valid (ValidationFailed); another
    published set in force from the same day is a Conflict. Locks the set's row.
    """
    with transaction.atomic():
        draft = _draft(set_id)
        groups = list(draft.groups.prefetch_related("indicators"))
        for group in groups:
            total = sum((i.max_points for i in group.indicators.all()), Decimal(0))
            if total != group.max_points:
                raise ValidationFailed(
                    str(POINTS_DO_NOT_ADD_UP)
                    % {"group": group.code, "sum": total, "max": group.max_points}
                )
            for indicator in group.indicators.all():
                formulas.check(indicator.formula, indicator.params, indicator.max_points)
        if IndicatorSet.objects.filter(published=True, valid_from=draft.valid_from).exists():
            raise Conflict(VALID_FROM_TAKEN)
        before = snapshot(draft, SET_FIELDS)
        draft.published = True
        draft.save(update_fields=["published"])
        audit_record(
            action="indicators.set_publish",
            target=draft,
            actor=actor,
            before=before,
            after=snapshot(draft, SET_FIELDS),
        )
    return draft
