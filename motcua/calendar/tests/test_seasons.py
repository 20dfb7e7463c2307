"""Seasons of working hours: days of different lengths on one working-time axis."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pytest_django import DjangoAssertNumQueries

from motcua.calendar.selectors import (
    due_date,
    working_day_length,
    working_time_between,
    working_time_get,
    working_time_seasons,
    working_times_from,
)
from motcua.calendar.services import working_time_add, working_time_update

from .conftest import at

T = dt.time
H = dt.timedelta(hours=1)


@pytest.fixture
def summer_and_winter() -> None:
    """Summer from 1 April, 7:00-11:30 and 13:30-17:00 (8h); winter from 1 October, 7h30.

    Winter: 7:30-11:30 and 13:00-16:30, cut-off 15:00; summer's cut-off is 16:00.
    """
    working_time_update(
        name="Giờ mùa đông",
        starts_month=10,
        starts_day=1,
        morning_start=T(7, 30),
        morning_end=T(11, 30),
        afternoon_start=T(13),
        afternoon_end=T(16, 30),
        daily_cutoff=T(15),
    )
    working_time_add(
        name="Giờ mùa hè",
        starts_month=4,
        starts_day=1,
        morning_start=T(7),
        morning_end=T(11, 30),
        afternoon_start=T(13, 30),
        afternoon_end=T(17),
        daily_cutoff=T(16),
    )


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("summer_and_winter")]


def test_the_season_in_force_runs_from_its_start_to_the_next_start_across_the_new_year() -> None:
    assert [s.name for s in working_time_seasons()] == ["Giờ mùa hè", "Giờ mùa đông"]
    assert working_time_get(dt.date(2026, 3, 31)).name == "Giờ mùa đông"  # winter runs on
    assert working_time_get(dt.date(2026, 4, 1)).name == "Giờ mùa hè"
    assert working_time_get(dt.date(2026, 9, 30)).name == "Giờ mùa hè"
    assert working_time_get(dt.date(2026, 10, 1)).name == "Giờ mùa đông"
    assert working_time_get(dt.date(2027, 1, 1)).name == "Giờ mùa đông"


def test_the_length_of_a_working_day_follows_the_hours_in_force_that_day() -> None:
    assert working_day_length(dt.date(2026, 7, 1)) == 8 * H
    assert working_day_length(dt.date(2026, 12, 1)) == dt.timedelta(hours=7, minutes=30)


def test_working_hours_continue_into_the_next_season_with_its_hours() -> None:
    # Tuesday 31 March, winter: one hour left at 15:30; Wednesday 1 April opens at 7:00.
    assert due_date(start=at(2026, 3, 31, 15, 30), working_hours=3).due_at == at(2026, 4, 1, 9)


def test_a_working_day_lands_at_the_same_elapsed_working_time_into_the_day() -> None:
    # Wednesday 30 September, summer, 10:00 is 3h into the day; Thursday 1 October is winter:
    # 3h into it is 10:30.
    assert due_date(start=at(2026, 9, 30, 10), working_days=1).due_at == at(2026, 10, 1, 10, 30)


def test_a_working_day_from_late_in_a_long_day_is_capped_at_the_end_of_a_short_one() -> None:
    # 16:45 in summer is 7h45 into the day; a winter day has 7h30: due at its closing.
    assert due_date(start=at(2026, 9, 30, 16, 45), working_days=1).due_at == at(2026, 10, 1, 16, 30)


def test_whole_days_within_one_season_keep_the_time_of_day() -> None:
    assert due_date(start=at(2026, 7, 6, 14), working_days=5).due_at == at(2026, 7, 13, 14)
    assert due_date(start=at(2026, 12, 7, 14), working_days=5).due_at == at(2026, 12, 14, 14)


def test_half_a_day_is_half_of_the_length_of_the_day_it_is_counted_in() -> None:
    # Summer: 4h after 7:00 is 11:00; winter: 3h45 after 7:30 is 11:15.
    assert due_date(start=at(2026, 7, 6, 7), working_days=Decimal("0.5")).due_at == at(
        2026, 7, 6, 11
    )
    assert due_date(start=at(2026, 12, 7, 7), working_days=Decimal("0.5")).due_at == at(
        2026, 12, 7, 11, 15
    )


def test_the_same_day_rule_uses_the_cut_off_of_that_day() -> None:
    # 15:30 is before summer's cut-off (16:00), after winter's (15:00).
    assert due_date(start=at(2026, 7, 6, 15, 30), working_days=0).due_at == at(2026, 7, 6, 17)
    assert due_date(start=at(2026, 12, 7, 15, 30), working_days=0).due_at == at(2026, 12, 8, 16, 30)


def test_working_time_between_counts_each_day_with_its_own_length() -> None:
    # Monday 30 March to Monday 6 April 2026 at opening: two winter days, three summer days.
    start, end = at(2026, 3, 30, 7, 30), at(2026, 4, 6, 7)
    expected = 2 * dt.timedelta(hours=7, minutes=30) + 3 * 8 * H

    assert working_time_between(start=start, end=end) == expected
    assert working_times_from(start=start, ends=[end, start]) == [expected, dt.timedelta(0)]


def test_due_date_and_working_time_between_stay_two_queries_with_seasons(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(2):
        due_date(start=at(2026, 1, 5, 9), working_days=300)
    with django_assert_num_queries(2):
        due_date(start=at(2026, 1, 5, 9), working_hours=900)
    with django_assert_num_queries(2):
        working_time_between(start=at(2026, 1, 5, 9), end=at(2028, 1, 5, 9))


def test_a_change_of_hours_applies_to_the_next_due_date() -> None:
    before = due_date(start=at(2026, 7, 6, 15), working_hours=3).due_at
    summer = working_time_get(dt.date(2026, 7, 6))

    working_time_update(pk=summer.pk, afternoon_end=T(17, 30))

    assert before == at(2026, 7, 7, 8)
    assert due_date(start=at(2026, 7, 6, 15), working_hours=3).due_at == at(2026, 7, 7, 7, 30)
