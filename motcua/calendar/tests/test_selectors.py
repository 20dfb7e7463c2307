from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from motcua.calendar.models import DayKind, SpecialDay, WorkingTime
from motcua.calendar.selectors import (
    calendar_snapshot,
    due_date,
    is_working_day,
    working_day_length,
    working_time_between,
    working_time_get,
)
from motcua.calendar.services import special_day_set, working_time_update

from .conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("holidays_2026")]

D = dt.date


def test_working_time_get_returns_the_default_hours() -> None:
    wt = working_time_get()

    assert (wt.starts_month, wt.starts_day) == (1, 1)
    assert (wt.morning_start, wt.afternoon_end, wt.daily_cutoff) == (
        dt.time(7, 30),
        dt.time(17, 0),
        dt.time(15, 0),
    )
    assert working_day_length() == dt.timedelta(hours=7, minutes=30)


def test_without_any_row_the_defaults_apply_and_nothing_is_written() -> None:
    WorkingTime.objects.all().delete()

    assert working_time_get().pk is None
    assert due_date(start=at(2026, 3, 9, 10, 30), working_hours=2).due_at == at(2026, 3, 9, 14, 30)
    assert not WorkingTime.objects.exists()


def test_one_working_day_from_friday_skips_the_weekend() -> None:
    result = due_date(start=at(2026, 3, 6, 10), working_days=1)

    assert result.due_at == at(2026, 3, 9, 10)
    assert result.skipped == [D(2026, 3, 7), D(2026, 3, 8)]


def test_due_at_is_aware_in_the_current_time_zone() -> None:
    start = at(2026, 3, 6, 10).astimezone(dt.UTC)

    due_at = due_date(start=start, working_days=1).due_at

    assert due_at.utcoffset() == dt.timedelta(hours=7)
    assert due_at.isoformat() == "2026-03-09T10:00:00+07:00"


def test_tet_holidays_and_their_weekends_are_skipped() -> None:
    result = due_date(start=at(2026, 2, 13, 10), working_days=1)

    assert result.due_at == at(2026, 2, 23, 10)
    assert result.skipped == [D(2026, 2, d) for d in range(14, 23)]


def test_reunification_and_labour_days_are_skipped() -> None:
    result = due_date(start=at(2026, 4, 29, 10), working_days=1)

    assert result.due_at == at(2026, 5, 4, 10)
    assert result.skipped == [D(2026, 4, 30), D(2026, 5, 1), D(2026, 5, 2), D(2026, 5, 3)]


def test_a_weekend_holiday_counts_its_day_in_lieu() -> None:
    # Hùng Kings' day falls on Sunday 26 April 2026; Monday 27 is off instead.
    result = due_date(start=at(2026, 4, 24, 9), working_days=2)

    assert result.due_at == at(2026, 4, 29, 9)
    assert result.skipped == [D(2026, 4, 25), D(2026, 4, 26), D(2026, 4, 27)]


def test_a_swapped_working_saturday_counts_as_a_working_day() -> None:
    result = due_date(start=at(2026, 8, 21, 10), working_days=1)

    assert result.due_at == at(2026, 8, 22, 10)
    assert result.skipped == []


def test_national_day_and_its_bridge_day_are_skipped() -> None:
    result = due_date(start=at(2026, 8, 28, 10), working_days=1)

    assert result.due_at == at(2026, 9, 3, 10)
    assert result.skipped == [
        D(2026, 8, 29),
        D(2026, 8, 30),
        D(2026, 8, 31),
        D(2026, 9, 1),
        D(2026, 9, 2),
    ]


def test_culture_day_is_a_holiday_from_2026() -> None:
    result = due_date(start=at(2026, 11, 23, 10), working_days=1)

    assert result.due_at == at(2026, 11, 25, 10)
    assert result.skipped == [D(2026, 11, 24)]


def test_an_extra_day_off_entered_by_an_administrator_is_skipped() -> None:
    special_day_set(date=D(2026, 3, 9), kind=DayKind.DAY_OFF, name="Nghỉ đột xuất")

    result = due_date(start=at(2026, 3, 6, 10), working_days=1)

    assert result.due_at == at(2026, 3, 10, 10)
    assert result.skipped == [D(2026, 3, 7), D(2026, 3, 8), D(2026, 3, 9)]


def test_a_seeded_holiday_made_a_working_day_by_an_administrator_counts() -> None:
    special_day_set(date=D(2026, 11, 24), kind=DayKind.WORKING_DAY, name="")

    assert due_date(start=at(2026, 11, 23, 10), working_days=1).due_at == at(2026, 11, 24, 10)


def test_many_working_days_count_working_days_not_calendar_days() -> None:
    # Six weeks from Monday 5 Jan, with Saturday 10 Jan worked (the New Year swap), end on
    # Friday 13 Feb, just before Tết; the 31st day waits for Tết to end.
    result = due_date(start=at(2026, 1, 5, 9), working_days=30)

    assert result.due_at == at(2026, 2, 13, 9)
    assert len(result.skipped) == 5 * 2 - 1  # five weekends, less the Saturday worked
    assert (result.skipped[0], result.skipped[-1]) == (D(2026, 1, 11), D(2026, 2, 8))
    assert due_date(start=at(2026, 1, 5, 9), working_days=31).due_at == at(2026, 2, 23, 9)


def test_same_day_before_the_cut_off_is_due_at_the_end_of_the_day() -> None:
    assert due_date(start=at(2026, 3, 9, 14, 59), working_days=0).due_at == at(2026, 3, 9, 17)


def test_same_day_at_the_cut_off_itself_is_still_the_same_day() -> None:
    assert due_date(start=at(2026, 3, 9, 15), working_days=0).due_at == at(2026, 3, 9, 17)


def test_same_day_received_before_opening_is_due_that_evening() -> None:
    assert due_date(start=at(2026, 3, 9, 6), working_days=0).due_at == at(2026, 3, 9, 17)


def test_same_day_after_the_cut_off_is_due_at_the_end_of_the_next_working_day() -> None:
    result = due_date(start=at(2026, 3, 9, 15, 1), working_days=0)

    assert result.due_at == at(2026, 3, 10, 17)
    assert result.skipped == []


def test_same_day_after_the_cut_off_before_tet_waits_for_tet_to_end() -> None:
    result = due_date(start=at(2026, 2, 13, 16), working_days=Decimal(0))

    assert result.due_at == at(2026, 2, 23, 17)
    assert result.skipped == [D(2026, 2, d) for d in range(14, 23)]


def test_same_day_on_a_weekend_is_due_at_the_end_of_monday() -> None:
    result = due_date(start=at(2026, 3, 7, 9), working_days=0)

    assert result.due_at == at(2026, 3, 9, 17)
    assert result.skipped == [D(2026, 3, 7), D(2026, 3, 8)]


def test_working_hours_skip_the_lunch_break() -> None:
    assert due_date(start=at(2026, 3, 9, 10, 30), working_hours=2).due_at == at(2026, 3, 9, 14, 30)


def test_working_hours_continue_the_next_working_day() -> None:
    result = due_date(start=at(2026, 3, 6, 16), working_hours=3)

    assert result.due_at == at(2026, 3, 9, 9, 30)
    assert result.skipped == [D(2026, 3, 7), D(2026, 3, 8)]


def test_working_hours_accept_fractions() -> None:
    due = due_date(start=at(2026, 3, 9, 8), working_hours=Decimal("1.25")).due_at

    assert due == at(2026, 3, 9, 9, 15)


def test_a_deadline_on_a_boundary_is_the_end_of_the_earlier_period() -> None:
    assert due_date(start=at(2026, 3, 9, 7, 30), working_hours=4).due_at == at(2026, 3, 9, 11, 30)
    assert due_date(start=at(2026, 3, 9, 7, 30), working_days=1).due_at == at(2026, 3, 9, 17)


def test_start_before_opening_starts_the_clock_at_opening() -> None:
    assert due_date(start=at(2026, 3, 9, 5), working_hours=1).due_at == at(2026, 3, 9, 8, 30)


def test_start_at_lunch_starts_the_clock_in_the_afternoon() -> None:
    assert due_date(start=at(2026, 3, 9, 12), working_hours=2).due_at == at(2026, 3, 9, 15, 30)


def test_start_after_closing_starts_the_clock_the_next_working_day() -> None:
    # Clock starts on Tuesday 7:30; one full working day ends on Tuesday evening.
    assert due_date(start=at(2026, 3, 9, 18), working_days=1).due_at == at(2026, 3, 10, 17)


def test_start_on_a_holiday_starts_the_clock_after_it() -> None:
    result = due_date(start=at(2026, 2, 17, 10), working_hours=2)

    assert result.due_at == at(2026, 2, 23, 9, 30)
    assert result.skipped == [D(2026, 2, d) for d in range(17, 23)]


def test_zero_working_hours_is_the_moment_the_clock_starts() -> None:
    assert due_date(start=at(2026, 3, 6, 18), working_hours=0).due_at == at(2026, 3, 9, 7, 30)


def test_half_a_working_day_is_half_of_its_hours() -> None:
    # 7.5 working hours a day by default: half a day is 3h45.
    assert due_date(start=at(2026, 3, 9, 7, 30), working_days=Decimal("0.5")).due_at == at(
        2026, 3, 9, 11, 15
    )
    assert due_date(start=at(2026, 3, 9, 10), working_days=Decimal("2.5")).due_at == at(
        2026, 3, 11, 15, 45
    )


def test_configured_working_time_is_used() -> None:
    working_time_update(
        morning_start=dt.time(8),
        morning_end=dt.time(12),
        afternoon_start=dt.time(13),
        afternoon_end=dt.time(17, 30),
        daily_cutoff=dt.time(16),
    )

    assert due_date(start=at(2026, 3, 9, 11), working_hours=2).due_at == at(2026, 3, 9, 14)
    assert due_date(start=at(2026, 3, 9, 15, 30), working_days=0).due_at == at(2026, 3, 9, 17, 30)


def test_due_date_refuses_a_naive_start() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_date(start=dt.datetime(2026, 3, 9, 10), working_days=1)  # noqa: DTZ001


@pytest.mark.parametrize(
    "limits",
    [{}, {"working_days": 1, "working_hours": 1}, {"working_days": -1}, {"working_hours": -2}],
)
def test_due_date_refuses_neither_both_or_negative_limits(limits: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        due_date(start=at(2026, 3, 9, 10), **limits)


@pytest.mark.parametrize("n", [5, 300])
def test_due_date_runs_two_queries_whatever_the_number_of_days(
    django_assert_num_queries: DjangoAssertNumQueries, n: int
) -> None:
    with django_assert_num_queries(2):
        due_date(start=at(2026, 1, 5, 9), working_days=n)
    with django_assert_num_queries(2):
        due_date(start=at(2026, 1, 5, 9), working_hours=n)


def test_due_date_queries_exceptions_once_for_a_long_limit() -> None:
    with CaptureQueriesContext(connection) as queries:
        result = due_date(start=at(2026, 1, 5, 9), working_days=1000)

    assert len(queries) == 2
    assert result.due_at.year == 2029


def test_working_time_between_counts_only_working_periods() -> None:
    # Friday 16:00-17:00, then Tết, then Monday 7:30-9:00.
    assert working_time_between(start=at(2026, 2, 13, 16), end=at(2026, 2, 23, 9)) == (
        dt.timedelta(hours=2, minutes=30)
    )
    assert working_time_between(start=at(2026, 3, 9, 11), end=at(2026, 3, 9, 14)) == (
        dt.timedelta(hours=1)
    )


def test_working_time_between_is_negative_when_the_end_comes_first() -> None:
    assert working_time_between(start=at(2026, 3, 10, 9), end=at(2026, 3, 9, 9)) == (
        -dt.timedelta(hours=7, minutes=30)
    )


def test_working_time_between_over_a_weekend_is_zero() -> None:
    assert working_time_between(start=at(2026, 3, 6, 18), end=at(2026, 3, 9, 7)) == dt.timedelta(0)


def test_working_time_between_inverts_due_date() -> None:
    start = at(2026, 4, 24, 10, 17)
    due_at = due_date(start=start, working_days=12).due_at

    assert working_time_between(start=start, end=due_at) == 12 * dt.timedelta(hours=7, minutes=30)


def test_is_working_day_follows_weekends_holidays_and_swaps() -> None:
    assert is_working_day(D(2026, 3, 9))
    assert not is_working_day(D(2026, 3, 7))
    assert not is_working_day(D(2026, 2, 17))
    assert is_working_day(D(2026, 8, 22))


def test_a_process_reads_the_calendar_again_only_when_it_changed() -> None:
    """Inside a snapshot (every request), the calendar costs one small query while unchanged;
    a change in any way (service, row saved, row deleted, a change rolled back) is seen."""

    def due() -> tuple[dt.datetime, int]:
        with CaptureQueriesContext(connection) as queries, calendar_snapshot():
            found = due_date(start=at(2026, 10, 6, 9), working_days=1).due_at
        return found, len(queries)

    before, _ = due()
    assert due() == (before, 1)  # the stamp only

    special_day_set(date=D(2026, 10, 8), kind=DayKind.DAY_OFF)  # a Thursday off
    assert due()[0] == before  # one working day from Tuesday 9:00 is Wednesday 9:00
    day = SpecialDay.objects.create(date=D(2026, 10, 7), kind=DayKind.DAY_OFF)
    moved, queries = due()
    assert moved == at(2026, 10, 9, 9) and queries > 1  # Wednesday and Thursday off
    assert due() == (moved, 1)
    day.delete()
    assert due()[0] == before

    with pytest.raises(RuntimeError), transaction.atomic():
        SpecialDay.objects.create(date=D(2026, 10, 7), kind=DayKind.DAY_OFF)
        assert due()[0] == moved  # seen inside its own transaction
        raise RuntimeError
    assert due()[0] == before  # and forgotten with it
