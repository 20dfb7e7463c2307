"""Writes to the working-day calendar: seeding, an administrator's days, seasons of working hours.

Seeded rows (``source=announced`` from ``announced.py``, ``source=holidays.VN``
from the package) follow their data; rows an administrator entered
(``source=admin``) are never touched by seeding, so a correction survives the
next ``seed_holidays``. Every change writes an audit entry (who, before,
after) in its own transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import holidays
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import audit_record, snapshot
from motcua.calendar.announced import ANNOUNCED, AnnouncedDay
from motcua.calendar.models import (
    SEEDED_SOURCES,
    CalendarVersion,
    DayKind,
    DaySource,
    SpecialDay,
    WorkingTime,
)
from motcua.core.errors import NotFound, ValidationFailed

INVALID_KIND = _("Choose a kind of day.")
INVALID_YEARS = _("Give years as 2026, 2024-2027 or 2024,2026.")
SPECIAL_DAY_NOT_FOUND = _("This date has no special day.")
DATE_TAKEN = _(
    "%(date)s is already in the calendar (%(what)s): open that day to change it, nothing was saved."
)
SEASON_NOT_FOUND = _("These working hours no longer exist.")
SEASON_START_TAKEN = _("Another season of working hours already starts on this day.")
LAST_SEASON = _("The last season of working hours cannot be deleted: change its hours instead.")
SEVERAL_SEASONS = _("There are several seasons of working hours: say which one to change.")
# Data, like the package's names: Vietnamese whatever the admin's language.
SWAPPED_WORKING_DAY_NAME = "Ngày làm việc bù"
NAME_MAX_LENGTH = SpecialDay._meta.get_field("name").max_length or 200
DAY_FIELDS = ("date", "kind", "name", "basis", "source")
WORKING_TIME_FIELDS = (
    "morning_start",
    "morning_end",
    "afternoon_start",
    "afternoon_end",
    "daily_cutoff",
)
SEASON_FIELDS = ("name", "starts_month", "starts_day", *WORKING_TIME_FIELDS)


@dataclass(frozen=True)
class AnnualHoliday:
    """A holiday on the same date every year from ``since``, added where the package lacks it."""

    month: int
    day: int
    since: int
    name: str


# Vietnam Culture Day (Nghị quyết 80-NQ/TW): holidays.VN lists it from release 0.8x, older
# releases do not; the years in announced.py list it themselves. Override the list with
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


@dataclass(frozen=True)
class _Wanted:
    kind: str
    name: str
    basis: str
    source: str


def calendar_seed_holidays(
    *,
    years: Iterable[int],
    extras: Sequence[AnnualHoliday] | None = None,
    announced: Mapping[int, Sequence[AnnouncedDay]] | None = None,
    actor: Any = None,
) -> int:
    """Seed the days off and swapped working days of ``years``; return the rows written.

    A year in ``announced`` (default: ``announced.ANNOUNCED``, the notices of
    the government) gets exactly its announced days, and loses the seeded
    days of that year that the notices do not list. Any other year is seeded
    from ``holidays.VN``: its days off (holidays, days in lieu and bridge
    days; holidays on a weekend included, so the calendar shows them) become
    ``holiday`` rows and the weekend days worked in exchange become
    ``working_day`` rows, each with the year of its own date; a day the
    package drops stays until an administrator removes it. ``extras``
    (default: settings.MOTCUA_EXTRA_HOLIDAYS, else ``EXTRA_HOLIDAYS``) adds
    yearly holidays the installed package does not know yet.

    Rows an administrator entered are left as they are. Idempotent: a second
    run with the same data changes nothing and returns 0. Locks the rows it
    may change, and writes one audit entry (the changed dates, before and
    after) when anything changed.
    """
    years = sorted(set(years))
    if not years:
        return 0
    if announced is None:
        announced = ANNOUNCED
    wanted = _wanted_days(years, extras, announced)
    announced_years = [y for y in years if y in announced]

    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    with transaction.atomic():
        stale = SpecialDay.objects.none()
        for year in announced_years:
            stale |= SpecialDay.objects.filter(date__year=year, source__in=SEEDED_SOURCES)
        existing = {
            row.date: row
            for row in SpecialDay.objects.select_for_update().filter(date__in=list(wanted))
        }
        for gone in stale.select_for_update().exclude(date__in=list(wanted)):
            before[gone.date.isoformat()] = _day_state(gone)
            after[gone.date.isoformat()] = None
            gone.delete()
        to_create: list[SpecialDay] = []
        for d, want in sorted(wanted.items()):
            row = existing.get(d)
            if row is None:
                to_create.append(
                    SpecialDay(
                        date=d,
                        kind=want.kind,
                        name=want.name,
                        basis=want.basis,
                        source=want.source,
                    )
                )
                before[d.isoformat()] = None
                after[d.isoformat()] = [want.kind, want.name, want.source]
            elif row.source in SEEDED_SOURCES and (
                row.kind,
                row.name,
                row.basis,
                row.source,
            ) != (want.kind, want.name, want.basis, want.source):
                before[d.isoformat()] = _day_state(row)
                row.kind, row.name, row.basis, row.source = (
                    want.kind,
                    want.name,
                    want.basis,
                    want.source,
                )
                row.save(update_fields=["kind", "name", "basis", "source"])
                after[d.isoformat()] = _day_state(row)
        # A concurrent seeding may have inserted the same dates; theirs are equal.
        SpecialDay.objects.bulk_create(to_create, ignore_conflicts=True)
        if to_create:
            calendar_changed()  # bulk_create sends no signal
        if after:
            audit_record(
                action="calendar.seed_holidays",
                target=("calendar.specialday", "", f"{years[0]}-{years[-1]}"),
                actor=actor,
                before=before,
                after=after,
                note=", ".join(str(y) for y in years),
            )
    return len(after)


def _day_state(row: SpecialDay) -> list[str]:
    return [row.kind, row.name, row.source]


def _wanted_days(
    years: Sequence[int],
    extras: Sequence[AnnualHoliday] | None,
    announced: Mapping[int, Sequence[AnnouncedDay]],
) -> dict[dt.date, _Wanted]:
    """Return what each seeded date of ``years`` should be, announced years first."""
    wanted: dict[dt.date, _Wanted] = {}
    for year in years:
        for day in announced.get(year, ()):
            wanted[day.date] = _Wanted(
                day.kind, day.name[:NAME_MAX_LENGTH], day.basis, DaySource.ANNOUNCED
            )
    package_years = [y for y in years if y not in announced]
    if not package_years:
        return wanted
    if extras is None:
        extras = getattr(settings, "MOTCUA_EXTRA_HOLIDAYS", EXTRA_HOLIDAYS)
    package = holidays.country_holidays("VN", years=package_years, language="vi")
    for d in package.weekend_workdays:
        # The package also reports swaps of other years (2014-12-27 for a 2015
        # bridge day, asked about 2025 or not): keep each with its own year.
        if d.year in package_years:
            wanted[d] = _Wanted(DayKind.WORKING_DAY, SWAPPED_WORKING_DAY_NAME, "", DaySource.SEED)
    for d, name in package.items():
        if d.year in package_years:
            wanted[d] = _Wanted(DayKind.HOLIDAY, name[:NAME_MAX_LENGTH], "", DaySource.SEED)
    for extra in extras:
        for year in package_years:
            d = dt.date(year, extra.month, extra.day)
            if year >= extra.since and d not in package:
                wanted[d] = _Wanted(
                    DayKind.HOLIDAY, extra.name[:NAME_MAX_LENGTH], "", DaySource.SEED
                )
    return wanted


def _check_kind(kind: str) -> None:
    if kind not in DayKind.values:
        raise ValidationFailed(INVALID_KIND, field_errors={"kind": [INVALID_KIND]})


def _date_taken(row: SpecialDay) -> ValidationFailed:
    what = row.name or str(DayKind(row.kind).label)
    message = DATE_TAKEN % {"date": date_format(row.date, "d/m/Y"), "what": what}
    return ValidationFailed(message, field_errors={"date": [message]})


def special_day_add(
    *, date: dt.date, kind: str, name: str = "", basis: str = "", actor: Any = None
) -> SpecialDay:
    """Enter a day that differs from its weekday, as an administrator decides.

    Refuses a date the calendar already has (``ValidationFailed`` on
    ``date``, naming that day): change that day instead. Nothing is saved
    then. Writes the audit entry in the same transaction.
    """
    _check_kind(kind)
    with transaction.atomic():
        existing = SpecialDay.objects.filter(date=date).first()
        if existing is not None:
            raise _date_taken(existing)
        try:
            with transaction.atomic():
                row = SpecialDay.objects.create(
                    date=date,
                    kind=kind,
                    name=name.strip()[:NAME_MAX_LENGTH],
                    basis=basis.strip(),
                    source=DaySource.ADMIN,
                )
        except IntegrityError:
            # Someone else entered the same date meanwhile.
            raise _date_taken(SpecialDay.objects.get(date=date)) from None
        audit_record(
            action="calendar.special_day.add",
            target=row,
            actor=actor,
            after=snapshot(row, DAY_FIELDS),
        )
    return row


def special_day_change(
    *, date: dt.date, kind: str, name: str = "", basis: str = "", actor: Any = None
) -> SpecialDay:
    """Change the special day of ``date``; it becomes the administrator's, so seeding leaves it.

    Locks the row while it changes. Raises ``NotFound`` if the date has no
    special day.
    """
    _check_kind(kind)
    with transaction.atomic():
        row = SpecialDay.objects.select_for_update().filter(date=date).first()
        if row is None:
            raise NotFound(SPECIAL_DAY_NOT_FOUND)
        before = snapshot(row, DAY_FIELDS)
        row.kind, row.name, row.basis, row.source = (
            kind,
            name.strip()[:NAME_MAX_LENGTH],
            basis.strip(),
            DaySource.ADMIN,
        )
        row.save(update_fields=["kind", "name", "basis", "source"])
        audit_record(
            action="calendar.special_day.change",
            target=row,
            actor=actor,
            before=before,
            after=snapshot(row, DAY_FIELDS),
        )
    return row


def special_day_set(
    *, date: dt.date, kind: str, name: str = "", basis: str = "", actor: Any = None
) -> SpecialDay:
    """Make ``date`` a holiday, a day off or a working day, whether or not it had a row.

    The row becomes the administrator's (``source=admin``), so seeding no
    longer changes it. Locks the row of that date while it changes.
    """
    _check_kind(kind)
    with transaction.atomic():
        if SpecialDay.objects.select_for_update().filter(date=date).exists():
            return special_day_change(date=date, kind=kind, name=name, basis=basis, actor=actor)
        return special_day_add(date=date, kind=kind, name=name, basis=basis, actor=actor)


def special_day_delete(*, date: dt.date, actor: Any = None) -> None:
    """Make ``date`` an ordinary day of its weekday again.

    A seeded holiday deleted here comes back with the next seeding; to
    cancel one for good, make the date a working day with ``special_day_change``.
    Raises ``NotFound`` if the date has no special day.
    """
    with transaction.atomic():
        row = SpecialDay.objects.select_for_update().filter(date=date).first()
        if row is None:
            raise NotFound(SPECIAL_DAY_NOT_FOUND)
        audit_record(
            action="calendar.special_day.delete",
            target=row,
            actor=actor,
            before=snapshot(row, DAY_FIELDS),
        )
        row.delete()


def _validated(row: WorkingTime) -> None:
    """Raise ``ValidationFailed`` with a message per field unless ``row`` may be saved."""
    errors: dict[str, list[str]] = {}
    try:
        row.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors = {name: list(messages) for name, messages in exc.message_dict.items()}
    taken = (
        WorkingTime.objects.filter(starts_month=row.starts_month, starts_day=row.starts_day)
        .exclude(pk=row.pk)
        .exists()
    )
    if taken and "starts_day" not in errors:
        errors["starts_day"] = [str(SEASON_START_TAKEN)]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, field_errors=errors)


def _saved(row: WorkingTime) -> None:
    """Save a checked season; a season added at the same start meanwhile is refused likewise."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationFailed(
            SEASON_START_TAKEN, field_errors={"starts_day": [SEASON_START_TAKEN]}
        ) from None


def working_time_add(
    *,
    starts_month: int,
    starts_day: int,
    morning_start: dt.time,
    morning_end: dt.time,
    afternoon_start: dt.time,
    afternoon_end: dt.time,
    daily_cutoff: dt.time,
    name: str = "",
    actor: Any = None,
) -> WorkingTime:
    """Add a season of working hours, in force each year from (``starts_month``, ``starts_day``).

    Raises ``ValidationFailed`` with a message per field if the start does not
    exist every year or another season starts that day, if the periods are
    out of order or the cut-off falls outside them; nothing is saved then.
    """
    row = WorkingTime(
        name=name.strip(),
        starts_month=starts_month,
        starts_day=starts_day,
        morning_start=morning_start,
        morning_end=morning_end,
        afternoon_start=afternoon_start,
        afternoon_end=afternoon_end,
        daily_cutoff=daily_cutoff,
    )
    with transaction.atomic():
        _validated(row)
        _saved(row)
        audit_record(
            action="calendar.working_time.add",
            target=row,
            actor=actor,
            after=snapshot(row, SEASON_FIELDS),
        )
    return row


def working_time_update(
    *,
    pk: int | None = None,
    name: str | None = None,
    starts_month: int | None = None,
    starts_day: int | None = None,
    morning_start: dt.time | None = None,
    morning_end: dt.time | None = None,
    afternoon_start: dt.time | None = None,
    afternoon_end: dt.time | None = None,
    daily_cutoff: dt.time | None = None,
    actor: Any = None,
) -> WorkingTime:
    """Change a season of working hours; omitted values stay as they are.

    Without ``pk``, changes the only season (created with the defaults on
    first use); with several seasons, ``pk`` is required. Locks the row while
    it changes. Raises ``NotFound`` for an unknown ``pk``, and
    ``ValidationFailed`` with a message per field as ``working_time_add``.
    """
    values: dict[str, Any] = {
        "name": name.strip() if name is not None else None,
        "starts_month": starts_month,
        "starts_day": starts_day,
        "morning_start": morning_start,
        "morning_end": morning_end,
        "afternoon_start": afternoon_start,
        "afternoon_end": afternoon_end,
        "daily_cutoff": daily_cutoff,
    }
    with transaction.atomic():
        locked = WorkingTime.objects.select_for_update()
        if pk is not None:
            row = locked.filter(pk=pk).first()
            if row is None:
                raise NotFound(SEASON_NOT_FOUND)
        else:
            rows = list(locked[:2])
            if len(rows) > 1:
                raise ValidationFailed(SEVERAL_SEASONS)
            row = rows[0] if rows else WorkingTime()
        before = snapshot(row, SEASON_FIELDS) if row.pk is not None else None
        for field, value in values.items():
            if value is not None:
                setattr(row, field, value)
        _validated(row)
        _saved(row)
        audit_record(
            action="calendar.working_time.change",
            target=row,
            actor=actor,
            before=before,
            after=snapshot(row, SEASON_FIELDS),
        )
    return row


def working_time_delete(*, pk: int, actor: Any = None) -> None:
    """Delete a season of working hours; the season before it then runs on in its place.

    Refuses to delete the last season (``ValidationFailed``): change its
    hours instead. Locks the seasons while it checks.
    """
    with transaction.atomic():
        rows = list(WorkingTime.objects.select_for_update().order_by("pk"))
        row = next((r for r in rows if r.pk == pk), None)
        if row is None:
            raise NotFound(SEASON_NOT_FOUND)
        if len(rows) == 1:
            raise ValidationFailed(LAST_SEASON)
        audit_record(
            action="calendar.working_time.delete",
            target=row,
            actor=actor,
            before=snapshot(row, SEASON_FIELDS),
        )
        row.delete()


CALENDAR = "calendar"  # the name of the version row


def calendar_changed() -> None:
    """Give the calendar a new stamp, in the caller's transaction (see ``CalendarVersion``)."""
    stamp = uuid.uuid4().hex
    if not CalendarVersion.objects.filter(name=CALENDAR).update(stamp=stamp):
        CalendarVersion.objects.update_or_create(name=CALENDAR, defaults={"stamp": stamp})
