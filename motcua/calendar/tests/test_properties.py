"""The fast due-date arithmetic against a plain day-by-day walk, on random cases.

The reference below is written the obvious way (walk each day, each working
period of the hours in force that day, spend the remaining time), sharing
nothing with the selectors but the data, so an agreement over hundreds of
random cases is worth something. Then properties that hold whatever the
calendar: due dates and working time are inverse, monotonic and additive.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import timezone

from motcua.calendar.models import DayKind, SpecialDay, WorkingTime
from motcua.calendar.selectors import (
    due_date,
    working_time_between,
    working_time_seasons,
    working_times_from,
)
from motcua.calendar.services import (
    calendar_seed_holidays,
    special_day_set,
    working_time_add,
    working_time_update,
)

pytestmark = pytest.mark.django_db

CASES = 200
T = dt.time
ZERO = dt.timedelta(0)


def _span(a: dt.time, b: dt.time) -> dt.timedelta:
    return dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)


class Reference:
    """Working days and periods, answered one calendar day at a time."""

    def __init__(self) -> None:
        self.kinds = dict(SpecialDay.objects.values_list("date", "kind"))
        self.seasons: list[WorkingTime] = working_time_seasons()

    def season(self, d: dt.date) -> WorkingTime:
        """Return the season with the latest start on or before ``d`` (else the year's last)."""
        in_force = self.seasons[-1]
        for season in self.seasons:
            if (season.starts_month, season.starts_day) <= (d.month, d.day):
                in_force = season
        return in_force

    def periods(self, d: dt.date) -> list[tuple[dt.time, dt.time]]:
        s = self.season(d)
        return [(s.morning_start, s.morning_end), (s.afternoon_start, s.afternoon_end)]

    def length(self, d: dt.date) -> dt.timedelta:
        return sum((_span(a, b) for a, b in self.periods(d)), ZERO)

    def is_working(self, d: dt.date) -> bool:
        kind = self.kinds.get(d)
        return d.weekday() < 5 if kind is None else kind == DayKind.WORKING_DAY

    def next_working(self, d: dt.date) -> dt.date:
        while not self.is_working(d):
            d += dt.timedelta(days=1)
        return d

    def periods_from(self, start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Yield the working periods from ``start`` on, as naive local moments."""
        d = start.date()
        for _ in range(4000):
            if self.is_working(d):
                for a, b in self.periods(d):
                    begin = max(dt.datetime.combine(d, a), start)
                    end = dt.datetime.combine(d, b)
                    if begin < end:
                        yield begin, end
            d += dt.timedelta(days=1)

    def due(self, start: dt.datetime, remaining: dt.timedelta) -> dt.datetime:
        for begin, end in self.periods_from(start):
            if remaining == ZERO:
                return begin
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        raise AssertionError("reference ran out of periods")

    def elapsed(self, d: dt.date, t: dt.time) -> dt.timedelta:
        """Return the working time of ``d`` before ``t``."""
        total = ZERO
        for a, b in self.periods(d):
            total += max(ZERO, _span(a, min(max(t, a), b)))
        return total

    def moment(self, d: dt.date, elapsed: dt.timedelta) -> dt.datetime:
        """Return the moment ``elapsed`` into the working day ``d``, a boundary told as an end."""
        for a, b in self.periods(d):
            if elapsed <= _span(a, b):
                return dt.datetime.combine(d, a) + elapsed
            elapsed -= _span(a, b)
        raise AssertionError("elapsed beyond the day")

    def due_days(self, start: dt.datetime, days: Decimal) -> dt.datetime:
        whole = int(days)
        d = start.date()
        if self.is_working(d):
            first, elapsed = d, self.elapsed(d, start.time())
        else:
            first, elapsed = self.next_working(d), ZERO
        day, counted = first, 0
        while counted < whole:
            day = self.next_working(day + dt.timedelta(days=1))
            counted += 1
        elapsed = min(elapsed, self.length(day))
        fraction = days - whole
        if fraction:
            extra = self.length(day) * float(fraction)
            extra = dt.timedelta(seconds=round(extra.total_seconds()))
            return self.due(self.moment(day, elapsed), extra)
        if elapsed == ZERO:
            previous = day - dt.timedelta(days=1)
            while not self.is_working(previous):
                previous -= dt.timedelta(days=1)
            return self.moment(previous, self.length(previous))
        return self.moment(day, elapsed)

    def same_day(self, start: dt.datetime) -> dt.datetime:
        d = start.date()
        if not (self.is_working(d) and start.time() <= self.season(d).daily_cutoff):
            d = self.next_working(d + dt.timedelta(days=1))
        return dt.datetime.combine(d, self.season(d).afternoon_end)

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        total = ZERO
        for begin, stop in self.periods_from(start):
            if begin >= end:
                break
            total += min(stop, end) - begin
        return total

    def skipped(self, start: dt.datetime, due: dt.datetime) -> list[dt.date]:
        days = (due.date() - start.date()).days + 1
        dates = [start.date() + dt.timedelta(days=i) for i in range(days)]
        return [d for d in dates if not self.is_working(d)]


def local_naive(moment: dt.datetime) -> dt.datetime:
    return timezone.make_naive(moment)


def random_start(rng: random.Random) -> dt.datetime:
    day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(3 * 366))
    # Minutes on a 5-minute grid put many starts exactly on period boundaries.
    minute = rng.choice([rng.randrange(0, 24 * 60, 5), 420, 450, 690, 780, 810, 900, 990, 1020])
    return timezone.make_aware(dt.datetime.combine(day, dt.time(minute // 60, minute % 60)))


def random_limit(rng: random.Random) -> tuple[str, Decimal]:
    kind = rng.choice(["days", "half_days", "hours", "same_day"])
    if kind == "same_day":
        return kind, Decimal(0)
    if kind == "hours":
        return kind, Decimal(rng.randrange(0, 400)) / 4
    days = Decimal(rng.randrange(1, 300))
    return kind, days / 2 if kind == "half_days" else days


def scatter_admin_days(rng: random.Random) -> None:
    """Add the kinds of corrections administrators make, at random."""
    for _ in range(40):
        d = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(4 * 366))
        if d.weekday() >= 5:
            special_day_set(date=d, kind=DayKind.WORKING_DAY, name="làm bù")
        else:
            special_day_set(date=d, kind=rng.choice([DayKind.DAY_OFF, DayKind.HOLIDAY]), name="")


def two_seasons() -> None:
    """Summer from 15 April (8h, cut-off 16:00), winter from 15 October (7h30, cut-off 15:00)."""
    working_time_update(
        starts_month=10,
        starts_day=15,
        morning_start=T(7, 30),
        morning_end=T(11, 30),
        afternoon_start=T(13),
        afternoon_end=T(16, 30),
        daily_cutoff=T(15),
    )
    working_time_add(
        starts_month=4,
        starts_day=15,
        morning_start=T(7),
        morning_end=T(11, 30),
        afternoon_start=T(13, 30),
        afternoon_end=T(17),
        daily_cutoff=T(16),
    )


def three_seasons() -> None:
    """Two seasons, and from 1 July a third with no lunch break and odd minutes (7h05)."""
    two_seasons()
    working_time_add(
        starts_month=7,
        starts_day=1,
        morning_start=T(8, 10),
        morning_end=T(12),
        afternoon_start=T(12),
        afternoon_end=T(15, 25),
        daily_cutoff=T(10, 30),
    )


CALENDARS = {
    "one season": lambda: None,
    "one season, other hours": lambda: working_time_update(
        morning_start=T(8),
        morning_end=T(12),
        afternoon_start=T(12),
        afternoon_end=T(16, 45),
        daily_cutoff=T(10, 30),
    ),
    "two seasons": two_seasons,
    "three seasons": three_seasons,
}


@pytest.fixture(params=list(CALENDARS))
def rng(request: pytest.FixtureRequest) -> random.Random:
    """A seeded random source, over a calendar of seeded holidays and administrator's days."""
    rng = random.Random(f"{request.param} 2026")
    WorkingTime.objects.all().delete()
    CALENDARS[request.param]()
    calendar_seed_holidays(years=range(2024, 2031))
    scatter_admin_days(rng)
    return rng


def test_due_date_agrees_with_a_day_by_day_walk(rng: random.Random) -> None:
    ref = Reference()

    for _ in range(CASES):
        start = random_start(rng)
        kind, amount = random_limit(rng)
        naive = local_naive(start)
        if kind == "same_day":
            result = due_date(start=start, working_days=0)
            expected = ref.same_day(naive)
        elif kind == "hours":
            result = due_date(start=start, working_hours=amount)
            expected = ref.due(naive, dt.timedelta(hours=float(amount)))
        else:
            result = due_date(start=start, working_days=amount)
            expected = ref.due_days(naive, amount)

        case = f"{start.isoformat()} {kind} {amount}"
        assert local_naive(result.due_at) == expected, case
        assert result.skipped == ref.skipped(naive, expected), case


def test_working_time_between_agrees_with_a_day_by_day_walk(rng: random.Random) -> None:
    ref = Reference()

    for _ in range(CASES):
        start = random_start(rng)
        end = start + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 400))
        expected = ref.between(local_naive(start), local_naive(end))

        assert working_time_between(start=start, end=end) == expected, start
        assert working_time_between(start=end, end=start) == -expected, start


def test_working_time_between_inverts_a_limit_in_hours(rng: random.Random) -> None:
    for _ in range(CASES):
        start = random_start(rng)
        hours = Decimal(rng.randrange(1, 2000)) / 4
        due_at = due_date(start=start, working_hours=hours).due_at

        assert working_time_between(start=start, end=due_at) == dt.timedelta(hours=float(hours)), (
            start
        )


def test_due_dates_never_go_back_when_the_start_or_the_limit_grows(rng: random.Random) -> None:
    for _ in range(CASES):
        first, second = sorted([random_start(rng), random_start(rng)])
        kind, amount = random_limit(rng)
        limit = {"working_hours" if kind == "hours" else "working_days": amount}
        case = f"{first.isoformat()} {second.isoformat()} {kind} {amount}"

        assert due_date(start=first, **limit).due_at <= due_date(start=second, **limit).due_at, case
        if kind == "same_day":
            continue  # the same-day rule (by closing) is not a limit of zero length
        more = {key: value + Decimal("0.5") for key, value in limit.items()}
        assert due_date(start=first, **limit).due_at <= due_date(start=first, **more).due_at, case


def test_limits_in_hours_add_up(rng: random.Random) -> None:
    for _ in range(CASES):
        start = random_start(rng)
        a, b = (Decimal(rng.randrange(1, 400)) / 4 for _ in range(2))
        halfway = due_date(start=start, working_hours=a).due_at

        assert (
            due_date(start=halfway, working_hours=b).due_at
            == due_date(start=start, working_hours=a + b).due_at
        ), f"{start.isoformat()} {a} {b}"


def test_working_times_from_equals_each_working_time_between(rng: random.Random) -> None:
    for _ in range(CASES // 10):
        start = random_start(rng)
        ends = [random_start(rng) for _ in range(12)]

        assert working_times_from(start=start, ends=ends) == [
            working_time_between(start=start, end=end) for end in ends
        ]
