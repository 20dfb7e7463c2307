from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from motcua.audit.models import AuditEntry
from motcua.calendar.models import (
    CUTOFF_OUTSIDE_HOURS,
    SEASON_START_INVALID,
    DayKind,
    DaySource,
    SpecialDay,
    WorkingTime,
)
from motcua.calendar.services import (
    SEASON_START_TAKEN,
    calendar_seed_holidays,
    working_time_add,
    working_time_update,
)

from .conftest import after_of, before_of

pytestmark = [pytest.mark.django_db, pytest.mark.urls("motcua.calendar.tests.urls")]

WORKING_TIME = {
    "name": "",
    "season_month": "1",
    "season_day": "1",
    "morning_start": "07:00",
    "morning_end": "11:00",
    "afternoon_start": "13:00",
    "afternoon_end": "16:30",
    "daily_cutoff": "15:00",
}
SUMMER: dict[str, Any] = {
    "morning_start": dt.time(7),
    "morning_end": dt.time(11, 30),
    "afternoon_start": dt.time(13, 30),
    "afternoon_end": dt.time(17),
    "daily_cutoff": dt.time(16),
}


@pytest.fixture
def admin(db: None) -> User:
    return User.objects.create_superuser("admin", "admin@example.vn", "x")


@pytest.fixture
def staff(client: Client, admin: User) -> Client:
    client.force_login(admin)
    return client


@pytest.fixture
def one_season() -> WorkingTime:
    """The province's one season (the migration's row, or the defaults if a test flushed it)."""
    first = WorkingTime.objects.order_by("pk").first()
    WorkingTime.objects.exclude(pk__in=[first.pk] if first else []).delete()
    return working_time_update()


def staff_user_with(client: Client, *codenames: str) -> Client:
    user = User.objects.create_user("clerk", "clerk@example.vn", "x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


def form_errors(response: object) -> dict[str, list[str]]:
    form = response.context["adminform"].form  # type: ignore[attr-defined]
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


# --- Special days -------------------------------------------------------------------------------


def test_calendar_admin_pages_open(staff: Client, one_season: WorkingTime) -> None:
    calendar_seed_holidays(years=[2026])
    day = SpecialDay.objects.get(date=dt.date(2026, 9, 2))
    for url in [
        "/admin/calendar/",
        "/admin/calendar/specialday/",
        "/admin/calendar/specialday/?year=2026&kind=holiday&source=announced",
        "/admin/calendar/specialday/?q=Qu%E1%BB%91c",
        "/admin/calendar/specialday/add/",
        "/admin/calendar/specialday/add/?date=2026-03-09",
        f"/admin/calendar/specialday/{day.pk}/change/",
        "/admin/calendar/specialday/year/2026/",
        f"/admin/calendar/workingtime/{one_season.pk}/change/",
        "/admin/calendar/workingtime/?all",
        "/admin/calendar/workingtime/add/",
    ]:
        assert staff.get(url).status_code == 200, url


def test_special_day_list_filters_by_year(staff: Client) -> None:
    calendar_seed_holidays(years=[2025, 2026])

    page = staff.get("/admin/calendar/specialday/?year=2025")

    assert {d.date.year for d in page.context["cl"].result_list} == {2025}


def test_a_day_added_in_the_admin_is_the_administrators_and_audited(
    staff: Client, admin: User
) -> None:
    response = staff.post(
        "/admin/calendar/specialday/add/",
        {"date": "2026-03-09", "kind": DayKind.DAY_OFF, "name": "Nghỉ đột xuất", "basis": ""},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/calendar/specialday/year/2026/"
    day = SpecialDay.objects.get(date=dt.date(2026, 3, 9))
    assert (day.kind, day.source) == (DayKind.DAY_OFF, DaySource.ADMIN)
    entry = AuditEntry.objects.get(action="calendar.special_day.add")
    assert (entry.actor, after_of(entry)["name"]) == (admin, "Nghỉ đột xuất")


def test_a_date_entered_twice_is_a_form_error_and_nothing_is_saved(staff: Client) -> None:
    calendar_seed_holidays(years=[2026])
    before = list(SpecialDay.objects.values_list("date", "kind", "name", "source"))
    audits = AuditEntry.objects.count()

    response = staff.post(
        "/admin/calendar/specialday/add/",
        {"date": "2026-09-02", "kind": DayKind.DAY_OFF, "name": "Nghỉ thêm", "basis": ""},
    )

    assert response.status_code == 200
    (message,) = form_errors(response)["date"]
    assert "02/09/2026" in message and "Quốc khánh" in message
    assert 'value="Nghỉ thêm"' in response.content.decode()  # what was typed is kept
    assert list(SpecialDay.objects.values_list("date", "kind", "name", "source")) == before
    assert AuditEntry.objects.count() == audits


def test_changing_a_seeded_day_in_the_admin_makes_it_the_administrators(staff: Client) -> None:
    calendar_seed_holidays(years=[2026])
    day = SpecialDay.objects.get(date=dt.date(2026, 11, 24))

    response = staff.post(
        f"/admin/calendar/specialday/{day.pk}/change/",
        {"kind": DayKind.WORKING_DAY, "name": "Làm việc", "basis": "Quyết định thử"},
    )

    assert response.status_code == 302
    day.refresh_from_db()
    assert (day.kind, day.source, day.basis) == (
        DayKind.WORKING_DAY,
        DaySource.ADMIN,
        "Quyết định thử",
    )
    assert calendar_seed_holidays(years=[2026]) == 0
    entry = AuditEntry.objects.get(action="calendar.special_day.change")
    assert (before_of(entry)["source"], after_of(entry)["source"]) == (
        DaySource.ANNOUNCED,
        DaySource.ADMIN,
    )


def test_deleting_a_day_in_the_admin_removes_it_with_an_audit_entry(staff: Client) -> None:
    calendar_seed_holidays(years=[2026])
    day = SpecialDay.objects.get(date=dt.date(2026, 11, 24))

    staff.post(f"/admin/calendar/specialday/{day.pk}/delete/", {"post": "yes"})

    assert not SpecialDay.objects.filter(date=dt.date(2026, 11, 24)).exists()
    assert before_of(AuditEntry.objects.get(action="calendar.special_day.delete"))["date"] == (
        "2026-11-24"
    )


# --- The year view ------------------------------------------------------------------------------


def test_the_year_view_shows_twelve_months_with_the_special_days_as_text(staff: Client) -> None:
    calendar_seed_holidays(years=[2026])
    tet = SpecialDay.objects.get(date=dt.date(2026, 2, 17))

    page = staff.get("/admin/calendar/specialday/year/2026/").content.decode()

    assert page.count('<caption id="month-') == 12
    assert len(re.findall(r'<th scope="col"( class="weekend")?><abbr', page)) == 12 * 7
    assert re.search(r"<caption[^>]*>\s*\S+ 2 2026</caption>", page)
    # A day off is told in words in its cell and in the month's list, with its name.
    assert f'/admin/calendar/specialday/{tet.pk}/change/"' in page
    assert "Tết Nguyên đán (mùng 1)" in page
    assert page.count('class="special kind-working_day"') == 2  # 10 January, 22 August
    # Ordinary dates link to adding that date.
    assert "/admin/calendar/specialday/add/?date=2026-03-09" in page
    # Seeding this year, the working hours, the years around.
    assert 'action="/admin/calendar/specialday/year/2026/seed/"' in page
    assert "/admin/calendar/workingtime/" in page
    assert "/admin/calendar/specialday/year/2025/" in page


def test_the_year_view_opens_the_year_asked_for(staff: Client) -> None:
    assert staff.get("/admin/calendar/specialday/year/?year=2024")["Location"] == (
        "/admin/calendar/specialday/year/2024/"
    )
    assert staff.get("/admin/calendar/specialday/year/").status_code == 200


@pytest.mark.urls("config.urls")  # the site's 404 page links to the portal
def test_the_year_view_refuses_absurd_years(staff: Client) -> None:
    assert staff.get("/admin/calendar/specialday/year/3000/").status_code == 404
    assert staff.post("/admin/calendar/specialday/year/1000/seed/").status_code == 404


def test_seeding_a_year_from_the_year_view_is_audited_as_the_administrators(
    staff: Client, admin: User
) -> None:
    response = staff.post("/admin/calendar/specialday/year/2026/seed/")

    assert response["Location"] == "/admin/calendar/specialday/year/2026/"
    assert SpecialDay.objects.filter(date__year=2026, source=DaySource.ANNOUNCED).count() == 17
    assert AuditEntry.objects.get(action="calendar.seed_holidays").actor == admin
    assert staff.get("/admin/calendar/specialday/year/2026/seed/").status_code == 405


def test_a_clerk_who_may_only_view_sees_the_year_without_add_or_seed(client: Client) -> None:
    calendar_seed_holidays(years=[2026])
    viewer = staff_user_with(client, "view_specialday")

    page = viewer.get("/admin/calendar/specialday/year/2026/").content.decode()

    assert "Tết Nguyên đán (mùng 1)" in page
    assert "/specialday/add/" not in page
    assert "/seed/" not in page
    assert viewer.post("/admin/calendar/specialday/year/2026/seed/").status_code == 403


def test_a_staff_member_without_calendar_permissions_cannot_open_the_year(client: Client) -> None:
    outsider = staff_user_with(client)

    assert outsider.get("/admin/calendar/specialday/year/2026/").status_code == 403
    assert outsider.post("/admin/calendar/specialday/year/2026/seed/").status_code == 403
    assert not SpecialDay.objects.exists()


def test_the_year_view_needs_a_sign_in(client: Client) -> None:
    response = client.get("/admin/calendar/specialday/year/2026/")

    assert response.status_code == 302
    assert "login" in response["Location"]


# --- Working hours ------------------------------------------------------------------------------


def test_working_hours_open_the_one_season_or_the_list_of_seasons(
    staff: Client, one_season: WorkingTime
) -> None:
    change = f"/admin/calendar/workingtime/{one_season.pk}/change/"
    assert staff.get("/admin/calendar/workingtime/")["Location"] == change
    assert staff.get(f"/admin/calendar/workingtime/{one_season.pk}/delete/").status_code == 403

    working_time_add(name="Giờ mùa hè", starts_month=4, starts_day=15, **SUMMER)

    page = staff.get("/admin/calendar/workingtime/")
    assert page.status_code == 200
    assert len(page.context["cl"].result_list) == 2


def test_working_hours_without_any_row_show_the_empty_list_not_an_add_page(staff: Client) -> None:
    WorkingTime.objects.all().delete()

    response = staff.get("/admin/calendar/workingtime/")

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 0


def test_working_hours_saved_in_the_admin_with_an_audit_entry(
    staff: Client, one_season: WorkingTime
) -> None:
    response = staff.post(f"/admin/calendar/workingtime/{one_season.pk}/change/", WORKING_TIME)

    assert response.status_code == 302
    row = WorkingTime.objects.get()
    assert (row.morning_start, row.afternoon_end) == (dt.time(7), dt.time(16, 30))
    entry = AuditEntry.objects.filter(action="calendar.working_time.change").latest("id")
    assert (before_of(entry)["morning_start"], after_of(entry)["morning_start"]) == (
        "07:30:00",
        "07:00:00",
    )


def test_a_season_added_in_the_admin(staff: Client, one_season: WorkingTime) -> None:
    response = staff.post(
        "/admin/calendar/workingtime/add/",
        {**WORKING_TIME, "name": "Giờ mùa hè", "season_month": "4", "season_day": "15"},
    )

    assert response.status_code == 302
    assert WorkingTime.objects.count() == 2
    assert AuditEntry.objects.filter(action="calendar.working_time.add").count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"daily_cutoff": "18:00"}, "daily_cutoff", CUTOFF_OUTSIDE_HOURS),
        ({"season_month": "2", "season_day": "29"}, "season_day", SEASON_START_INVALID),
        ({"season_month": "1", "season_day": "1"}, "season_day", SEASON_START_TAKEN),
    ],
)
def test_a_season_the_service_refuses_is_a_form_error_and_nothing_is_saved(
    staff: Client, one_season: WorkingTime, change: dict[str, str], field: str, message: object
) -> None:
    audits = AuditEntry.objects.count()

    response = staff.post(
        "/admin/calendar/workingtime/add/",
        {**WORKING_TIME, "season_month": "4", "season_day": "15", **change},
    )

    assert response.status_code == 200
    assert form_errors(response)[field] == [str(message)]
    assert WorkingTime.objects.count() == 1
    assert AuditEntry.objects.count() == audits


def test_a_season_is_deleted_but_never_the_last(staff: Client, one_season: WorkingTime) -> None:
    summer = working_time_add(starts_month=4, starts_day=15, **SUMMER)

    staff.post(f"/admin/calendar/workingtime/{summer.pk}/delete/", {"post": "yes"})

    assert list(WorkingTime.objects.values_list("pk", flat=True)) == [one_season.pk]
    assert staff.get(f"/admin/calendar/workingtime/{one_season.pk}/delete/").status_code == 403
