"""Writes of targets: indicators made for new metrics, targets set and deleted, each audited."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import audit_record, snapshot
from motcua.core.errors import Forbidden, NotFound, ValidationFailed
from motcua.organisation.models import Agency
from motcua.staff.permissions import statistics_editor
from motcua.territory.models import AdministrativeUnit, UnitLevel

from .models import MAX_YEAR, MIN_YEAR, Direction, IndicatorUnit, Target, TargetIndicator

NOT_EDITOR = _("Only a statistician or a leader at the province sets targets.")
UNKNOWN_INDICATOR = _("No indicator has this code.")
ONE_SCOPE = _("Give a province or an agency, not both and not neither.")
NOT_A_PROVINCE = _("This unit is not a province.")
UNKNOWN_AGENCY = _("No such agency.")
BAD_YEAR = _("Enter a year between 2000 and 2100.")
BAD_VALUE = _("Enter a number, with a comma or a dot for decimals.")
NEGATIVE = _("Enter a number of zero or more.")
OVER_100 = _("A percentage is at most 100.")
NO_TARGET = _("No such target.")

TARGET_FIELDS = ("indicator", "year", "province", "agency", "value", "note")
MAX_VALUE = Decimal("1e15")


def _check_editor(actor: Any) -> None:
    if not statistics_editor(actor):
        raise Forbidden(NOT_EDITOR)


def parse_number(raw: Any) -> Decimal:
    """Return ``raw`` as a Decimal: "72,6", "72.6", "1.169.375" (dots between thousands).

    A single dot followed by exactly three digits ("2.000") groups thousands, as
    Vietnamese writes them; a decimal point is followed by one, two or four digits.

    Raises ValidationFailed for anything else (text, NaN, infinity, too large).
    """
    if isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(str(raw))
    elif isinstance(raw, str):
        text = raw.strip().replace(" ", "").replace("\u00a0", "")
        if text.count(",") == 1:  # Vietnamese: dots group thousands, the comma is the decimal
            text = text.replace(".", "").replace(",", ".")
        elif text.count(".") > 1 or re.fullmatch(r"-?\d{1,3}\.\d{3}", text):
            text = text.replace(".", "")  # 1.169.375, 2.000: dots between thousands
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            raise ValidationFailed(BAD_VALUE) from None
    else:
        raise ValidationFailed(BAD_VALUE)
    if not number.is_finite() or abs(number) >= MAX_VALUE:
        raise ValidationFailed(BAD_VALUE)
    return round(number, 4)


def valid_id(value: Any) -> bool:
    """Tell whether ``value`` can be a row id (a positive integer within a bigint)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def check_year(year: Any) -> int:
    """Return ``year`` when it is a whole year from 2000 to 2100; ValidationFailed otherwise."""
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(BAD_YEAR, field_errors={"year": [BAD_YEAR]})
    return year


def check_value(value: Decimal, unit: str) -> Decimal:
    """Refuse a negative value, and a percentage over 100."""
    if value < 0:
        raise ValidationFailed(NEGATIVE, field_errors={"value": [NEGATIVE]})
    if unit == IndicatorUnit.PERCENT and value > 100:
        raise ValidationFailed(OVER_100, field_errors={"value": [OVER_100]})
    return value


def target_indicator_ensure(
    *,
    code: str,
    name: str,
    name_en: str = "",
    unit: str,
    unit_label: str = "",
    direction: str = Direction.AT_LEAST,
    source: str = "",
    actor: Any = None,
) -> TargetIndicator:
    """Return the indicator ``code``, creating it (audited) when missing.

    For other apps that define indicators of their own (a sector metric):
    an existing indicator is left as it is.
    """
    if unit not in IndicatorUnit.values or direction not in Direction.values:
        raise ValidationFailed(BAD_VALUE)
    with transaction.atomic():
        indicator, created = TargetIndicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name[:255],
                "name_en": name_en[:255],
                "unit": unit,
                "unit_label": unit_label[:60],
                "direction": direction,
                "source": source,
                "order": 1000,
            },
        )
        if created:
            audit_record(
                action="targets.indicator_create",
                target=indicator,
                actor=actor,
                after=snapshot(indicator, ("code", "name", "unit", "unit_label", "direction")),
            )
    return indicator


def _scope(
    province_id: int | None, agency_id: int | None
) -> tuple[AdministrativeUnit | None, Agency | None]:
    if (province_id is None) == (agency_id is None):
        raise ValidationFailed(ONE_SCOPE, field_errors={"scope": [ONE_SCOPE]})
    if province_id is not None:
        province = (
            AdministrativeUnit.objects.filter(pk=province_id).first()
            if valid_id(province_id)
            else None
        )
        if province is None or province.level != UnitLevel.PROVINCE:
            raise ValidationFailed(NOT_A_PROVINCE, field_errors={"province": [NOT_A_PROVINCE]})
        return province, None
    agency = (
        Agency.objects.filter(pk=agency_id).first()
        if agency_id is not None and valid_id(agency_id)
        else None
    )
    if agency is None:
        raise ValidationFailed(UNKNOWN_AGENCY, field_errors={"agency": [UNKNOWN_AGENCY]})
    return None, agency


def target_set(
    *,
    indicator_code: str,
    year: int,
    value: Decimal | str,
    province_id: int | None = None,
    agency_id: int | None = None,
    note: str = "",
    actor: Any,
) -> Target:
    """Set the target of ``indicator_code`` for ``year`` for a province or an agency.

    A statistician or a leader at the province. Creates or replaces the one
    target of that indicator, year and scope; the audit entry holds the value
    before and after. The existing row is locked (``select_for_update``) so
    two statisticians saving at once leave one value and two entries. The same
    value and note again change nothing (no audit entry).
    """
    _check_editor(actor)
    year = check_year(year)
    indicator = TargetIndicator.objects.filter(code=indicator_code).first()
    if indicator is None:
        raise ValidationFailed(UNKNOWN_INDICATOR, field_errors={"indicator": [UNKNOWN_INDICATOR]})
    try:
        number = check_value(parse_number(value), indicator.unit)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field_errors={"value": [error.message]}) from None
    province, agency = _scope(province_id, agency_id)
    now = timezone.now()
    with transaction.atomic():
        existing = (
            Target.objects.select_for_update()
            .filter(indicator=indicator, year=year, province=province, agency=agency)
            .first()
        )
        if (
            existing is not None
            and existing.value == number
            and existing.note == note.strip()[:500]
        ):
            return existing  # nothing changes: no new entry
        before = snapshot(existing, TARGET_FIELDS) if existing is not None else None
        target = existing or Target(
            indicator=indicator, year=year, province=province, agency=agency
        )
        target.value = number
        target.note = note.strip()[:500]
        target.set_by_id = actor.pk
        target.set_at = now
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError:  # another statistician created it meanwhile: update theirs
            target = Target.objects.select_for_update().get(
                indicator=indicator, year=year, province=province, agency=agency
            )
            before = snapshot(target, TARGET_FIELDS)
            target.value, target.note, target.set_by_id, target.set_at = (
                number,
                note.strip()[:500],
                actor.pk,
                now,
            )
            target.save()
        audit_record(
            action="targets.target_set",
            target=target,
            actor=actor,
            before=before,
            after=snapshot(target, TARGET_FIELDS),
            at=now,
        )
    return target


def target_delete(*, target_id: int, actor: Any) -> None:
    """Delete a target (a statistician or a leader at the province), recording what it was."""
    _check_editor(actor)
    with transaction.atomic():
        target = Target.objects.select_for_update().filter(pk=target_id).first()
        if target is None:
            raise NotFound(NO_TARGET)
        audit_record(
            action="targets.target_delete",
            target=target,
            actor=actor,
            before=snapshot(target, TARGET_FIELDS),
        )
        target.delete()
