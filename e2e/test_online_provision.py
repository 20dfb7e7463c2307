"""A statistician, on a phone: procedures offered online as of the end of 2019, then today."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from motcua.catalog.history import ProvisionState, procedure_provision_record
from motcua.catalog.models import ProvisionSource
from motcua.staff.models import Role
from motcua.testing import AgencyFactory, ProcedureFactory, StaffRoleFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu-nghiem"


def test_a_statistician_reads_the_levels_of_2019_and_of_today_on_a_phone(
    page: Page, live_server: LiveServer
) -> None:
    agency = AgencyFactory(name="Sở Thông tin và Truyền thông tỉnh Quảng Nam")
    for n, (online, legacy, start, end) in enumerate(
        [
            ("", 3, dt.date(2019, 1, 1), dt.date(2020, 1, 1)),
            ("", 4, dt.date(2019, 1, 1), dt.date(2020, 1, 1)),
            ("full", None, dt.date(2023, 1, 1), None),
        ]
    ):
        procedure_provision_record(
            procedure=ProcedureFactory(agency=agency, code=f"1.00000{n}.000.00.10.H47"),
            valid_from=start,
            valid_to=end,
            state=ProvisionState(online, legacy, True, agency.pk, "province"),
            source=ProvisionSource.IMPORT,
        )
    user = UserFactory(username="thongke")
    user.set_password(PASSWORD)
    user.save()
    StaffRoleFactory(user=user, role=Role.STATISTICIAN, agency=agency)

    page.goto(f"{live_server.url}/can-bo/dang-nhap/")
    page.fill("#id_username", "thongke")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/can-bo/(\?.*)?$"))

    page.goto(f"{live_server.url}/can-bo/thong-ke/muc-do-truc-tuyen/")
    page.fill("#ngay", "2019-12-31")
    page.get_by_role("button", name="Xem").click()
    expect(page.locator("table")).to_contain_text("Mức độ 3")
    expect(page.locator("table")).to_contain_text("Mức độ 4")
    expect(page.locator(".lead")).to_contain_text("31/12/2019")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"
    if os.environ.get("MOTCUA_E2E_SHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["MOTCUA_E2E_SHOTS"], "2019.png"), full_page=True
        )

    page.fill("#ngay", dt.date.today().isoformat())  # noqa: DTZ011 - the browser's today
    page.get_by_role("button", name="Xem").click()
    expect(page.locator("table")).to_contain_text("Toàn trình")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về (CSV)").click()
    assert download.value.suggested_filename.startswith("muc-do-truc-tuyen-")
