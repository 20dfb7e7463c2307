"""Someone without an account, on a phone, finds their dossiers with a one-time code by SMS.

The code goes out through the outbox and the real eSMS.vn adapter to the
local simulator (served by the live server); the test reads it from the
simulator's store, as the person reads their SMS.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from motcua.outbox.models import Message, MessageKind
from motcua.outbox.sending import outbox_send_all
from motcua.sms_sim.models import SimulatedSms
from motcua.testing import DossierFactory, ProcedureFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = "079188001234"
PHONE = "0977 123 456"
SHOTS = Path(os.environ.get("MOTCUA_SCREENSHOTS", "var/screenshots"))


def _fits_the_screen(page: Page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"page is {width[0]}px wide on a {width[1]}px screen"


def test_a_person_without_an_account_looks_up_their_dossiers_by_sms_code(
    live_server: LiveServer, page: Page
) -> None:
    procedure = ProcedureFactory(name="Cấp bản sao trích lục hộ tịch")
    mine = DossierFactory(
        procedure=procedure, applicant_id_number=NUMBER, applicant_phone="0977123456"
    )
    someone_else = DossierFactory(procedure=procedure, applicant_id_number="001199000777")

    page.goto(f"{live_server.url}/tra-cuu/")
    page.get_by_role("link", name="Tra cứu bằng mã gửi qua SMS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tra cứu hồ sơ bằng mã gửi qua SMS")
    _fits_the_screen(page)
    page.get_by_label("Số định danh").fill(NUMBER)
    page.get_by_label("Số điện thoại").fill(PHONE)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "lookup-code-ask.png"), full_page=True)
    page.get_by_role("button", name="Gửi mã cho tôi").click()

    expect(page.get_by_role("status")).to_contain_text("Nếu thông tin khớp với một hồ sơ")
    with override_settings(OUTBOX_ESMS_URL=f"{live_server.url}/sim/esms/"):
        assert outbox_send_all() == 1
    sms = SimulatedSms.objects.get()
    assert sms.phone == "0977123456"
    found = re.search(r"\b(\d{6})\b", sms.content)
    assert found is not None
    assert found.group(1) not in Message.objects.get(kind=MessageKind.LOOKUP_CODE).body

    page.locator("#lookup-code").fill(found.group(1))
    page.get_by_role("button", name="Xem hồ sơ của tôi").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ của bạn")
    expect(page.get_by_text(mine.code)).to_be_visible()
    expect(page.get_by_text(someone_else.code)).to_have_count(0)
    _fits_the_screen(page)
    page.screenshot(path=str(SHOTS / "lookup-code-list.png"), full_page=True)
    page.get_by_role("link", name=procedure.name).click()
    expect(page).to_have_url(re.compile(rf"/tra-cuu/{re.escape(mine.code)}/$"))

    page.go_back()
    page.get_by_role("button", name="Đóng danh sách").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tra cứu hồ sơ bằng mã gửi qua SMS")
