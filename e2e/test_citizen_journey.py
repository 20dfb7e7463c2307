"""A citizen, on a phone, finds a procedure, submits a dossier, gets the receipt and tracks it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect
from pytest_django.live_server_helper import LiveServer

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierFile
from motcua.portal.tests.files import minimal_pdf
from motcua.testing import OneStopUnitFactory, ProcedureFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _assert_fits_the_screen(page: Page) -> None:
    overflow = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], f"page is {overflow[0]}px wide on a {overflow[1]}px screen"


@pytest.fixture
def birth_registration() -> Procedure:
    OneStopUnitFactory()
    ProcedureFactory(name="Cấp giấy phép xây dựng")
    return ProcedureFactory(name="Đăng ký khai sinh")


def test_citizen_finds_submits_downloads_receipt_and_tracks(
    live_server: LiveServer, page: Page, birth_registration: Procedure, tmp_path: Path
) -> None:
    # Search from the home page, typing without accents.
    page.goto(live_server.url)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.fill("#home-q", "dang ky khai sinh")
    page.press("#home-q", "Enter")
    page.wait_for_url(re.compile(r"/thu-tuc/\?q="))
    results = page.locator("#results")
    expect(results).to_contain_text("Đăng ký khai sinh")
    expect(results).not_to_contain_text("giấy phép xây dựng")

    # Typing in the search box updates the list in place (htmx) and the address bar.
    page.fill("#q", "giay phep xay")
    expect(results).to_contain_text("Cấp giấy phép xây dựng")
    expect(results).not_to_contain_text("Đăng ký khai sinh")
    page.wait_for_url(re.compile(r"q=giay"))
    page.fill("#q", "KHAI SINH")
    expect(results).to_contain_text("Đăng ký khai sinh")

    # Open the procedure page; it fits a phone's screen.
    results.get_by_role("link", name="Đăng ký khai sinh").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    expect(page.locator("main")).to_contain_text("Tờ khai theo mẫu")
    page.screenshot(path=str(tmp_path / "procedure-390.png"), full_page=True)
    _assert_fits_the_screen(page)

    # Open the form.
    page.locator(f'a[href$="/thu-tuc/{birth_registration.code}/nop-ho-so/"]').first.click()
    page.wait_for_url(re.compile(r"/nop-ho-so/$"))
    page.screenshot(path=str(tmp_path / "form-390.png"), full_page=True)
    _assert_fits_the_screen(page)

    # The address field appears only when the result goes by post.
    address = page.locator("#id_delivery_address")
    page.check('input[name="delivery"][value="counter"]')
    expect(address).to_be_hidden()

    page.fill("#id_applicant_name", "Nguyễn Thị Hoa")
    page.fill("#id_applicant_id_number", "048185012345")
    page.fill("#id_applicant_phone", "0905123456")
    page.fill("#id_applicant_email", "hoa.nguyen@example.vn")
    page.fill("#id_applicant_address", "12 Lê Lợi, Phường Hải Châu, Thành phố Đà Nẵng")
    page.fill("#id_eform-child_name", "Nguyễn Minh Khang")
    page.fill("#id_eform-birth_date", "2025-07-01")
    required_files = page.locator('input[type="file"][required]')
    assert required_files.count() >= 1
    for index in range(required_files.count()):
        required_files.nth(index).set_input_files(
            files=[
                FilePayload(name="to-khai.pdf", mimeType="application/pdf", buffer=minimal_pdf())
            ]
        )
    page.check('input[name="delivery"][value="post"]')
    expect(address).to_be_visible()
    page.fill("#id_delivery_address", "12 Lê Lợi, Phường Hải Châu, Thành phố Đà Nẵng")

    page.locator('form[data-submit-once] button[type="submit"]').click()

    # The confirmation shows the code and the receipt.
    page.wait_for_url(re.compile(r"/da-nop/\?token="))
    code = page.locator("#dossier-code").inner_text().strip()
    assert re.fullmatch(r".+-\d{6}-\d{4}", code), code
    _assert_fits_the_screen(page)
    receipt_href = page.locator('a[href*="bien-nhan.pdf"]').get_attribute("href")
    assert receipt_href
    receipt = page.request.get(live_server.url + receipt_href)
    assert receipt.status == 200
    assert receipt.headers["content-type"].startswith("application/pdf")
    assert receipt.body().startswith(b"%PDF")

    # Anyone can track it by its code.
    page.goto(live_server.url + "/tra-cuu/")
    page.fill("#code", code)
    page.press("#code", "Enter")
    page.wait_for_url(re.compile(r"/tra-cuu/.+/$"))
    expect(page.locator("h1")).to_have_text(code)
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "1")
    expect(page.locator("main")).not_to_contain_text("Nguyễn Thị Hoa")
    _assert_fits_the_screen(page)


def test_form_errors_are_listed_and_linked_to_their_fields(
    live_server: LiveServer, page: Page, birth_registration: Procedure, tmp_path: Path
) -> None:
    page.goto(f"{live_server.url}/thu-tuc/{birth_registration.code}/nop-ho-so/")
    # Skip the browser's own checks to see the server's messages.
    page.evaluate("() => document.querySelector('form[data-submit-once]').noValidate = true")
    page.fill("#id_applicant_id_number", "12")
    declaration = page.locator('input[type="file"][required]').first
    file_name = declaration.get_attribute("name")
    # A long name without spaces, as phones name scans: it must wrap on a narrow screen.
    chosen = "to-khai-dang-ky-khai-sinh-nguyen-minh-khang-2025-07-01.pdf"
    declaration.set_input_files(
        files=[FilePayload(name=chosen, mimeType="application/pdf", buffer=minimal_pdf())]
    )
    page.locator('form[data-submit-once] button[type="submit"]').click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    summary.locator('a[href="#id_applicant_id_number"]').click()
    expect(page.locator("#id_applicant_id_number")).to_be_focused()
    expect(page.locator("#id_applicant_id_number")).to_have_attribute("aria-invalid", "true")
    _assert_fits_the_screen(page)

    # The file chosen before the errors is kept: listed, ticked, and no longer asked for.
    kept = page.locator(f'input[type="checkbox"][name="{file_name}-kept"]')
    expect(kept).to_have_count(1)
    expect(kept).to_be_checked()
    expect(page.locator("label.kept-file")).to_contain_text(chosen)
    expect(page.locator(f'input[type="file"][name="{file_name}"]')).not_to_have_attribute(
        "required", ""
    )
    page.locator("label.kept-file").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "kept-files-390.png"), full_page=True)
    _assert_fits_the_screen(page)

    # Correct the details and submit again without choosing the file again.
    page.fill("#id_applicant_name", "Nguyễn Thị Hoa")
    page.fill("#id_applicant_id_number", "048185012345")
    page.fill("#id_applicant_phone", "0905123456")
    page.fill("#id_applicant_address", "12 Lê Lợi, Phường Hải Châu, Thành phố Đà Nẵng")
    page.fill("#id_eform-child_name", "Nguyễn Minh Khang")
    page.fill("#id_eform-birth_date", "2025-07-01")
    page.check('input[name="delivery"][value="counter"]')
    page.locator('form[data-submit-once] button[type="submit"]').click()

    page.wait_for_url(re.compile(r"/da-nop/\?token="))
    dossier = Dossier.objects.get()
    (stored,) = DossierFile.objects.filter(component__dossier=dossier)
    assert (stored.original_name, stored.file.read()) == (chosen, minimal_pdf())
