from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from motcua.audit.models import AuditEntry
from motcua.calendar.announced import ANNOUNCED, AnnouncedDay
from motcua.calendar.models import (
    CUTOFF_OUTSIDE_HOURS,
    LUNCH_ORDER,
    SEASON_START_INVALID,
    DayKind,
    DaySource,
    SpecialDay,
    WorkingTime,
)
from motcua.calendar.services import (
    INVALID_KIND,
    INVALID_YEARS,
    LAST_SEASON,
    SEASON_START_TAKEN,
    SEVERAL_SEASONS,
    SPECIAL_DAY_NOT_FOUND,
    AnnualHoliday,
    calendar_seed_holidays,
    parse_years,
    special_day_add,
    special_day_change,
    special_day_delete,
    special_day_set,
    working_time_add,
    working_time_delete,
    working_time_update,
)
from motcua.core.errors import NotFound, ValidationFailed

from .conftest import after_of, before_of

pytestmark = pytest.mark.django_db

D = dt.date


def kinds(year: int) -> dict[dt.date, str]:
    return dict(SpecialDay.objects.filter(date__year=year).values_list("date", "kind"))


def test_seeding_2026_writes_the_announced_days_with_their_basis() -> None:
    written = calendar_seed_holidays(years=[2026])

    days = kinds(2026)
    assert written == len(days) == len(ANNOUNCED[2026]) == 17
    for d in [D(2026, 1, 1), *[D(2026, 2, n) for n in range(16, 21)], D(2026, 4, 26)]:
        assert days[d] == DayKind.HOLIDAY
    for d in [D(2026, 4, 30), D(2026, 5, 1), D(2026, 9, 1), D(2026, 9, 2), D(2026, 11, 24)]:
        assert days[d] == DayKind.HOLIDAY
    for d in [D(2026, 1, 2), D(2026, 4, 27), D(2026, 8, 31)]:
        assert days[d] == DayKind.DAY_OFF
    assert days[D(2026, 1, 10)] == days[D(2026, 8, 22)] == DayKind.WORKING_DAY
    saturday = SpecialDay.objects.get(date=D(2026, 1, 10))
    assert (saturday.source, saturday.basis) == (
        DaySource.ANNOUNCED,
        "Công văn 12729/VPCP-KGVX ngày 25/12/2025",
    )
    assert SpecialDay.objects.get(date=D(2026, 9, 2)).name == "Quốc khánh"


def test_seeding_a_year_without_an_announcement_follows_holidays_vn() -> None:
    calendar_seed_holidays(years=[2027])

    national_day = SpecialDay.objects.get(date=D(2027, 9, 2))
    assert (national_day.kind, national_day.source, national_day.basis) == (
        DayKind.HOLIDAY,
        DaySource.SEED,
        "",
    )
    assert SpecialDay.objects.get(date=D(2027, 11, 24)).name == "Ngày Văn hóa Việt Nam"


def test_seeding_twice_changes_nothing_the_second_time() -> None:
    first = calendar_seed_holidays(years=range(2024, 2028))
    before = list(SpecialDay.objects.values_list("date", "kind", "name", "basis", "source"))
    audits = AuditEntry.objects.count()

    assert first > 0
    assert calendar_seed_holidays(years=range(2024, 2028)) == 0
    assert list(SpecialDay.objects.values_list("date", "kind", "name", "basis", "source")) == before
    assert AuditEntry.objects.count() == audits


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


def test_seeding_an_announced_year_replaces_what_the_package_seeded_before() -> None:
    # As an earlier seeding from holidays.VN left 2026: without the New Year swap, and with a
    # day off the announcement does not have.
    SpecialDay.objects.create(date=D(2026, 3, 9), kind=DayKind.DAY_OFF, source=DaySource.SEED)
    SpecialDay.objects.create(date=D(2026, 9, 2), kind=DayKind.HOLIDAY, source=DaySource.SEED)

    calendar_seed_holidays(years=[2026])

    assert not SpecialDay.objects.filter(date=D(2026, 3, 9)).exists()
    national_day = SpecialDay.objects.get(date=D(2026, 9, 2))
    assert (national_day.source, national_day.basis) == (
        DaySource.ANNOUNCED,
        ANNOUNCED[2026][-3].basis,
    )
    assert kinds(2026)[D(2026, 1, 2)] == DayKind.DAY_OFF


def test_seeding_follows_the_announcements_it_is_given() -> None:
    notice = [
        AnnouncedDay(
            date=D(2027, 3, 8),
            kind=DayKind.DAY_OFF,
            name="Nghỉ thử nghiệm",
            basis="Thông báo thử nghiệm",
        )
    ]

    calendar_seed_holidays(years=[2027], announced={2027: notice})

    assert list(SpecialDay.objects.values_list("date", "kind", "basis", "source")) == [
        (D(2027, 3, 8), DayKind.DAY_OFF, "Thông báo thử nghiệm", DaySource.ANNOUNCED)
    ]


def test_seeding_restores_a_seeded_row_that_was_changed_outside_the_admin() -> None:
    calendar_seed_holidays(years=[2026])
    SpecialDay.objects.filter(date=D(2026, 9, 2)).update(name="sai")

    assert calendar_seed_holidays(years=[2026]) == 1
    assert SpecialDay.objects.get(date=D(2026, 9, 2)).name == "Quốc khánh"


def test_seeding_records_what_it_changed_in_the_audit_log() -> None:
    calendar_seed_holidays(years=[2026])
    SpecialDay.objects.filter(date=D(2026, 9, 2)).update(name="sai")

    calendar_seed_holidays(years=[2026])

    entry = AuditEntry.objects.filter(action="calendar.seed_holidays").order_by("-id").first()
    assert entry is not None
    assert entry.before == {"2026-09-02": [DayKind.HOLIDAY, "sai", DaySource.ANNOUNCED]}
    assert entry.after == {"2026-09-02": [DayKind.HOLIDAY, "Quốc khánh", DaySource.ANNOUNCED]}


def test_seeding_adds_an_extra_yearly_holiday_the_package_lacks() -> None:
    extra = AnnualHoliday(month=3, day=8, since=2028, name="Ngày thử nghiệm")

    calendar_seed_holidays(years=[2027, 2028], extras=[extra])

    assert not SpecialDay.objects.filter(date=D(2027, 3, 8)).exists()
    assert SpecialDay.objects.get(date=D(2028, 3, 8)).name == "Ngày thử nghiệm"


def test_seeding_does_not_duplicate_an_extra_the_package_already_has() -> None:
    extra = AnnualHoliday(month=11, day=24, since=2026, name="Trùng")

    calendar_seed_holidays(years=[2027], extras=[extra])

    assert SpecialDay.objects.get(date=D(2027, 11, 24)).name == "Ngày Văn hóa Việt Nam"


def test_seeding_reads_extras_from_settings(settings: object) -> None:
    settings.MOTCUA_EXTRA_HOLIDAYS = [  # type: ignore[attr-defined]
        AnnualHoliday(month=6, day=1, since=2000, name="Quốc tế Thiếu nhi")
    ]

    calendar_seed_holidays(years=[2027])

    assert SpecialDay.objects.filter(date=D(2027, 6, 1)).exists()


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


def test_special_day_add_records_the_day_and_its_audit_entry(admin_user: User) -> None:
    day = special_day_add(
        date=D(2026, 3, 9),
        kind=DayKind.DAY_OFF,
        name=" Nghỉ đột xuất ",
        basis="Quyết định 1/QĐ-UBND",
        actor=admin_user,
    )

    assert (day.name, day.source) == ("Nghỉ đột xuất", DaySource.ADMIN)
    entry = AuditEntry.objects.get(action="calendar.special_day.add")
    assert (entry.actor, entry.object_id, entry.before) == (admin_user, str(day.pk), None)
    assert entry.after == {
        "date": "2026-03-09",
        "kind": DayKind.DAY_OFF,
        "name": "Nghỉ đột xuất",
        "basis": "Quyết định 1/QĐ-UBND",
        "source": DaySource.ADMIN,
    }


def test_special_day_add_refuses_a_date_already_in_the_calendar_and_writes_nothing() -> None:
    calendar_seed_holidays(years=[2026])
    before = list(SpecialDay.objects.values_list("date", "kind", "name", "source"))
    audits = AuditEntry.objects.count()

    with pytest.raises(ValidationFailed) as caught:
        special_day_add(date=D(2026, 9, 2), kind=DayKind.DAY_OFF, name="Trùng")

    message = str(caught.value.message)
    assert "02/09/2026" in message and "Quốc khánh" in message
    assert caught.value.field_errors == {"date": [caught.value.message]}
    assert list(SpecialDay.objects.values_list("date", "kind", "name", "source")) == before
    assert AuditEntry.objects.count() == audits


def test_special_day_change_makes_the_day_the_administrators_with_before_and_after() -> None:
    calendar_seed_holidays(years=[2026])

    special_day_change(date=D(2026, 11, 24), kind=DayKind.WORKING_DAY, name="Làm việc")

    day = SpecialDay.objects.get(date=D(2026, 11, 24))
    assert (day.kind, day.name, day.source) == (DayKind.WORKING_DAY, "Làm việc", DaySource.ADMIN)
    entry = AuditEntry.objects.get(action="calendar.special_day.change")
    assert (before_of(entry)["kind"], before_of(entry)["source"]) == (
        DayKind.HOLIDAY,
        DaySource.ANNOUNCED,
    )
    assert (after_of(entry)["kind"], after_of(entry)["source"]) == (
        DayKind.WORKING_DAY,
        DaySource.ADMIN,
    )


def test_special_day_change_of_an_ordinary_date_is_not_found() -> None:
    with pytest.raises(NotFound) as caught:
        special_day_change(date=D(2026, 3, 9), kind=DayKind.DAY_OFF)

    assert caught.value.message == SPECIAL_DAY_NOT_FOUND
    assert not SpecialDay.objects.exists()


def test_special_day_delete_removes_the_day_and_refuses_an_ordinary_one() -> None:
    special_day_set(date=D(2026, 3, 9), kind=DayKind.DAY_OFF, name="")

    special_day_delete(date=D(2026, 3, 9))

    assert not SpecialDay.objects.exists()
    entry = AuditEntry.objects.get(action="calendar.special_day.delete")
    assert (before_of(entry)["date"], entry.after) == ("2026-03-09", None)
    with pytest.raises(NotFound) as caught:
        special_day_delete(date=D(2026, 3, 9))
    assert caught.value.message == SPECIAL_DAY_NOT_FOUND


def test_working_time_update_creates_the_single_row_and_keeps_omitted_values() -> None:
    WorkingTime.objects.all().delete()

    working_time_update(daily_cutoff=dt.time(16))
    row = working_time_update(morning_start=dt.time(8))

    assert WorkingTime.objects.count() == 1
    assert (row.starts_month, row.starts_day) == (1, 1)
    assert (row.morning_start, row.daily_cutoff) == (dt.time(8), dt.time(16))
    entry = AuditEntry.objects.filter(action="calendar.working_time.change").order_by("id").last()
    assert entry is not None
    assert (before_of(entry)["morning_start"], after_of(entry)["morning_start"]) == (
        "07:30:00",
        "08:00:00",
    )


def test_working_time_update_refuses_periods_out_of_order_with_the_field_to_fix() -> None:
    before = list(WorkingTime.objects.values_list("morning_end", flat=True))

    with pytest.raises(ValidationFailed) as caught:
        working_time_update(morning_end=dt.time(14))

    assert caught.value.field_errors["afternoon_start"] == [LUNCH_ORDER]
    assert list(WorkingTime.objects.values_list("morning_end", flat=True)) == before
    assert not AuditEntry.objects.exists()


def test_working_time_update_refuses_a_cut_off_outside_working_hours() -> None:
    with pytest.raises(ValidationFailed) as caught:
        working_time_update(daily_cutoff=dt.time(18))

    assert caught.value.field_errors == {"daily_cutoff": [CUTOFF_OUTSIDE_HOURS]}


SUMMER: dict[str, Any] = {
    "morning_start": dt.time(7),
    "morning_end": dt.time(11, 30),
    "afternoon_start": dt.time(13, 30),
    "afternoon_end": dt.time(17),
    "daily_cutoff": dt.time(16),
}


def test_working_time_add_adds_a_season_and_its_audit_entry(admin_user: User) -> None:
    working_time_update()  # the one season there is, from 1 January

    season = working_time_add(
        name="Giờ mùa hè", starts_month=4, starts_day=15, actor=admin_user, **SUMMER
    )

    assert WorkingTime.objects.count() == 2
    entry = AuditEntry.objects.get(action="calendar.working_time.add")
    assert (entry.actor, entry.object_id) == (admin_user, str(season.pk))
    assert (after_of(entry)["starts_month"], after_of(entry)["starts_day"]) == (4, 15)


@pytest.mark.parametrize(
    ("month", "day", "message"),
    [(2, 29, SEASON_START_INVALID), (4, 31, SEASON_START_INVALID), (1, 1, SEASON_START_TAKEN)],
)
def test_working_time_add_refuses_a_start_that_is_not_every_year_or_is_taken(
    month: int, day: int, message: object
) -> None:
    working_time_update()
    audits = AuditEntry.objects.count()

    with pytest.raises(ValidationFailed) as caught:
        working_time_add(starts_month=month, starts_day=day, **SUMMER)

    assert caught.value.field_errors["starts_day"] == [str(message)]
    assert WorkingTime.objects.count() == 1
    assert AuditEntry.objects.count() == audits


def test_working_time_update_with_several_seasons_needs_to_know_which() -> None:
    working_time_update()
    season = working_time_add(starts_month=4, starts_day=15, **SUMMER)

    with pytest.raises(ValidationFailed) as caught:
        working_time_update(daily_cutoff=dt.time(15, 30))
    changed = working_time_update(pk=season.pk, daily_cutoff=dt.time(15, 30))

    assert caught.value.message == SEVERAL_SEASONS
    assert changed.daily_cutoff == dt.time(15, 30)
    with pytest.raises(NotFound):
        working_time_update(pk=season.pk + 1000, daily_cutoff=dt.time(15, 30))


def test_working_time_delete_removes_a_season_but_never_the_last() -> None:
    first = working_time_update()
    season = working_time_add(starts_month=4, starts_day=15, **SUMMER)

    working_time_delete(pk=season.pk)
    with pytest.raises(ValidationFailed) as caught:
        working_time_delete(pk=first.pk)

    assert caught.value.message == LAST_SEASON
    assert list(WorkingTime.objects.values_list("pk", flat=True)) == [first.pk]
    assert AuditEntry.objects.filter(action="calendar.working_time.delete").count() == 1
