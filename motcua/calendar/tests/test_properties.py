"""The fast due-date arithmetic against a plain day-by-day walk, on random cases.

The reference below is written the obvious way (walk each day, each working
period, spend the remaining time), sharing nothing with the selectors but the
data, so an agreement over hundreds of random cases is worth something.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from motcua.calendar.models import DayKind, SpecialDay, WorkingTime
from motcua.calendar.selectors import due_date, working_time_between, working_time_get
from motcua.calendar.services import calendar_seed_holidays, special_day_set, working_time_update

pytestmark = pytest.mark.django_db

CASES = 300


class Reference:
    """Working days and periods, answered one calendar day at a time."""

    def __init__(self) -> None:
        self.kinds = dict(SpecialDay.objects.values_list("date", "kind"))
        wt: WorkingTime = working_time_get()
        self.periods = [(wt.morning_start, wt.morning_end), (wt.afternoon_start, wt.afternoon_end)]
        self.closing, self.cutoff = wt.afternoon_end, wt.daily_cutoff
        self.length = sum(
            (
                dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)
                for a, b in self.periods
            ),
            dt.timedelta(0),
        )

    def is_working(self, d: dt.date) -> bool:
        kind = self.kinds.get(d)
        return d.weekday() < 5 if kind is None else kind == DayKind.WORKING_DAY

    def periods_from(self, start: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
        """Return the working periods from ``start`` on, as naive local moments, lazily enough."""
        out: list[tuple[dt.datetime, dt.datetime]] = []
        d = start.date()
        while len(out) < 4000:
            if self.is_working(d):
                for a, b in self.periods:
                    begin = max(dt.datetime.combine(d, a), start)
                    end = dt.datetime.combine(d, b)
                    if begin < end:
                        out.append((begin, end))
            d += dt.timedelta(days=1)
        return out

    def due(self, start: dt.datetime, remaining: dt.timedelta) -> dt.datetime:
        for begin, end in self.periods_from(start):
            if remaining == dt.timedelta(0):
                return begin
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        raise AssertionError("reference ran out of periods")

    def same_day(self, start: dt.datetime) -> dt.datetime:
        d = start.date()
        if not (self.is_working(d) and start.time() <= self.cutoff):
            d += dt.timedelta(days=1)
            while not self.is_working(d):
                d += dt.timedelta(days=1)
        return dt.datetime.combine(d, self.closing)

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        total = dt.timedelta(0)
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
    minute = rng.choice([rng.randrange(0, 24 * 60, 5), 450, 690, 810, 900, 1020])
    return timezone.make_aware(dt.datetime.combine(day, dt.time(minute // 60, minute % 60)))


def scatter_admin_days(rng: random.Random) -> None:
    """Add the kinds of corrections administrators make, at random."""
    for _ in range(40):
        d = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(4 * 366))
        if d.weekday() >= 5:
            special_day_set(date=d, kind=DayKind.WORKING_DAY, name="làm bù")
        else:
            special_day_set(date=d, kind=rng.choice([DayKind.DAY_OFF, DayKind.HOLIDAY]), name="")


@pytest.mark.parametrize("seed", [2026, 45])
def test_due_date_agrees_with_a_day_by_day_walk(seed: int) -> None:
    rng = random.Random(seed)
    calendar_seed_holidays(years=range(2024, 2031))
    scatter_admin_days(rng)
    if seed == 45:
        working_time_update(
            morning_start=dt.time(8),
            morning_end=dt.time(12),
            afternoon_start=dt.time(12),
            afternoon_end=dt.time(16, 45),
            daily_cutoff=dt.time(10, 30),
        )
    ref = Reference()

    for _ in range(CASES):
        start = random_start(rng)
        kind = rng.choice(["days", "half_days", "hours", "same_day"])
        if kind == "same_day":
            result = due_date(start=start, working_days=0)
            expected = ref.same_day(local_naive(start))
        elif kind == "hours":
            hours = Decimal(rng.randrange(0, 400)) / 4
            result = due_date(start=start, working_hours=hours)
            expected = ref.due(local_naive(start), dt.timedelta(hours=float(hours)))
        else:
            days = Decimal(rng.randrange(1, 300))
            if kind == "half_days":
                days = days / 2
            result = due_date(start=start, working_days=days)
            expected = ref.due(local_naive(start), ref.length * float(days))

        case = f"{start.isoformat()} {kind}"
        assert local_naive(result.due_at) == expected, case
        assert result.skipped == ref.skipped(local_naive(start), expected), case


def test_working_time_between_agrees_with_a_day_by_day_walk() -> None:
    rng = random.Random(7)
    calendar_seed_holidays(years=range(2024, 2028))
    scatter_admin_days(rng)
    ref = Reference()

    for _ in range(CASES):
        start = random_start(rng)
        end = start + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 120))
        expected = ref.between(local_naive(start), local_naive(end))

        assert working_time_between(start=start, end=end) == expected, start
        assert working_time_between(start=end, end=start) == -expected, start
