from __future__ import annotations

import datetime as dt

import pytest

from motcua.calendar.models import (
    CUTOFF_OUTSIDE_HOURS,
    LUNCH_ORDER,
    DayKind,
    DaySource,
    SpecialDay,
    WorkingTime,
)
from motcua.calendar.services import (
    INVALID_KIND,
    INVALID_YEARS,
    SPECIAL_DAY_NOT_FOUND,
    SWAPPED_WORKING_DAY_NAME,
    AnnualHoliday,
    calendar_seed_holidays,
    parse_years,
    special_day_delete,
    special_day_set,
    working_time_update,
)
from motcua.core.errors import NotFound, ValidationFailed

pytestmark = pytest.mark.django_db

D = dt.date


def kinds(year: int) -> dict[dt.date, str]:
    return dict(SpecialDay.objects.filter(date__year=year).values_list("date", "kind"))


def test_seeding_2026_writes_the_government_days_off_and_the_swapped_saturday() -> None:
    written = calendar_seed_holidays(years=[2026])

    days = kinds(2026)
    assert written == len(days) == 15
    for d in [D(2026, 1, 1), *[D(2026, 2, n) for n in range(16, 21)], D(2026, 4, 27)]:
        assert days[d] == DayKind.HOLIDAY
    for d in [D(2026, 4, 30), D(2026, 5, 1), D(2026, 8, 31), D(2026, 9, 1), D(2026, 9, 2)]:
        assert days[d] == DayKind.HOLIDAY
    assert days[D(2026, 11, 24)] == DayKind.HOLIDAY
    # Hùng Kings' day on a Sunday stays listed, with its day in lieu above.
    assert days[D(2026, 4, 26)] == DayKind.HOLIDAY
    assert days[D(2026, 8, 22)] == DayKind.WORKING_DAY
    saturday = SpecialDay.objects.get(date=D(2026, 8, 22))
    assert (saturday.name, saturday.source) == (SWAPPED_WORKING_DAY_NAME, DaySource.SEED)
    assert SpecialDay.objects.get(date=D(2026, 9, 2)).name == "Quốc khánh"


def test_seeding_twice_changes_nothing_the_second_time() -> None:
    first = calendar_seed_holidays(years=range(2024, 2028))
    before = list(SpecialDay.objects.values_list("date", "kind", "name", "source"))

    assert first > 0
    assert calendar_seed_holidays(years=range(2024, 2028)) == 0
    assert list(SpecialDay.objects.values_list("date", "kind", "name", "source")) == before


def test_seeding_leaves_days_entered_by_an_administrator_alone() -> None:
    special_day_set(date=D(2026, 11, 24), kind=DayKind.WORKING_DAY, name="Làm việc bình thường")
    special_day_set(date=D(2026, 12, 31), kind=DayKind.DAY_OFF, name="Nghỉ cuối năm")

    calendar_seed_holidays(years=[2026])

    culture_day = SpecialDay.objects.get(date=D(2026, 11, 24))
    assert (culture_day.kind, culture_day.name, culture_day.source) == (
        DayKind.WORKING_DAY,
        "Làm việc bình thường",
        DaySource.ADMIN,
    )
    assert SpecialDay.objects.get(date=D(2026, 12, 31)).source == DaySource.ADMIN


def test_seeding_restores_a_seeded_row_that_was_changed_outside_the_admin() -> None:
    calendar_seed_holidays(years=[2026])
    SpecialDay.objects.filter(date=D(2026, 9, 2)).update(name="sai")

    assert calendar_seed_holidays(years=[2026]) == 1
    assert SpecialDay.objects.get(date=D(2026, 9, 2)).name == "Quốc khánh"


def test_seeding_adds_an_extra_yearly_holiday_the_package_lacks() -> None:
    extra = AnnualHoliday(month=3, day=8, since=2027, name="Ngày thử nghiệm")

    calendar_seed_holidays(years=[2026, 2027], extras=[extra])

    assert not SpecialDay.objects.filter(date=D(2026, 3, 8)).exists()
    assert SpecialDay.objects.get(date=D(2027, 3, 8)).name == "Ngày thử nghiệm"


def test_seeding_does_not_duplicate_an_extra_the_package_already_has() -> None:
    extra = AnnualHoliday(month=11, day=24, since=2026, name="Trùng")

    calendar_seed_holidays(years=[2026], extras=[extra])

    assert SpecialDay.objects.get(date=D(2026, 11, 24)).name == "Ngày Văn hóa Việt Nam"


def test_seeding_reads_extras_from_settings(settings: object) -> None:
    settings.MOTCUA_EXTRA_HOLIDAYS = [  # type: ignore[attr-defined]
        AnnualHoliday(month=6, day=1, since=2000, name="Quốc tế Thiếu nhi")
    ]

    calendar_seed_holidays(years=[2026])

    assert SpecialDay.objects.filter(date=D(2026, 6, 1)).exists()


def test_seeding_no_year_writes_nothing() -> None:
    assert calendar_seed_holidays(years=[]) == 0


@pytest.mark.parametrize(
    ("text", "years"),
    [("2026", [2026]), ("2024-2026", [2024, 2025, 2026]), ("2024, 2026-2027", [2024, 2026, 2027])],
)
def test_parse_years_reads_single_years_ranges_and_lists(text: str, years: list[int]) -> None:
    assert parse_years(text) == years


@pytest.mark.parametrize("text", ["", "20x6", "2027-2024", "1800", "2024-"])
def test_parse_years_refuses_what_is_not_a_list_of_years(text: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_years(text)
    assert caught.value.message == INVALID_YEARS


def test_special_day_set_marks_the_day_as_the_administrators() -> None:
    calendar_seed_holidays(years=[2026])

    day = special_day_set(date=D(2026, 9, 2), kind=DayKind.HOLIDAY, name="Quốc khánh 2/9")

    assert (day.kind, day.name, day.source) == (DayKind.HOLIDAY, "Quốc khánh 2/9", DaySource.ADMIN)
    assert SpecialDay.objects.filter(date=D(2026, 9, 2)).count() == 1


def test_special_day_set_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValidationFailed) as caught:
        special_day_set(date=D(2026, 3, 9), kind="party", name="")
    assert caught.value.field_errors == {"kind": [INVALID_KIND]}
    assert not SpecialDay.objects.exists()


def test_special_day_delete_removes_the_day_and_refuses_an_ordinary_one() -> None:
    special_day_set(date=D(2026, 3, 9), kind=DayKind.DAY_OFF, name="")

    special_day_delete(date=D(2026, 3, 9))

    assert not SpecialDay.objects.exists()
    with pytest.raises(NotFound) as caught:
        special_day_delete(date=D(2026, 3, 9))
    assert caught.value.message == SPECIAL_DAY_NOT_FOUND


def test_working_time_update_creates_the_single_row_and_keeps_omitted_values() -> None:
    working_time_update(daily_cutoff=dt.time(16))
    row = working_time_update(morning_start=dt.time(8))

    assert WorkingTime.objects.count() == 1
    assert (row.pk, row.morning_start, row.daily_cutoff) == (1, dt.time(8), dt.time(16))


def test_working_time_update_refuses_periods_out_of_order_with_the_field_to_fix() -> None:
    with pytest.raises(ValidationFailed) as caught:
        working_time_update(morning_end=dt.time(14))

    assert caught.value.field_errors["afternoon_start"] == [LUNCH_ORDER]
    assert not WorkingTime.objects.exists()


def test_working_time_update_refuses_a_cut_off_outside_working_hours() -> None:
    with pytest.raises(ValidationFailed) as caught:
        working_time_update(daily_cutoff=dt.time(18))

    assert caught.value.field_errors == {"daily_cutoff": [CUTOFF_OUTSIDE_HOURS]}
