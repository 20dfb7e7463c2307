"""Staff, in the back office: two dossiers from their first step to the returned result.

One is taken at the counter and goes through the deciding agency's
specialist, the partner agency (inter-agency, "liên thông") and the leader;
the other is submitted online by a citizen, sent back for a supplement, and
then processed. Each person signs in through the login page in their own
browser context, and acts through the buttons the dossier page offers.
"""

from __future__ import annotations

import os
import re
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect
from pytest_django.live_server_helper import LiveServer

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierState, Status
from motcua.portal.tests.files import minimal_pdf
from motcua.testing import Cast, ProcedureFactory, cast_create, inter_agency_process

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu-nghiem"
SCAN = FilePayload(name="scan.pdf", mimeType="application/pdf", buffer=minimal_pdf("scan"))
RESULT = FilePayload(name="ket-qua.pdf", mimeType="application/pdf", buffer=minimal_pdf("KQ"))


@pytest.fixture
def cast() -> Cast:
    cast = cast_create()
    for user in (
        cast.receiving_officer,
        cast.specialist,
        cast.leader,
        cast.partner_specialist,
        cast.partner_leader,
    ):
        user.set_password(PASSWORD)
        user.save()
    return cast


@contextmanager
def signed_in(browser: Browser, live_server: LiveServer, user: Any) -> Iterator[Page]:
    """Sign ``user`` in through the login page, in a desk-sized context of their own."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/can-bo/dang-nhap/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/can-bo/(\?.*)?$"))
    try:
        yield page
    finally:
        context.close()


def open_dossier(page: Page, live_server: LiveServer, box: str, code: str) -> None:
    """Find the dossier in one of the inboxes and open it."""
    page.goto(f"{live_server.url}/can-bo/?box={box}")
    page.locator("#inbox-rows").get_by_role("link", name=code).click()
    expect(page.locator("h1.dossier-code")).to_have_text(code)


def do(page: Page, action: str, **fields: Any) -> None:
    """Press an action's button on the dossier page, filling its form first if it has one."""
    button = page.locator(f'button[data-action="{action}"]')
    details = page.locator(f'details:has(button[data-action="{action}"])')
    if details.count():
        details.locator("summary").click()
    for name, value in fields.items():
        field = page.locator(f"#{action}-{name}")
        if isinstance(value, dict):
            field.set_input_files(files=[typing.cast(FilePayload, value)])
        elif not field.count():  # a group of radio buttons: the one with this value
            form = page.locator(f'form:has(button[data-action="{action}"])')
            form.locator(f'input[type="radio"][name="{name}"][value="{value}"]').check()
        else:
            field.fill(value)
    button.click()
    expect(page.locator(".flash")).to_be_visible()
    expect(page.locator("#action-error")).to_have_count(0)


def fits_the_screen(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"


def status_of(page: Page) -> str:
    return page.locator(".facts .status").first.inner_text()


def test_counter_dossier_through_specialist_partner_agency_and_leader_to_the_result(
    live_server: LiveServer, browser: Browser, cast: Cast
) -> None:
    procedure = ProcedureFactory(agency=cast.agency, name="Cấp Phiếu lý lịch tư pháp")
    inter_agency_process(procedure, cast.partner)
    version = procedure.current_version
    assert version is not None
    declaration = version.components.order_by("order").first()
    assert declaration is not None

    # The receiving officer takes it at the counter, typing the procedure without accents.
    with signed_in(browser, live_server, cast.receiving_officer) as officer:
        officer.locator('a[href="/can-bo/tiep-nhan/"]').first.click()
        officer.fill("#q", "ly lich tu phap")
        officer.locator("#procedure-results").get_by_role("link", name=procedure.name).click()
        expect(officer.locator("#applicant_name")).to_be_focused()
        officer.keyboard.type("Lê Thị Thu")
        officer.fill("#applicant_id_number", "048190001234")
        officer.fill("#applicant_phone", "0905123456")
        officer.fill("#applicant_address", "12 Lê Lợi, phường Hải Châu, thành phố Đà Nẵng")
        officer.check(f"#component-{declaration.pk}-ticked")
        officer.locator(f'input[name="component-{declaration.pk}"]').set_input_files(files=[SCAN])
        officer.locator('button[name="decision"][value="accept"]').click()
        officer.wait_for_url(re.compile(r"/can-bo/ho-so/.+/\?from=counter$"))
        code = officer.locator("h1.dossier-code").inner_text().strip()
        # The procedure's charge is paid before processing: the applicant pays it in cash.
        assert status_of(officer).startswith("6.")
        do(officer, "record-payment", method="cash", receipt_number="0000123")
        assert status_of(officer).startswith("2.")
        expect(officer.locator("#fee-receipts")).to_contain_text("0000001")
        expect(officer.locator('a[href*="bien-nhan.pdf"]')).to_be_visible()
        expect(officer.locator("main")).to_contain_text("scan.pdf")

    # The specialist of the deciding agency takes it and sends it to the partner agency.
    with signed_in(browser, live_server, cast.specialist) as specialist:
        open_dossier(specialist, live_server, "unassigned", code)
        do(specialist, "claim")
        do(specialist, "forward", note="Đề nghị Công an xác minh")
        assert status_of(specialist).startswith("4.")
        expect(specialist.locator("#current-step")).to_contain_text(cast.partner.name)

    # The partner agency's specialist and leader do their steps and send it back.
    with signed_in(browser, live_server, cast.partner_specialist) as partner:
        open_dossier(partner, live_server, "unassigned", code)
        do(partner, "claim")
        do(partner, "forward", note="Không có án tích")
    with signed_in(browser, live_server, cast.partner_leader) as partner_leader:
        open_dossier(partner_leader, live_server, "agency", code)
        do(partner_leader, "forward")
        expect(partner_leader.locator("#current-step")).to_contain_text(cast.agency.name)

    # The deciding agency's leader records the signed result and approves.
    with signed_in(browser, live_server, cast.leader) as leader:
        open_dossier(leader, live_server, "agency", code)
        do(leader, "record-result", name="Phiếu lý lịch tư pháp số 1", file=RESULT)
        do(leader, "mark-processed")
        assert status_of(leader).startswith("9.")
        expect(leader.locator("#outcome")).to_be_visible()

    # The officer hands the result over and records to whom.
    with signed_in(browser, live_server, cast.receiving_officer) as officer:
        open_dossier(officer, live_server, "return", code)
        do(officer, "return-result", to_whom="Lê Thị Thu, CCCD 048190001234")
        assert status_of(officer).startswith("10.")
        slip = officer.locator("table.slip tbody tr")
        expect(slip).to_have_count(6)
        expect(officer.locator(".timeline")).to_contain_text("Lê Thị Thu, CCCD 048190001234")

    dossier = Dossier.objects.get(code=code)
    assert dossier.state == DossierState.RESULT_RETURNED
    assert dossier.steps.filter(agency=cast.partner).count() == 2


def test_online_dossier_through_a_supplement_request_to_the_result(
    live_server: LiveServer, browser: Browser, page: Page, cast: Cast
) -> None:
    procedure: Procedure = ProcedureFactory(agency=cast.agency, name="Đăng ký khai sinh")
    # A citizen submits it online from a phone.
    page.goto(f"{live_server.url}/thu-tuc/{procedure.code}/nop-ho-so/")
    page.fill("#id_applicant_name", "Nguyễn Thị Hoa")
    page.fill("#id_applicant_id_number", "048185012345")
    page.fill("#id_applicant_phone", "0905123456")
    page.fill("#id_applicant_address", "12 Lê Lợi, Phường Hải Châu, Thành phố Đà Nẵng")
    page.fill("#id_eform-child_name", "Nguyễn Minh Khang")
    page.fill("#id_eform-birth_date", "2025-07-01")
    required = page.locator('input[type="file"][required]')
    for index in range(required.count()):
        required.nth(index).set_input_files(files=[SCAN])
    page.check('input[name="delivery"][value="counter"]')
    page.locator('form[data-submit-once] button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/da-nop/\?token="))
    code = page.locator("#dossier-code").inner_text().strip()
    dossier = Dossier.objects.get(code=code)
    dossier.receiving_unit = cast.unit
    dossier.save(update_fields=["receiving_unit"])

    # The officer finds it in the intake box by the applicant's name without accents,
    # and asks for what is missing, all at once.
    with signed_in(browser, live_server, cast.receiving_officer) as officer:
        officer.fill("#q", "nguyen thi hoa")
        officer.locator("#inbox-rows").get_by_role("link", name=code).click()
        do(
            officer,
            "request-supplement",
            missing="Giấy chứng sinh bản chính\nBản sao giấy đăng ký kết hôn",
            reason="Hồ sơ chưa đủ thành phần",
        )
        assert status_of(officer).startswith("5.")
        # The applicant brings the papers; the officer receives them and accepts.
        do(officer, "receive-supplement", note="Đã nhận đủ")
        assert status_of(officer).startswith("1.")
        do(officer, "accept")
        assert status_of(officer).startswith("6.")  # the charge is paid before processing
        do(officer, "record-payment", method="transfer", receipt_number="UNC 4521")
        assert status_of(officer).startswith("2.")
        # The pages also work on a phone: rows become cards, nothing runs off the screen.
        officer.set_viewport_size({"width": 390, "height": 844})
        fits_the_screen(officer)
        officer.goto(f"{live_server.url}/can-bo/?box=all")
        fits_the_screen(officer)

    with signed_in(browser, live_server, cast.specialist) as specialist:
        open_dossier(specialist, live_server, "unassigned", code)
        do(specialist, "claim")
        do(specialist, "record-result", name="Giấy khai sinh", file=RESULT)
        do(specialist, "forward")
    with signed_in(browser, live_server, cast.leader) as leader:
        open_dossier(leader, live_server, "agency", code)
        do(leader, "mark-processed")
    with signed_in(browser, live_server, cast.receiving_officer) as officer:
        open_dossier(officer, live_server, "return", code)
        do(officer, "return-result", to_whom="Nguyễn Thị Hoa")
        assert status_of(officer).startswith("10.")

    # The citizen sees the result returned on the public tracking page.
    page.goto(f"{live_server.url}/tra-cuu/{code}/")
    returned = str(Status.RESULT_RETURNED)
    expect(page.locator("[data-status]")).to_have_attribute("data-status", returned)
    dossier.refresh_from_db()
    assert dossier.supplement_requests == 1
