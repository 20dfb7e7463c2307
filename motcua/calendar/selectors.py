"""Reads of the working-day calendar: due dates and working time between two moments.

Working time is measured on one axis that only moves during the morning and
afternoon periods of working days, each working day contributing its own
length: the hours of the season in force that day (summer and winter hours
give days of different lengths). A moment outside the periods sits at the
start of the next period (an evening, a weekend and the next morning's
opening are the same point on the axis). Deadlines:

* ``working_hours=H`` adds H hours along the axis;
* ``working_days=N`` lands N working days later at the same elapsed working
  time into the day, capped at that day's length (Friday 10:00 + 1 day is
  Monday 10:00; 16:30 on a summer day of 8h30 + 1 winter day of 8h is the
  end of that winter day). A clock that starts outside working time starts
  at the opening of the next working day. A half day adds, after the whole
  days, half of the length of the day reached, as working hours;
* ``working_days=0`` is the same-day rule: received on a working day up to
  that day's cut-off, due at the end of that day; later, due at the end of
  the next working day.

With one season every working day has the same length L and ``N`` days are
simply ``N x L`` on the axis; ``working_time_between`` is then the inverse of
both kinds of limit. With several seasons it is the inverse of
``working_hours`` (and of ``working_days`` whenever no cap applies).

A due moment that falls on a period boundary is reported as the end of the
earlier period (17:00 on Monday, not 07:30 on Tuesday): the same point on
the axis, told as the citizen expects it.

Nothing here walks the calendar day by day: the days that differ from their
weekday are fetched for a bounded window with one query, the seasons with
another, and working days are counted with week arithmetic (five per week)
corrected by bisecting the sorted exceptions, one stretch of constant hours
(a season's part of a year; a year has at most a few) at a time.

Nothing is kept between calls: every computation reads the current seasons
and days, so a change applies to the next due date. ``calendar_snapshot()``
lets one batch (a recomputation of many dossiers, inside one request) read
them once.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from motcua.calendar.models import CalendarVersion, DayKind, SpecialDay, WorkingTime

SATURDAY = 5
ONE_DAY = dt.timedelta(days=1)
ZERO = dt.timedelta(0)
MICROSECONDS_PER_HOUR = 3_600_000_000
# Beyond the five-in-seven weekday estimate, room for a year's worth of
# holidays in proportion and one long Tết break, so one query nearly always
# covers the whole computation.
WINDOW_SLACK_DAYS = 21
WINDOW_HOLIDAY_SHARE = 10


@dataclass(frozen=True)
class DueDate:
    """When a time limit expires, and the non-working dates it passed over."""

    due_at: dt.datetime
    skipped: list[dt.date]


def working_time_seasons() -> list[WorkingTime]:
    """Return the seasons of working hours in the order of their starts (the defaults if none)."""
    return list(_seasons().rows)


def working_time_get(on: dt.date | None = None) -> WorkingTime:
    """Return the working hours in force on ``on`` (default: today), or the defaults if none."""
    return _seasons().row_on(on or timezone.localdate())


def working_day_length(on: dt.date | None = None) -> dt.timedelta:
    """Return the working time of a working day on ``on`` (default: today); one query."""
    return _seasons().hours_on(on or timezone.localdate()).length


def is_working_day(d: dt.date) -> bool:
    """Return whether ``d`` is a working day (one query)."""
    special = SpecialDay.objects.filter(date=d).values_list("kind", flat=True).first()
    return _is_working(d, special)


def special_days_between(first: dt.date, last: dt.date) -> list[SpecialDay]:
    """Return the special days from ``first`` to ``last`` included, in date order."""
    return list(SpecialDay.objects.filter(date__range=(first, last)).order_by("date"))


def calendar_fingerprint() -> str:
    """Return a digest of the seasons and the special days: it changes with any of them."""
    digest = hashlib.sha256()
    for season in WorkingTime.objects.order_by("starts_month", "starts_day").values_list(
        "starts_month",
        "starts_day",
        "morning_start",
        "morning_end",
        "afternoon_start",
        "afternoon_end",
        "daily_cutoff",
    ):
        digest.update(repr(season).encode())
    digest.update(b"|")
    for day in SpecialDay.objects.order_by("date").values_list("date", "kind"):
        digest.update(repr(day).encode())
    return digest.hexdigest()[:32]


def due_date(
    *,
    start: dt.datetime,
    working_days: int | Decimal | None = None,
    working_hours: int | Decimal | None = None,
) -> DueDate:
    """Return when a time limit of ``working_days`` or ``working_hours`` from ``start`` expires.

    Give exactly one of the two. ``start`` must be aware; the result is in the
    current time zone. Runs two queries (the seasons, then the exceptions of
    a window estimated from the limit), a third only if an administrator
    entered so many days off that the window falls short.

    Raises ``ValueError`` for a naive ``start``, for neither or both limits,
    or for a negative one.
    """
    local_start = _local(start)
    if working_days is not None and working_hours is None:
        amount = Decimal(working_days)
    elif working_hours is not None and working_days is None:
        amount = Decimal(working_hours)
    else:
        raise ValueError("Give exactly one of working_days and working_hours.")
    if not amount.is_finite() or amount < 0:
        raise ValueError("A time limit must be a finite number of zero or more.")

    seasons = _seasons()
    origin = local_start.date()
    if working_days is not None:
        due_at, days = _due_in_days(seasons, origin, local_start.time(), amount)
    else:
        offset = dt.timedelta(microseconds=_integral(amount * MICROSECONDS_PER_HOUR))
        # The start adds at most one day to the offset, hence the two extra days.
        days = _Days(origin, needed=offset // seasons.shortest + 2)
        day, rest = _advance(
            seasons, days, origin, days.offset(origin, seasons, local_start.time()), offset
        )
        due_at = seasons.hours_on(day).at(day, rest, prefer_end=offset > ZERO)
    return DueDate(due_at=due_at, skipped=days.non_working_between(origin, due_at.date()))


def working_time_between(*, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Return the working time from ``start`` to ``end``; negative if ``end`` comes first.

    Use it for "time left" (now to the due moment) and "overdue by" (the due
    moment to now). Two queries.
    """
    local_start, local_end = _local(start), _local(end)
    if local_end < local_start:
        return -working_time_between(start=end, end=start)
    seasons = _seasons()
    first, last = local_start.date(), local_end.date()
    days = _Days(first, last=last)
    return (
        _working_time_of_days(seasons, days, first, last)
        + days.offset(last, seasons, local_end.time())
        - days.offset(first, seasons, local_start.time())
    )


def working_times_from(*, start: dt.datetime, ends: Sequence[dt.datetime]) -> list[dt.timedelta]:
    """Return the working time from ``start`` to each of ``ends`` (negative when before it).

    For lists ("time left" on every row): two queries whatever the number of
    rows, the exceptions being fetched once for the span of all the moments.
    """
    if not ends:
        return []
    seasons = _seasons()
    local_start = _local(start)
    local_ends = [_local(e) for e in ends]
    first = min(local_start.date(), *(e.date() for e in local_ends))
    last = max(local_start.date(), *(e.date() for e in local_ends))
    days = _Days(first, last=last)
    # The stretches of constant hours over the span, with the working time before each.
    starts: list[dt.date] = []
    before: list[dt.timedelta] = []
    total, pos = ZERO, first
    while True:
        starts.append(pos)
        before.append(total)
        change = seasons.next_change(pos)
        if change is None or change > last:
            break
        total += seasons.hours_on(pos).length * days.count(pos, change)
        pos = change

    def axis(moment: dt.datetime) -> dt.timedelta:
        d = moment.date()
        i = bisect.bisect_right(starts, d) - 1
        length = seasons.hours_on(starts[i]).length
        return (
            before[i] + length * days.count(starts[i], d) + days.offset(d, seasons, moment.time())
        )

    origin = axis(local_start)
    return [axis(e) - origin for e in local_ends]


@contextmanager
def calendar_snapshot() -> Iterator[None]:
    """Read the seasons and special days once for the calls made inside the block.

    For a batch (a recomputation of many due dates) in one request or one
    transaction: the block sees the calendar as it was when it first needed
    each part of it. Never keep it open across requests.
    """
    token = _snapshot.set(_Snapshot())
    try:
        yield
    finally:
        _snapshot.reset(token)


# --- Implementation -----------------------------------------------------------------------


def _local(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise ValueError("Give an aware datetime.")
    return timezone.localtime(moment)


def _is_working(d: dt.date, special_kind: str | None) -> bool:
    if special_kind is None:
        return d.weekday() < SATURDAY
    return special_kind == DayKind.WORKING_DAY


def _integral(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def _scale(length: dt.timedelta, factor: Decimal) -> dt.timedelta:
    micros = (length.days * 86_400 + length.seconds) * 1_000_000 + length.microseconds
    return dt.timedelta(microseconds=_integral(factor * micros))


def _weekdays_before(d: dt.date) -> int:
    """Return how many Monday-to-Friday dates come before ``d`` since 1 January of year 1."""
    # Ordinal 1 (1 January of year 1) is a Monday, so weeks line up with ordinals.
    weeks, rest = divmod(d.toordinal() - 1, 7)
    return weeks * 5 + min(rest, 5)


def _calendar_days_for(working_days: int) -> int:
    """Return a calendar span that very likely holds ``working_days`` working days."""
    return -(-working_days * 7 // 5) + working_days // WINDOW_HOLIDAY_SHARE + WINDOW_SLACK_DAYS


def _due_in_days(
    seasons: _Seasons, origin: dt.date, t: dt.time, amount: Decimal
) -> tuple[dt.datetime, _Days]:
    """Return when ``amount`` working days from ``origin`` at ``t`` end, and the days it read."""
    whole = int(amount)
    fraction = amount - whole
    days = _Days(origin, needed=whole + 2)
    if amount == 0:
        # The same-day rule, with the cut-off of the day received.
        same_day = days.is_working(origin) and t <= seasons.hours_on(origin).cutoff
        day = origin if same_day else days.nth_working_day(origin + ONE_DAY, 0)
        hours = seasons.hours_on(day)
        return hours.at(day, hours.length), days
    if days.is_working(origin):
        first, elapsed = origin, seasons.hours_on(origin).offset_in_day(t)
    else:
        first, elapsed = days.nth_working_day(origin, 0), ZERO
    day = days.nth_working_day(first, whole)
    hours = seasons.hours_on(day)
    elapsed = min(elapsed, hours.length)
    if fraction:
        day, rest = _advance(seasons, days, day, elapsed, _scale(hours.length, fraction))
        return seasons.hours_on(day).at(day, rest), days
    if elapsed == ZERO:
        # The opening of that day is the end of the working day before it: tell it so.
        day = days.nth_working_day(first, whole - 1)
        hours = seasons.hours_on(day)
        return hours.at(day, hours.length), days
    return hours.at(day, elapsed), days


def _advance(
    seasons: _Seasons, days: _Days, first: dt.date, elapsed: dt.timedelta, amount: dt.timedelta
) -> tuple[dt.date, dt.timedelta]:
    """Return the working day and time into it ``amount`` after ``elapsed`` into ``first``.

    Goes a stretch of constant hours at a time, counting the stretch's
    working days with week arithmetic. A result on a day boundary is the end
    of the earlier day when ``amount`` is positive (a deadline), else the
    opening of the next (a clock that starts).
    """
    remaining = elapsed + amount
    prefer_end = amount > ZERO
    pos = first
    while True:
        change = seasons.next_change(pos)
        end = days.until if change is None else min(change, days.until)
        if end <= pos:
            days.extend()
            continue
        length = seasons.hours_on(pos).length
        count = days.count(pos, end)
        capacity = length * count
        if remaining < capacity or (prefer_end and remaining == capacity and count > 0):
            index, rest = divmod(remaining, length)
            if prefer_end and rest == ZERO:
                index, rest = index - 1, length
            return days.nth_working_day(pos, index), rest
        remaining -= capacity
        pos = end


def _working_time_of_days(seasons: _Seasons, days: _Days, a: dt.date, b: dt.date) -> dt.timedelta:
    """Return the working time of the whole working days in ``[a, b)``."""
    total, pos = ZERO, a
    while pos < b:
        change = seasons.next_change(pos)
        end = b if change is None else min(change, b)
        total += seasons.hours_on(pos).length * days.count(pos, end)
        pos = end
    return total


class _Hours:
    """The working periods of a day, as offsets from the opening on the working-time axis."""

    def __init__(self, wt: WorkingTime) -> None:
        self.morning_start = wt.morning_start
        self.morning_end = wt.morning_end
        self.afternoon_start = wt.afternoon_start
        self.afternoon_end = wt.afternoon_end
        self.cutoff = wt.daily_cutoff
        self.morning = _span(wt.morning_start, wt.morning_end)
        self.length = self.morning + _span(wt.afternoon_start, wt.afternoon_end)

    def offset_in_day(self, t: dt.time) -> dt.timedelta:
        """Return how much of a working day's time has passed at ``t``."""
        if t <= self.morning_start:
            return ZERO
        if t < self.morning_end:
            return _span(self.morning_start, t)
        if t <= self.afternoon_start:
            return self.morning
        if t < self.afternoon_end:
            return self.morning + _span(self.afternoon_start, t)
        return self.length

    def at(self, d: dt.date, offset: dt.timedelta, *, prefer_end: bool = True) -> dt.datetime:
        """Return the aware moment ``offset`` into the working day ``d``.

        At the lunch boundary, ``prefer_end`` picks the end of the morning
        (a deadline) over the start of the afternoon (a clock that starts).
        """
        if offset < self.morning or (offset == self.morning and prefer_end):
            t = _plus(self.morning_start, offset)
        else:
            t = _plus(self.afternoon_start, offset - self.morning)
        return timezone.make_aware(dt.datetime.combine(d, t))


def _span(a: dt.time, b: dt.time) -> dt.timedelta:
    return dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)


def _plus(t: dt.time, delta: dt.timedelta) -> dt.time:
    return (dt.datetime.combine(dt.date.min, t) + delta).time()


class _Seasons:
    """The seasons of working hours: which hours are in force on a date, and when they change."""

    def __init__(self, rows: Sequence[WorkingTime]) -> None:
        self.rows = sorted(rows, key=lambda r: (r.starts_month, r.starts_day)) or [WorkingTime()]
        self._starts = [(r.starts_month, r.starts_day) for r in self.rows]
        self._hours = [_Hours(r) for r in self.rows]
        self.shortest = min(h.length for h in self._hours)

    def _index(self, d: dt.date) -> int:
        # Before the first start of the year, the last season (of the year before) runs on.
        return bisect.bisect_right(self._starts, (d.month, d.day)) - 1

    def row_on(self, d: dt.date) -> WorkingTime:
        return self.rows[self._index(d)]

    def hours_on(self, d: dt.date) -> _Hours:
        return self._hours[self._index(d)]

    def next_change(self, d: dt.date) -> dt.date | None:
        """Return the first date after ``d`` when another season starts; None with one season."""
        if len(self._hours) == 1:
            return None
        i = bisect.bisect_right(self._starts, (d.month, d.day))
        if i < len(self._starts):
            month, day = self._starts[i]
            return dt.date(d.year, month, day)
        month, day = self._starts[0]
        return dt.date(d.year + 1, month, day)


class _Snapshot:
    """What ``calendar_snapshot`` read: the seasons and the special days, read once.

    On first need the snapshot asks for the calendar's stamp (one small
    query); when this process already read the calendar under that stamp it
    takes that copy, else it reads every season and every special day (a few
    hundred rows) and keeps them for the next requests. The stamp changes in
    the transaction of every change and is read before the rows, so a copy is
    never older than its stamp says.
    """

    def __init__(self) -> None:
        self._calendar: _Calendar | None = None

    def calendar(self) -> _Calendar:
        if self._calendar is None:
            self._calendar = _calendar_read()
        return self._calendar

    def special(self, first: dt.date, until: dt.date) -> list[tuple[dt.date, str]]:
        calendar = self.calendar()
        lo = bisect.bisect_left(calendar.dates, first)
        hi = bisect.bisect_left(calendar.dates, until)
        return list(zip(calendar.dates[lo:hi], calendar.kinds[lo:hi], strict=True))


@dataclass(frozen=True)
class _Calendar:
    stamp: str
    seasons: _Seasons
    dates: list[dt.date]
    kinds: list[str]


# The calendar this process read last, under its stamp: a copy checked against the database
# on each request that needs it, never trusted without that check.
_last_read: _Calendar | None = None


def _calendar_read() -> _Calendar:
    global _last_read  # the process's copy, checked against the stamp
    stamp = CalendarVersion.objects.filter(name="calendar").values_list("stamp", flat=True).first()
    if stamp is None:  # an emptied database: the migration's row is gone
        stamp = CalendarVersion.objects.get_or_create(
            name="calendar", defaults={"stamp": uuid.uuid4().hex}
        )[0].stamp
    kept = _last_read
    if kept is not None and kept.stamp == stamp:
        return kept
    seasons = _Seasons(list(WorkingTime.objects.all()))
    rows = sorted(SpecialDay.objects.values_list("date", "kind"))
    kept = _Calendar(stamp, seasons, [d for d, _k in rows], [k for _d, k in rows])
    _last_read = kept
    return kept


_snapshot: ContextVar[_Snapshot | None] = ContextVar("calendar_snapshot", default=None)


def _seasons() -> _Seasons:
    snapshot = _snapshot.get()
    if snapshot is not None:
        return snapshot.calendar().seasons
    return _Seasons(list(WorkingTime.objects.all()))


def _special_rows(first: dt.date, until: dt.date) -> list[tuple[dt.date, str]]:
    return list(
        SpecialDay.objects.filter(date__gte=first, date__lt=until).values_list("date", "kind")
    )


def _special(first: dt.date, until: dt.date) -> list[tuple[dt.date, str]]:
    snapshot = _snapshot.get()
    if snapshot is not None:
        return snapshot.special(first, until)
    return _special_rows(first, until)


class _Days:
    """Working days from ``first`` on, from the exceptions fetched for a window.

    Only exceptions that change a date's status count: days off that fall on
    weekdays, and working days that fall on weekends. The window ends either
    at ``last`` or where ``needed`` working days very likely fit; asking
    beyond it loads the next stretch (one more query).
    """

    def __init__(self, first: dt.date, *, last: dt.date | None = None, needed: int = 0) -> None:
        self._first = first
        self.until = first  # the first date whose exceptions are not loaded
        self._off: list[dt.date] = []  # weekdays that are not working days
        self._on: list[dt.date] = []  # weekend days that are working days
        if last is None:
            last = first + dt.timedelta(days=_calendar_days_for(needed))
        self._load(last + ONE_DAY)

    def _load(self, until: dt.date) -> None:
        for d, kind in sorted(_special(self.until, until)):
            if _is_working(d, kind) != _is_working(d, None):
                (self._on if d.weekday() >= SATURDAY else self._off).append(d)
        self.until = until

    def extend(self) -> None:
        """Load as much again as is loaded (at least three weeks)."""
        span = max((self.until - self._first).days, WINDOW_SLACK_DAYS)
        self._load(self.until + dt.timedelta(days=span))

    def _cover(self, until: dt.date) -> None:
        if until > self.until:
            self._load(max(until, self.until + dt.timedelta(days=WINDOW_SLACK_DAYS)))

    def is_working(self, d: dt.date) -> bool:
        self._cover(d + ONE_DAY)
        if d.weekday() < SATURDAY:
            return not _contains(self._off, d)
        return _contains(self._on, d)

    def count(self, a: dt.date, b: dt.date) -> int:
        """Return how many working days fall in ``[a, b)``."""
        self._cover(b)
        return (
            _weekdays_before(b)
            - _weekdays_before(a)
            - (bisect.bisect_left(self._off, b) - bisect.bisect_left(self._off, a))
            + (bisect.bisect_left(self._on, b) - bisect.bisect_left(self._on, a))
        )

    def nth_working_day(self, a: dt.date, n: int) -> dt.date:
        """Return the working day with ``n`` working days before it from ``a`` on (n=0: the first).

        The count of working days from ``a`` is a step function of the date,
        so bisect for the last date where it is still ``n``, within the
        loaded window (extended until it holds n+1 working days).
        """
        while self.count(a, self.until) <= n:
            self.extend()
        lo, hi = 0, (self.until - a).days  # count(a, a + lo) <= n < count(a, a + hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.count(a, a + dt.timedelta(days=mid)) <= n:
                lo = mid
            else:
                hi = mid
        return a + dt.timedelta(days=lo)

    def offset(self, d: dt.date, seasons: _Seasons, t: dt.time) -> dt.timedelta:
        """Return the working time of ``d`` passed at ``t``; none on a day off, which waits."""
        return seasons.hours_on(d).offset_in_day(t) if self.is_working(d) else ZERO

    def non_working_between(self, a: dt.date, b: dt.date) -> list[dt.date]:
        """Return the non-working dates in ``[a, b]``, in order."""
        self._cover(b + ONE_DAY)
        # Step a week at a time from the Saturday on or before ``a``: the output's own size.
        saturday = a - dt.timedelta(days=(a.weekday() - SATURDAY) % 7)
        weekend: list[dt.date] = []
        while saturday <= b:
            weekend.extend(d for d in (saturday, saturday + ONE_DAY) if a <= d <= b)
            saturday += dt.timedelta(days=7)
        off = self._off[bisect.bisect_left(self._off, a) : bisect.bisect_right(self._off, b)]
        on = set(self._on[bisect.bisect_left(self._on, a) : bisect.bisect_right(self._on, b)])
        return sorted([d for d in weekend if d not in on] + off)


def _contains(sorted_dates: list[dt.date], d: dt.date) -> bool:
    i = bisect.bisect_left(sorted_dates, d)
    return i < len(sorted_dates) and sorted_dates[i] == d
