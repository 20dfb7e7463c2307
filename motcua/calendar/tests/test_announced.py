"""The announced calendars of 2024, 2025 and 2026, as seeding writes them and due dates see them.

Each year's expected days come from its notices (see ``announced.py`` for the
texts): every weekday that is not worked and every weekend day that is.
"""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.calendar.announced import ANNOUNCED
from motcua.calendar.models import DayKind, DaySource, SpecialDay
from motcua.calendar.selectors import due_date
from motcua.calendar.services import calendar_seed_holidays

from .conftest import at

pytestmark = pytest.mark.django_db

D = dt.date

NON_WORKING_WEEKDAYS = {
    2024: [
        D(2024, 1, 1),
        *[D(2024, 2, n) for n in (8, 9, 12, 13, 14)],
        D(2024, 4, 18),
        D(2024, 4, 29),
        D(2024, 4, 30),
        D(2024, 5, 1),
        D(2024, 9, 2),
        D(2024, 9, 3),
    ],
    2025: [
        D(2025, 1, 1),
        *[D(2025, 1, n) for n in range(27, 32)],
        D(2025, 4, 7),
        D(2025, 4, 30),
        D(2025, 5, 1),
        D(2025, 5, 2),
        D(2025, 9, 1),
        D(2025, 9, 2),
    ],
    2026: [
        D(2026, 1, 1),
        D(2026, 1, 2),
        *[D(2026, 2, n) for n in range(16, 21)],
        D(2026, 4, 27),
        D(2026, 4, 30),
        D(2026, 5, 1),
        D(2026, 8, 31),
        D(2026, 9, 1),
        D(2026, 9, 2),
        D(2026, 11, 24),
    ],
}
WORKING_WEEKEND_DAYS = {
    2024: [D(2024, 5, 4)],
    2025: [D(2025, 4, 26)],
    2026: [D(2026, 1, 10), D(2026, 8, 22)],
}


@pytest.fixture
def announced_years() -> None:
    calendar_seed_holidays(years=[2024, 2025, 2026])


def working(d: dt.date, kinds: dict[dt.date, str]) -> bool:
    kind = kinds.get(d)
    return d.weekday() < 5 if kind is None else kind == DayKind.WORKING_DAY


@pytest.mark.usefixtures("announced_years")
@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_seeding_writes_every_announced_day_off_and_working_weekend_day(year: int) -> None:
    kinds = dict(SpecialDay.objects.values_list("date", "kind"))
    dates = [
        D(year, 1, 1) + dt.timedelta(days=i)
        for i in range((D(year + 1, 1, 1) - D(year, 1, 1)).days)
    ]

    assert [d for d in dates if d.weekday() < 5 and not working(d, kinds)] == (
        NON_WORKING_WEEKDAYS[year]
    )
    assert [d for d in dates if d.weekday() >= 5 and working(d, kinds)] == (
        WORKING_WEEKEND_DAYS[year]
    )
    rows = SpecialDay.objects.filter(date__year=year)
    assert {r.source for r in rows} == {DaySource.ANNOUNCED}
    assert all(r.basis for r in rows)


def test_each_announced_day_is_listed_once_and_differs_or_is_a_holiday() -> None:
    for year, days in ANNOUNCED.items():
        dates = [d.date for d in days]
        assert len(dates) == len(set(dates)), year
        assert {d.year for d in dates} == {year}
        for day in days:
            # A working day must be a weekend day; a day off a weekday; holidays may be either.
            if day.kind == DayKind.WORKING_DAY:
                assert day.date.weekday() >= 5, day
            if day.kind == DayKind.DAY_OFF:
                assert day.date.weekday() < 5, day


@pytest.mark.usefixtures("announced_years")
@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # 2024: Tết Thursday 8 - Wednesday 14 February.
        (at(2024, 2, 7, 10), 1, at(2024, 2, 15, 10)),
        # 2024: Saturday 27 April - Wednesday 1 May off; Saturday 4 May worked.
        (at(2024, 4, 26, 10), 1, at(2024, 5, 2, 10)),
        (at(2024, 4, 26, 10), 3, at(2024, 5, 4, 10)),
        # 2024: National Day Monday 2 and Tuesday 3 September.
        (at(2024, 8, 30, 10), 1, at(2024, 9, 4, 10)),
        # 2025: Tết Monday 27 - Friday 31 January.
        (at(2025, 1, 24, 10), 1, at(2025, 2, 3, 10)),
        # 2025: Saturday 26 April worked; Wednesday 30 April - Friday 2 May off.
        (at(2025, 4, 25, 10), 1, at(2025, 4, 26, 10)),
        (at(2025, 4, 29, 10), 1, at(2025, 5, 5, 10)),
        # 2025: National Day Monday 1 and Tuesday 2 September.
        (at(2025, 8, 29, 10), 1, at(2025, 9, 3, 10)),
        # 2026: New Year Thursday 1 and Friday 2 January off; Saturday 10 January worked.
        (at(2025, 12, 31, 10), 1, at(2026, 1, 5, 10)),
        (at(2026, 1, 9, 10), 1, at(2026, 1, 10, 10)),
        # 2026: Tết Monday 16 - Friday 20 February.
        (at(2026, 2, 13, 10), 1, at(2026, 2, 23, 10)),
        # 2026: Thursday 30 April and Friday 1 May.
        (at(2026, 4, 29, 10), 1, at(2026, 5, 4, 10)),
        # 2026: Saturday 22 August worked; Monday 31 August - Wednesday 2 September off.
        (at(2026, 8, 21, 10), 1, at(2026, 8, 22, 10)),
        (at(2026, 8, 28, 10), 1, at(2026, 9, 3, 10)),
        # 2026: Vietnam Culture Day, Tuesday 24 November.
        (at(2026, 11, 23, 10), 1, at(2026, 11, 25, 10)),
    ],
)
def test_due_dates_follow_the_announced_calendar(
    start: dt.datetime, days: int, due: dt.datetime
) -> None:
    assert due_date(start=start, working_days=days).due_at == due


@pytest.mark.usefixtures("announced_years")
def test_a_same_day_dossier_received_after_the_cut_off_before_tet_is_due_after_it() -> None:
    result = due_date(start=at(2025, 1, 24, 16), working_days=0)

    assert result.due_at == at(2025, 2, 3, 17)
    assert result.skipped == [D(2025, 1, 25) + dt.timedelta(days=i) for i in range(9)]
