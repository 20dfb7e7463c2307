"""Reads of the working-day calendar: due dates and working time between two moments.

Working time is measured on one axis that only moves during the morning and
afternoon periods of working days. A moment outside them sits at the start
of the next period (an evening, a weekend and the next morning's opening are
the same point on the axis). Deadlines are offsets on that axis:

* ``working_hours=H`` adds H hours of the axis to the start;
* ``working_days=N`` adds N times the length of a working day, so N whole
  days land on the same time of day N working days later, and a half day is
  half of a working day's hours;
* ``working_days=0`` is the same-day rule: received on a working day up to
  the daily cut-off, due at the end of that day; later, due at the end of the
  next working day.

A due moment that falls on a period boundary is reported as the end of the
earlier period (17:00 on Monday, not 07:30 on Tuesday): the same point on
the axis, told as the citizen expects it.

Nothing here walks the calendar day by day: the days that differ from their
weekday are fetched for a bounded window with one query, and working days
are counted with week arithmetic (five per week) corrected by bisecting the
sorted exceptions.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from motcua.calendar.models import DayKind, SpecialDay, WorkingTime

SATURDAY = 5
ONE_DAY = dt.timedelta(days=1)
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


def working_time_get() -> WorkingTime:
    """Return the province's working time, or the defaults if none was saved yet."""
    return WorkingTime.objects.filter(pk=1).first() or WorkingTime(pk=1)


def working_day_length() -> dt.timedelta:
    """Return the working time of one working day (one query)."""
    return _Hours(working_time_get()).length


def is_working_day(d: dt.date) -> bool:
    """Return whether ``d`` is a working day (one query)."""
    special = SpecialDay.objects.filter(date=d).values_list("kind", flat=True).first()
    return _is_working(d, special)


def due_date(
    *,
    start: dt.datetime,
    working_days: int | Decimal | None = None,
    working_hours: int | Decimal | None = None,
) -> DueDate:
    """Return when a time limit of ``working_days`` or ``working_hours`` from ``start`` expires.

    Give exactly one of the two. ``start`` must be aware; the result is in the
    current time zone. Runs two queries (working time, then the exceptions of
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

    hours = _Hours(working_time_get())
    origin = local_start.date()

    if working_days is not None and amount == 0:
        days = _Days(origin, needed=2)
        same_day = days.is_working(origin) and local_start.time() <= hours.cutoff
        due_day = origin if same_day else days.nth_working_day(origin + ONE_DAY, 0)
        due_at = hours.at(due_day, hours.length)
    else:
        if working_days is not None:
            offset = _scale(hours.length, amount)
        else:
            offset = dt.timedelta(microseconds=_integral(amount * MICROSECONDS_PER_HOUR))
        # The start adds at most one day to the offset, hence the two extra days.
        days = _Days(origin, needed=offset // hours.length + 2)
        # Offsets count from the opening of the origin day, on the working-time axis.
        total = days.offset(origin, hours, local_start.time()) + offset
        index, rest = divmod(total, hours.length)
        if rest == dt.timedelta(0) and offset > dt.timedelta(0):
            # A boundary: tell it as the end of the earlier working day.
            index, rest = index - 1, hours.length
        due_day = days.nth_working_day(origin, index)
        due_at = hours.at(due_day, rest, prefer_end=offset > dt.timedelta(0))

    return DueDate(due_at=due_at, skipped=days.non_working_between(origin, due_at.date()))


def working_time_between(*, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Return the working time from ``start`` to ``end``; negative if ``end`` comes first.

    Use it for "time left" (now to the due moment) and "overdue by" (the due
    moment to now). Two queries.
    """
    local_start, local_end = _local(start), _local(end)
    if local_end < local_start:
        return -working_time_between(start=end, end=start)
    hours = _Hours(working_time_get())
    first, last = local_start.date(), local_end.date()
    days = _Days(first, last=last)
    return hours.length * days.count(first, last) + (
        days.offset(last, hours, local_end.time()) - days.offset(first, hours, local_start.time())
    )


def working_times_from(*, start: dt.datetime, ends: Sequence[dt.datetime]) -> list[dt.timedelta]:
    """Return the working time from ``start`` to each of ``ends`` (negative when before it).

    For lists ("time left" on every row): two queries whatever the number of
    rows, the exceptions being fetched once for the span of all the moments.
    """
    if not ends:
        return []
    hours = _Hours(working_time_get())
    local_start = _local(start)
    local_ends = [_local(e) for e in ends]
    first = min(local_start.date(), *(e.date() for e in local_ends))
    last = max(local_start.date(), *(e.date() for e in local_ends))
    days = _Days(first, last=last)

    def axis(moment: dt.datetime) -> dt.timedelta:
        d = moment.date()
        return hours.length * days.count(first, d) + days.offset(d, hours, moment.time())

    origin = axis(local_start)
    return [axis(e) - origin for e in local_ends]


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
            return dt.timedelta(0)
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


class _Days:
    """Working days from ``first`` on, from the exceptions fetched for a window.

    Only exceptions that change a date's status count: days off that fall on
    weekdays, and working days that fall on weekends. The window ends either
    at ``last`` or where ``needed`` working days very likely fit; asking
    beyond it loads the next stretch (one more query).
    """

    def __init__(self, first: dt.date, *, last: dt.date | None = None, needed: int = 0) -> None:
        self._until = first  # the first date whose exceptions are not loaded
        self._off: list[dt.date] = []  # weekdays that are not working days
        self._on: list[dt.date] = []  # weekend days that are working days
        if last is None:
            last = first + dt.timedelta(days=_calendar_days_for(needed))
        self._load(last + ONE_DAY)

    def _load(self, until: dt.date) -> None:
        rows = SpecialDay.objects.filter(date__gte=self._until, date__lt=until).values_list(
            "date", "kind"
        )
        for d, kind in sorted(rows):
            if _is_working(d, kind) != _is_working(d, None):
                (self._on if d.weekday() >= SATURDAY else self._off).append(d)
        self._until = until

    def _cover(self, until: dt.date) -> None:
        if until > self._until:
            self._load(max(until, self._until + dt.timedelta(days=WINDOW_SLACK_DAYS)))

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
        so bisect for the last date where it is still ``n``; the range starts
        as the loaded window and doubles (loading more) until it holds n+1.
        """
        span = max((self._until - a).days, 7)
        while self.count(a, a + dt.timedelta(days=span)) <= n:
            span *= 2
        lo, hi = 0, span  # count(a, a + lo) <= n < count(a, a + hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.count(a, a + dt.timedelta(days=mid)) <= n:
                lo = mid
            else:
                hi = mid
        return a + dt.timedelta(days=lo)

    def offset(self, d: dt.date, hours: _Hours, t: dt.time) -> dt.timedelta:
        """Return the working time of ``d`` passed at ``t``; none on a day off, which waits."""
        return hours.offset_in_day(t) if self.is_working(d) else dt.timedelta(0)

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
