from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from motcua.calendar.models import CUTOFF_OUTSIDE_HOURS, DayKind, DaySource, SpecialDay, WorkingTime
from motcua.calendar.services import calendar_seed_holidays, working_time_update

pytestmark = [pytest.mark.django_db, pytest.mark.urls("motcua.calendar.tests.urls")]

WORKING_TIME = {
    "morning_start": "07:00",
    "morning_end": "11:00",
    "afternoon_start": "13:00",
    "afternoon_end": "16:30",
    "daily_cutoff": "15:00",
}


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("admin", "admin@example.vn", "x"))
    return client


def test_calendar_admin_pages_open(staff: Client) -> None:
    calendar_seed_holidays(years=[2026])
    day = SpecialDay.objects.get(date=dt.date(2026, 9, 2))
    for url in [
        "/admin/calendar/specialday/",
        "/admin/calendar/specialday/?year=2026&kind=holiday&source=holidays.VN",
        "/admin/calendar/specialday/?q=Qu%E1%BB%91c",
        "/admin/calendar/specialday/add/",
        f"/admin/calendar/specialday/{day.pk}/change/",
        "/admin/calendar/workingtime/add/",
    ]:
        assert staff.get(url).status_code == 200, url


def test_special_day_list_filters_by_year(staff: Client) -> None:
    calendar_seed_holidays(years=[2025, 2026])

    page = staff.get("/admin/calendar/specialday/?year=2025")

    assert {d.date.year for d in page.context["cl"].result_list} == {2025}


def test_a_day_added_in_the_admin_is_the_administrators(staff: Client) -> None:
    response = staff.post(
        "/admin/calendar/specialday/add/",
        {"date": "2026-03-09", "kind": DayKind.DAY_OFF, "name": "Nghỉ đột xuất"},
    )

    assert response.status_code == 302
    day = SpecialDay.objects.get(date=dt.date(2026, 3, 9))
    assert (day.kind, day.source) == (DayKind.DAY_OFF, DaySource.ADMIN)


def test_changing_a_seeded_day_in_the_admin_makes_it_the_administrators(staff: Client) -> None:
    calendar_seed_holidays(years=[2026])
    day = SpecialDay.objects.get(date=dt.date(2026, 11, 24))

    staff.post(
        f"/admin/calendar/specialday/{day.pk}/change/",
        {"kind": DayKind.WORKING_DAY, "name": "Làm việc"},
    )

    day.refresh_from_db()
    assert (day.kind, day.source) == (DayKind.WORKING_DAY, DaySource.ADMIN)
    assert calendar_seed_holidays(years=[2026]) == 0


def test_deleting_a_day_in_the_admin_removes_it(staff: Client) -> None:
    calendar_seed_holidays(years=[2026])
    day = SpecialDay.objects.get(date=dt.date(2026, 11, 24))

    staff.post(f"/admin/calendar/specialday/{day.pk}/delete/", {"post": "yes"})

    assert not SpecialDay.objects.filter(date=dt.date(2026, 11, 24)).exists()


def test_working_time_list_opens_the_single_row(staff: Client) -> None:
    assert staff.get("/admin/calendar/workingtime/")["Location"].endswith("/workingtime/add/")

    working_time_update(daily_cutoff=dt.time(16))

    location = staff.get("/admin/calendar/workingtime/")["Location"]
    assert location.endswith("/workingtime/1/change/")
    assert staff.get("/admin/calendar/workingtime/add/").status_code == 403
    assert staff.get("/admin/calendar/workingtime/1/delete/").status_code == 403


def test_working_time_saved_in_the_admin(staff: Client) -> None:
    response = staff.post("/admin/calendar/workingtime/add/", WORKING_TIME)

    assert response.status_code == 302
    row = WorkingTime.objects.get()
    assert (row.pk, row.morning_start, row.afternoon_end) == (1, dt.time(7), dt.time(16, 30))


def test_working_time_with_a_cut_off_after_closing_is_refused_in_the_admin(staff: Client) -> None:
    response = staff.post(
        "/admin/calendar/workingtime/add/", {**WORKING_TIME, "daily_cutoff": "18:00"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["daily_cutoff"] == [str(CUTOFF_OUTSIDE_HOURS)]
    assert not WorkingTime.objects.exists()
