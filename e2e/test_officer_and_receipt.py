"""The officer reads what the applicant declared; the receipt's QR code opens the tracking page.

A citizen submits a dossier online, answering an e-form of several field
types; the receiving officer reads every answer on the dossier page, labelled
as the form labels it, on a desk and on a phone, and accepts the dossier. The
receipt (form 01), downloaded as the citizen and the officer get it, is one
A4 page that states the request with the answers flagged ``summary``; its QR
code, read from the printed page as a phone camera reads it, holds the plain
address of the public tracking page, which shows the dossier without the
applicant's personal data.

Screenshots are kept in ``E2E_SHOTS`` (``/tmp/e2e-shots`` by default) to be looked at.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, FilePayload, Page, expect
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, Status
from motcua.testing import Cast, ProcedureFactory, cast_create, pdf_bytes

from .test_backoffice import PASSWORD, do, fits_the_screen, signed_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("E2E_SHOTS") or Path(tempfile.gettempdir()) / "e2e-shots")
SCAN = FilePayload(name="to-khai.pdf", mimeType="application/pdf", buffer=pdf_bytes("to khai"))
APPLICANT = "Lê Thị Thu"
APPLICANT_ID = "048190001234"
A4_POINTS = (595.28, 841.89)

# The request for a judicial record certificate, as its declaration (form 03/2013/TT-LLTP)
# asks it: one field of each kind, the ones that state the request flagged for the receipt.
EFORM: list[dict[str, Any]] = [
    {
        "name": "card_type",
        "label": "Loại Phiếu",
        "label_en": "Kind of certificate",
        "type": "select",
        "required": True,
        "summary": True,
        "options": [
            {"value": "1", "label": "Phiếu lý lịch tư pháp số 1", "label_en": "Certificate no. 1"},
            {"value": "2", "label": "Phiếu lý lịch tư pháp số 2", "label_en": "Certificate no. 2"},
        ],
    },
    {
        "name": "purpose",
        "label": "Mục đích sử dụng",
        "label_en": "Purpose",
        "type": "text",
        "required": True,
        "max_length": 200,
        "summary": True,
    },
    {
        "name": "copies",
        "label": "Số lượng Phiếu",
        "label_en": "Number of certificates",
        "type": "number",
        "required": True,
        "min": 1,
        "max": 10,
        "integer": True,
        "summary": True,
    },
    {
        "name": "birth_date",
        "label": "Ngày, tháng, năm sinh",
        "label_en": "Date of birth",
        "type": "date",
        "required": True,
        "max": "today",
    },
    {
        "name": "birth_place",
        "label": "Nơi sinh",
        "label_en": "Place of birth",
        "type": "text",
        "required": True,
        "max_length": 200,
    },
    {
        "name": "ban_confirmation",
        "label": "Yêu cầu xác nhận về việc cấm đảm nhiệm chức vụ, thành lập, quản lý "
        "doanh nghiệp, hợp tác xã",
        "label_en": "Confirm any ban on holding office or managing a business",
        "type": "checkbox",
        "required": False,
    },
]
# What the citizen types (by input id) and what the officer reads (label, answer), in order.
TYPED = {
    "purpose": "Bổ sung hồ sơ xin việc tại Công ty Cổ phần Phần mềm Đà Nẵng",
    "copies": "2",
    "birth_date": "1990-05-17",
    "birth_place": "Bệnh viện Đa khoa Đà Nẵng, phường Hải Châu, thành phố Đà Nẵng",
}
ANSWERS = [
    ("Loại Phiếu", "Phiếu lý lịch tư pháp số 1"),
    ("Mục đích sử dụng", TYPED["purpose"]),
    ("Số lượng Phiếu", "2"),
    ("Ngày, tháng, năm sinh", "17/05/1990"),
    ("Nơi sinh", TYPED["birth_place"]),
    (str(EFORM[5]["label"]), "Có"),
]
REQUEST_LINE = (
    "Nội dung yêu cầu giải quyết: Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
    " (mã thủ tục {code}); Loại Phiếu: Phiếu lý lịch tư pháp số 1;"
    f" Mục đích sử dụng: {TYPED['purpose']}; Số lượng Phiếu: 2"
)


@pytest.fixture
def cast() -> Cast:
    cast = cast_create()
    officer = cast.receiving_officer
    officer.last_name, officer.first_name = "Trần Văn", "Bình"
    officer.set_password(PASSWORD)
    officer.save()
    return cast


@pytest.fixture
def judicial_record(cast: Cast) -> Procedure:
    procedure: Procedure = ProcedureFactory(
        agency=cast.agency, name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
    )
    version = procedure.current_version
    assert version is not None
    version.eform = EFORM
    version.save(update_fields=["eform"])
    return procedure


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    """Return the PDF's reader and its first page's text with whitespace runs made one space."""
    reader = PdfReader(io.BytesIO(pdf))
    return reader, " ".join(reader.pages[0].extract_text().split())


@pytest.fixture
def pdftoppm() -> str:
    """Return the path of poppler's pdftoppm, which prints a PDF page to an image, or skip."""
    found = shutil.which("pdftoppm")
    if found is None:
        pytest.skip("reading the receipt's QR code needs pdftoppm (apt-get install poppler-utils)")
    return found


def qr_of(pdf: bytes, png: Path, pdftoppm: str) -> str:
    """Print the PDF's first page to ``png`` at 150 dpi and return what its one QR code holds."""
    source = png.with_suffix(".pdf")
    source.write_bytes(pdf)
    subprocess.run(  # noqa: S603 - a fixed program on a file this test wrote
        [
            pdftoppm,
            "-png",
            "-r",
            "150",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            source,
            png.with_suffix(""),
        ],
        check=True,
        capture_output=True,
    )
    with Image.open(png) as image:
        codes = zxingcpp.read_barcodes(image)
    assert [c.format for c in codes] == [zxingcpp.BarcodeFormat.QRCode], codes
    return str(codes[0].text)


def assert_one_a4_page(reader: PdfReader) -> None:
    assert len(reader.pages) == 1, f"the receipt has {len(reader.pages)} pages"
    box = reader.pages[0].mediabox
    size = (float(box.width), float(box.height))
    assert size == pytest.approx(A4_POINTS, abs=1), f"the receipt is {size} points, not A4"


def answers_shown(page: Page) -> list[tuple[str, str]]:
    """Return the (label, answer) pairs of the dossier page's e-form section, as shown."""
    pairs = page.locator("#answers dl > div").evaluate_all(
        "divs => divs.map(d => [d.querySelector('dt').innerText.trim(),"
        " d.querySelector('dd').innerText.trim()])"
    )
    return [(label, text) for label, text in pairs]


def assert_answers_readable(page: Page) -> None:
    """Assert every answer is shown whole: not wider than its box, nor than the screen."""
    clipped = page.locator("#answers dt, #answers dd").evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1"
        " || e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".map(e => e.innerText)"
    )
    assert clipped == [], f"cut off or off the screen: {clipped}"


def test_the_officer_reads_the_declaration_and_the_receipt_qr_opens_the_tracking_page(
    live_server: LiveServer,
    browser: Browser,
    page: Page,
    cast: Cast,
    judicial_record: Procedure,
    settings: Any,
    shots: Path,
    pdftoppm: str,
) -> None:
    settings.SITE_URL = live_server.url

    # A citizen, on a phone, submits the dossier and answers the e-form.
    page.goto(f"{live_server.url}/thu-tuc/{judicial_record.code}/nop-ho-so/")
    page.fill("#id_applicant_name", APPLICANT)
    page.fill("#id_applicant_id_number", APPLICANT_ID)
    page.fill("#id_applicant_phone", "0905123456")
    page.fill("#id_applicant_address", "12 Lê Lợi, phường Hải Châu, thành phố Đà Nẵng")
    page.select_option("#id_eform-card_type", "1")
    for name, value in TYPED.items():
        page.fill(f"#id_eform-{name}", value)
    page.check("#id_eform-ban_confirmation")
    required = page.locator('input[type="file"][required]')
    for index in range(required.count()):
        required.nth(index).set_input_files(files=[SCAN])
    page.check('input[name="delivery"][value="counter"]')
    page.locator('form[data-submit-once] button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/da-nop/\?token="))
    code = page.locator("#dossier-code").inner_text().strip()
    tracking_url = f"{live_server.url}/tra-cuu/{code}/"

    # The citizen downloads the receipt from the confirmation page.
    with page.expect_download() as downloading:
        page.locator('a[href*="bien-nhan.pdf"]').click()
    submitted_pdf = Path(downloading.value.path()).read_bytes()
    assert submitted_pdf.startswith(b"%PDF")
    assert qr_of(submitted_pdf, shots / "receipt-submitted.png", pdftoppm) == tracking_url

    # The receiving officer opens it from the intake box and reads what was declared.
    with signed_in(browser, live_server, cast.receiving_officer) as officer:
        officer.get_by_role("link", name="Chờ tiếp nhận").click()
        officer.locator("#inbox-rows").get_by_role("link", name=code).click()
        expect(officer.locator("h1.dossier-code")).to_have_text(code)
        expect(officer.locator(".logout__name")).to_have_text("Trần Văn Bình")  # family name first
        # Nothing to print before acceptance: no empty "printable forms" section.
        expect(officer.get_by_role("heading", name="Biểu mẫu in")).to_have_count(0)
        answers = officer.locator("#answers")
        expect(
            answers.get_by_role("heading", name="Thông tin kê khai trên tờ khai điện tử")
        ).to_be_visible()
        expect(answers.locator("dl > div")).to_have_count(len(ANSWERS))
        assert answers_shown(officer) == ANSWERS
        # Next to the components it declares.
        components = officer.locator("#answers + section")
        expect(components.get_by_role("heading")).to_have_text("Thành phần hồ sơ")
        expect(components).to_contain_text("to-khai.pdf")
        assert_answers_readable(officer)
        officer.screenshot(path=str(shots / "dossier-1280.png"), full_page=True)

        # On a phone the answers wrap: nothing runs off the screen.
        officer.set_viewport_size({"width": 390, "height": 844})
        expect(answers.locator("dl > div").first).to_be_visible()
        fits_the_screen(officer)
        assert_answers_readable(officer)
        officer.screenshot(path=str(shots / "dossier-390.png"), full_page=True)

        do(officer, "accept")
        # Accepted; the procedure's fee is paid before processing: it waits for it (status 6).
        assert officer.locator(".facts .status").first.inner_text().startswith("6.")
        assert answers_shown(officer) == ANSWERS
        officer.set_viewport_size({"width": 1280, "height": 900})
        officer.screenshot(path=str(shots / "dossier-accepted-1280.png"), full_page=True)

        # The receipt after acceptance (form 01), as the officer prints it.
        receipt_href = officer.get_by_role(
            "link", name="Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)"
        ).get_attribute("href")
        assert receipt_href
        response = officer.request.get(live_server.url + receipt_href)
        assert response.status == 200
        assert response.headers["content-type"].startswith("application/pdf")
        accepted_pdf = response.body()

    for pdf in (submitted_pdf, accepted_pdf):
        reader, text = text_of(pdf)
        assert_one_a4_page(reader)
        assert REQUEST_LINE.format(code=judicial_record.code) in text, text
        # Answers not flagged as stating the request stay off the receipt.
        assert TYPED["birth_place"] not in text
        assert "17/05/1990" not in text
        assert APPLICANT in text
    assert "Trần Văn Bình" in text_of(accepted_pdf)[1]  # the officer, family name first

    # A phone camera reads the printed QR code and opens the address it holds.
    scanned = qr_of(accepted_pdf, shots / "receipt-accepted.png", pdftoppm)
    assert scanned == tracking_url, scanned
    assert scanned.startswith(settings.SITE_URL + "/")
    page.goto(scanned)
    expect(page.locator("h1.dossier-code")).to_have_text(code)
    expect(page.locator("[data-status]")).to_have_attribute(
        "data-status", str(Status.PAYMENT_REQUESTED)
    )
    main = page.locator("main")
    expect(main).to_contain_text(judicial_record.name)
    expect(main).not_to_contain_text(APPLICANT)
    expect(main).not_to_contain_text(APPLICANT_ID)
    fits_the_screen(page)
    page.screenshot(path=str(shots / "tracking-390.png"), full_page=True)
    assert Dossier.objects.get(code=code).status == Status.PAYMENT_REQUESTED
