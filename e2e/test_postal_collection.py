"""A dossier collected by the post: ordered at home, collected on a phone, received at the unit.

An applicant orders a home collection from the procedure's page and sees the
postal charge before confirming; the postal worker takes the collection on a
390x844 screen, checks the components, seals the package and records the
money; at the one-stop unit the receiving officer opens the hand-over record
with the worker present, recounts the package, records that the worker
signed the paper copy, signs, downloads the PDF (its SHA-256 is the one
shown), records the package as a channel-3 dossier and accepts it.

Screenshots are kept in ``E2E_SHOTS`` (``/tmp/e2e-shots`` by default) to be looked at.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from motcua.dossiers.models import Channel, Dossier
from motcua.postal.models import Handover, Order, OrderState, Service, Tariff
from motcua.testing import (
    Cast,
    PostalUnitFactory,
    PostalWorkerFactory,
    ProcedureFactory,
    UserFactory,
)

from .test_backoffice import PASSWORD, cast, do, fits_the_screen, signed_in  # noqa: F401

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("E2E_SHOTS") or Path(tempfile.gettempdir()) / "e2e-shots")
# Generous: the machine that runs these may be busy; nothing here waits on purpose.
TIMEOUT = 60_000


def _signed_in(browser: Browser, live_server: LiveServer, username: str, next_url: str) -> Page:
    """Sign in through the staff login page, on a phone-sized screen, and go to ``next_url``."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(f"{live_server.url}/can-bo/dang-nhap/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))
    return page


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"postal-{name}.png"), full_page=True)


def test_home_collection_to_an_accepted_channel_3_dossier(
    live_server: LiveServer,
    browser: Browser,
    page: Page,
    cast: Cast,  # noqa: F811
) -> None:
    procedure = ProcedureFactory(agency=cast.agency, name="Đăng ký khai sinh")
    Tariff.objects.create(
        service=Service.COLLECTION, zone="province", amount=25000, valid_from=dt.date(2026, 1, 1)
    )
    postal_unit = PostalUnitFactory(serves=[cast.unit], name="Bưu cục Hải Châu")
    user = UserFactory(username="buu", last_name="Trần Văn", first_name="Bưu")
    user.set_password(PASSWORD)
    user.save()
    PostalWorkerFactory(user=user, unit=postal_unit)

    # The applicant, on a phone, from the procedure's page.
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{live_server.url}/thu-tuc/{procedure.code}/")
    page.get_by_role("link", name="Đề nghị bưu chính thu gom hồ sơ").click()
    page.fill("#id_name", "Nguyễn Văn An")
    page.fill("#id_id_number", "001090000001")
    page.fill("#id_phone", "0905123456")
    page.fill("#id_address", "Số 12 Lê Duẩn, phường Hải Châu")
    fits_the_screen(page)
    page.get_by_role("button", name="Xem cước phí và tiếp tục").click()
    expect(page.locator("#charge")).to_contain_text("25.000")
    _shot(page, "1-confirm")
    assert not Order.objects.exists()
    page.get_by_role("button", name="Xác nhận đặt").click()
    number = page.locator("#order-number").inner_text().strip()
    assert Order.objects.get(number=number).state == OrderState.REQUESTED

    # The postal worker, on a phone.
    worker = _signed_in(browser, live_server, "buu", "/buu-chinh/nhan-vien/")
    worker.get_by_role("button", name=f"Nhận việc {number}").click()
    expect(worker.locator("h1")).to_contain_text(number)
    version = procedure.current_version
    assert version is not None
    for component in version.components.all():
        worker.fill(f"#component-{component.pk}-originals", "1")
    worker.fill("#seal_number", "NP-000123")
    worker.fill("#receipt_number", "BL-0456")
    fits_the_screen(worker)
    _shot(worker, "2-collect")
    worker.get_by_role("button", name="Đã niêm phong và thu gom").click()
    expect(worker.locator(".flash")).to_contain_text(number)
    assert Order.objects.get(number=number).state == OrderState.COLLECTED
    worker.context.close()

    # The receiving officer, with the worker present.
    with signed_in(browser, live_server, cast.receiving_officer) as officer:
        officer.set_default_timeout(TIMEOUT)
        officer.goto(f"{live_server.url}/can-bo/buu-chinh/nhan/")
        officer.select_option("#worker", label="Trần Văn Bưu (Bưu cục Hải Châu)")
        officer.get_by_role("button", name="Xem các bưu gửi").click()
        expect(officer.locator("main table")).to_contain_text(number)
        officer.get_by_role("button", name="Lập biên bản giao nhận").click()
        expect(officer.locator("h1")).to_contain_text("BBGN-")
        handover = Handover.objects.get()
        officer.get_by_role("button", name="Ghi kết quả kiểm đếm").click()
        expect(officer.locator("main")).to_contain_text("Đã kiểm đếm: đúng danh sách.")
        officer.get_by_label("Nhân viên bưu chính đã ký trên bản giấy").check()
        officer.get_by_role("button", name="Ký biên bản giao nhận").click()
        expect(officer.locator("#signed")).to_contain_text("SHA-256")
        _shot(officer, "3-handover")
        with officer.expect_download() as download:
            officer.locator("#pdf-link").click()
        data = Path(download.value.path()).read_bytes()
        assert data.startswith(b"%PDF")
        handover.refresh_from_db()
        assert hashlib.sha256(data).hexdigest() == handover.pdf_sha256
        expect(officer.locator("#signed")).to_contain_text(handover.pdf_sha256)

        officer.get_by_role("link", name="Tiếp nhận thành hồ sơ").click()
        expect(officer.locator("#applicant_name")).to_have_value("Nguyễn Văn An")
        _shot(officer, "4-intake")
        officer.get_by_role("button", name="Tiếp nhận hồ sơ").click()
        expect(officer.locator("h1.dossier-code")).to_be_visible()
        dossier = Dossier.objects.get()
        assert dossier.channel == Channel.POST
        assert dossier.received_at == handover.signed_at
        do(officer, "accept")
        _shot(officer, "5-accepted")
    order = Order.objects.get(number=number)
    assert order.state == OrderState.RECEIVED and order.dossier == dossier
