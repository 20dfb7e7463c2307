"""Writes to the working-day calendar: seeding holidays, an administrator's days, working time.

Seeded rows (``source=holidays.VN``) follow the package; rows an administrator
entered (``source=admin``) are never touched by seeding, so a correction to
the package's data survives the next ``seed_holidays``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.calendar.models import DayKind, DaySource, SpecialDay, WorkingTime
from motcua.core.errors import NotFound, ValidationFailed

INVALID_KIND = _("Choose a kind of day.")
INVALID_YEARS = _("Give years as 2026, 2024-2027 or 2024,2026.")
SPECIAL_DAY_NOT_FOUND = _("This date has no special day.")
# Data, like the package's names: Vietnamese whatever the admin's language.
SWAPPED_WORKING_DAY_NAME = "Ngày làm việc bù"
NAME_MAX_LENGTH = SpecialDay._meta.get_field("name").max_length or 200
WORKING_TIME_FIELDS = (
    "morning_start",
    "morning_end",
    "afternoon_start",
    "afternoon_end",
    "daily_cutoff",
)


@dataclass(frozen=True)
class AnnualHoliday:
    """A holiday on the same date every year from ``since``, added where the package lacks it."""

    month: int
    day: int
    since: int
    name: str


# Resolution 80-NQ/TW made 24 November a paid day off from 2026; holidays.VN
# lists it from release 0.8x, older releases do not. Override the list with
# settings.MOTCUA_EXTRA_HOLIDAYS (a sequence of AnnualHoliday).
EXTRA_HOLIDAYS: tuple[AnnualHoliday, ...] = (
    AnnualHoliday(month=11, day=24, since=2026, name="Ngày Văn hóa Việt Nam"),
)


def parse_years(text: str) -> list[int]:
    """Return the years in ``"2026"``, ``"2024-2027"`` or ``"2024,2026-2027"``.

    Raises ``ValidationFailed`` if ``text`` is not such a list.
    """
    years: set[int] = set()
    try:
        for part in text.split(","):
            first, sep, last = part.strip().partition("-")
            low, high = int(first), int(last if sep else first)
            if not 1900 <= low <= high <= 2200:
                raise ValueError(part)
            years.update(range(low, high + 1))
    except ValueError as exc:
        raise ValidationFailed(INVALID_YEARS, field_errors={"years": [INVALID_YEARS]}) from exc
    return sorted(years)


def calendar_seed_holidays(
    *, years: Iterable[int], extras: Sequence[AnnualHoliday] | None = None
) -> int:
    """Seed the public holidays of ``years`` from ``holidays.VN``; return the rows written.

        Idempotent: a second run with the same package changes nothing and
        returns 0. The package's days off (holidays, their days in lieu when they
        fall on a weekend, and bridge days) become ``holiday`` rows, holidays on
        a weekend included so the calendar shows them; the weekend days worked in
        exchange for a bridge day become ``working_day`` rows, seeded with the year
    they fall in (a Saturday of December worked for a day off in January comes
    with the December's year). Rows entered by an
        administrator are left as they are. Nothing is deleted: a day the package
        drops stays until an administrator removes it.

        ``extras`` (default: settings.MOTCUA_EXTRA_HOLIDAYS, else
        ``EXTRA_HOLIDAYS``) adds yearly holidays the installed package does not
        know yet, without an observed day: the government announces those.
    """
    years = sorted(set(years))
    if not years:
        return 0
    if extras is None:
        extras = getattr(settings, "MOTCUA_EXTRA_HOLIDAYS", EXTRA_HOLIDAYS)
    package = holidays.country_holidays("VN", years=years, language="vi")

    wanted: dict[dt.date, tuple[str, str]] = {}
    for d in package.weekend_workdays:
        # The package also reports swaps of other years (2014-12-27 for a 2015
        # bridge day, asked about 2025 or not): keep each with its own year.
        if d.year in years:
            wanted[d] = (DayKind.WORKING_DAY, SWAPPED_WORKING_DAY_NAME)
    for d, name in package.items():
        wanted[d] = (DayKind.HOLIDAY, name[:NAME_MAX_LENGTH])
    for extra in extras:
        for year in years:
            d = dt.date(year, extra.month, extra.day)
            if year >= extra.since and d not in package:
                wanted[d] = (DayKind.HOLIDAY, extra.name[:NAME_MAX_LENGTH])

    changed = 0
    with transaction.atomic():
        existing = {
            row.date: row
            for row in SpecialDay.objects.select_for_update().filter(date__in=list(wanted))
        }
        to_create: list[SpecialDay] = []
        for d, (kind, name) in sorted(wanted.items()):
            row = existing.get(d)
            if row is None:
                to_create.append(SpecialDay(date=d, kind=kind, name=name, source=DaySource.SEED))
            elif row.source == DaySource.SEED and (row.kind, row.name) != (kind, name):
                row.kind, row.name = kind, name
                row.save(update_fields=["kind", "name"])
                changed += 1
        # A concurrent seeding may have inserted the same dates; theirs are equal.
        SpecialDay.objects.bulk_create(to_create, ignore_conflicts=True)
        changed += len(to_create)
    return changed


def special_day_set(*, date: dt.date, kind: str, name: str = "") -> SpecialDay:
    """Make ``date`` a holiday, a day off or a working day, as an administrator decides.

    The row becomes the administrator's (``source=admin``), so seeding no
    longer changes it. Locks the row of that date while it changes.
    """
    if kind not in DayKind.values:
        raise ValidationFailed(INVALID_KIND, field_errors={"kind": [INVALID_KIND]})
    with transaction.atomic():
        row, _created = SpecialDay.objects.select_for_update().update_or_create(
            date=date,
            defaults={"kind": kind, "name": name[:NAME_MAX_LENGTH], "source": DaySource.ADMIN},
        )
    return row


def special_day_delete(*, date: dt.date) -> None:
    """Make ``date`` an ordinary day of its weekday again.

    A seeded holiday deleted here comes back with the next seeding; to
    cancel one for good, make the date a working day with ``special_day_set``.
    Raises ``NotFound`` if the date has no special day.
    """
    with transaction.atomic():
        deleted, _per_model = SpecialDay.objects.filter(date=date).delete()
    if not deleted:
        raise NotFound(SPECIAL_DAY_NOT_FOUND)


def working_time_update(
    *,
    morning_start: dt.time | None = None,
    morning_end: dt.time | None = None,
    afternoon_start: dt.time | None = None,
    afternoon_end: dt.time | None = None,
    daily_cutoff: dt.time | None = None,
) -> WorkingTime:
    """Change the working hours and the daily cut-off; omitted values stay as they are.

    Creates the single row (pk=1) on first use and locks it while it changes.
    Raises ``ValidationFailed`` with a message per field if the periods are
    out of order or the cut-off falls outside them.
    """
    values: dict[str, Any] = {
        "morning_start": morning_start,
        "morning_end": morning_end,
        "afternoon_start": afternoon_start,
        "afternoon_end": afternoon_end,
        "daily_cutoff": daily_cutoff,
    }
    with transaction.atomic():
        row = WorkingTime.objects.select_for_update().filter(pk=1).first() or WorkingTime(pk=1)
        for field, value in values.items():
            if value is not None:
                setattr(row, field, value)
        try:
            row.full_clean()
        except ValidationError as exc:
            fields = {name: list(messages) for name, messages in exc.message_dict.items()}
            first = next(iter(fields.values()))[0]
            raise ValidationFailed(first, field_errors=fields) from exc
        row.save()
    return row
