"""An agency administrator, in a browser: signs in, revises their procedure's process, publishes it.

They are not Django staff: their role opens the admin (through the one staff
sign-in page) on their own agency's processes only.
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from motcua.staff.models import Role
from motcua.testing import Cast, ProcedureFactory, StaffRoleFactory, UserFactory, cast_create
from motcua.workflow.models import Process
from motcua.workflow.processes import default_steps, process_version_create

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu-nghiem"


def test_an_agency_administrator_revises_and_publishes_their_process(
    browser: Browser, live_server: LiveServer
) -> None:
    cast: Cast = cast_create()
    ours = ProcedureFactory(agency=cast.agency, code="TT-CUA-SO")
    theirs = ProcedureFactory(agency=cast.other_agency, code="TT-SO-KHAC")
    for procedure in (ours, theirs):
        process_version_create(procedure=procedure, steps=default_steps())
    admin = UserFactory(username="quantri.so")
    admin.set_password(PASSWORD)
    admin.save()
    StaffRoleFactory(user=admin, role=Role.AGENCY_ADMIN, agency=cast.agency)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    # The admin's address leads to the staff sign-in page, then back to the admin.
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_url(re.compile(r"/can-bo/dang-nhap/"))
    page.fill("#id_username", admin.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(f"{live_server.url}/admin/workflow/processversion/")
    rows = page.locator("#result_list")
    expect(rows).to_contain_text("TT-CUA-SO")
    expect(rows).not_to_contain_text("TT-SO-KHAC")
    rows.locator("tbody th a").first.click()
    page.get_by_role("button", name="Tạo bản sửa đổi").click()  # "Revise"
    # The copy is a draft: its note is editable; save and publish it.
    page.fill("#id_note", "Rút ngắn thời gian thẩm định")
    page.get_by_role("button", name="Lưu và ban hành").click()
    expect(page.locator(".messagelist")).to_contain_text("2")

    process = Process.objects.select_related("current_version").get(procedure=ours)
    assert process.current_version is not None
    assert process.current_version.number == 2
    assert process.current_version.note == "Rút ngắn thời gian thẩm định"
    context.close()
