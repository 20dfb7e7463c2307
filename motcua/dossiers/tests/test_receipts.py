"""The receipt (form 01): what it says before and after acceptance, on one A4 page, its QR code."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from pypdf import PdfReader

from motcua.dossiers.models import ApplicantKind, Channel, Dossier, DossierComponent
from motcua.dossiers.receipts import COMPACT_LINES, receipt_pdf
from motcua.dossiers.selectors import dossier_get, dossier_receipt_url
from motcua.dossiers.services import ReceivedComponent
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create
from motcua.workflow import services
from motcua.workflow.services import CounterDecision

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
SUBMITTED = dt.datetime(2026, 12, 7, 8, 5, tzinfo=VN)  # a Monday
ACCEPTED = dt.datetime(2026, 12, 7, 10, 40, tzinfo=VN)
A4_MM = (210, 297)


@pytest.fixture
def cast() -> Cast:
    cast = cast_create()
    officer = cast.receiving_officer
    officer.first_name, officer.last_name = "Thu", "Nguyễn Thị"
    officer.save()
    return cast


@pytest.fixture
def online(cast: Cast) -> Dossier:
    """An online dossier for birth registration, its child's name flagged as the request."""
    procedure = ProcedureFactory(agency=cast.agency, name="Đăng ký khai sinh")
    version = procedure.current_version
    assert version is not None
    version.eform[0]["summary"] = True  # "Họ tên người được đăng ký"
    version.save()
    return DossierFactory(
        procedure=procedure,
        receiving_unit=cast.unit,
        applicant_name="Trần Thị Mai",
        submitted_at=SUBMITTED,
        form_data={"child_name": "Trần Minh Khôi", "birth_date": "2026-11-01", "note": "Gấp"},
    )


def printed(dossier: Dossier, **kwargs: Any) -> tuple[str, list[Any]]:
    """Return the receipt's text and its pages, printed as its view prints it."""
    body = receipt_pdf(dossier_get(code=dossier.code), **kwargs)
    pages = list(PdfReader(io.BytesIO(body)).pages)
    return " ".join(" ".join(page.extract_text().split()) for page in pages), pages


def millimetres(page: Any) -> tuple[int, int]:
    return round(float(page.mediabox.width) / 72 * 25.4), round(
        float(page.mediabox.height) / 72 * 25.4
    )


def test_an_online_receipt_before_acceptance_says_it_waits_and_has_no_entry(
    online: Dossier, settings: Any
) -> None:
    settings.MOTCUA_PLACE_NAME = ""  # the province of the unit: Đà Nẵng
    text, _pages = printed(online)
    assert (
        "Thời gian nộp hồ sơ trực tuyến: 08 giờ 05 phút, ngày 07/12/2026 (chưa được tiếp nhận)"
        in text
    )
    assert "(dự kiến)" in text
    assert "kiểm tra và phản hồi trong 08 giờ làm việc" in text
    assert "Vào Sổ theo dõi hồ sơ" not in text
    assert "Đà Nẵng, ngày 07 tháng 12 năm 2026" in text


def test_an_online_receipt_after_acceptance_states_when_by_whom_and_its_register_entry(
    cast: Cast, online: Dossier
) -> None:
    services.dossier_accept(dossier=online, actor=cast.receiving_officer, now=ACCEPTED)
    text, _pages = printed(online)
    assert (
        "Thời gian tiếp nhận hồ sơ: 10 giờ 40 phút, ngày 07/12/2026 "
        "(hồ sơ nộp trực tuyến lúc 08 giờ 05 phút, ngày 07/12/2026)"
    ) in text
    assert "Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: 1" in text
    assert "Nguyễn Thị Thu" in text  # the officer, family name first
    assert "(dự kiến)" not in text
    assert "phản hồi trong" not in text  # the online note is for a dossier still waiting


def test_a_counter_receipt_carries_no_online_note(cast: Cast) -> None:
    procedure = ProcedureFactory(agency=cast.agency)
    assert procedure.current_version is not None
    required = procedure.current_version.components.get(is_required=True)
    dossier = services.dossier_counter_intake(
        actor=cast.receiving_officer,
        unit=cast.unit,
        procedure_code=procedure.code,
        data={
            "applicant_name": "Lê Văn Tám",
            "applicant_id_number": "048090001111",
            "applicant_phone": "0905000111",
            "applicant_address": "Đà Nẵng",
            "delivery": "counter",
        },
        received=[ReceivedComponent(required.pk, originals=1, copies=2)],
        decision=CounterDecision("accept"),
        now=ACCEPTED,
    )
    text, _pages = printed(dossier)
    assert "Thời gian nhận hồ sơ: 10 giờ 40 phút, ngày 07/12/2026" in text
    assert "Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: 1" in text
    assert "Nguyễn Thị Thu" in text
    assert "trực tuyến" not in text
    assert "Ghi chú" not in text


def test_a_refused_online_dossier_has_no_entry_and_says_so(cast: Cast, online: Dossier) -> None:
    services.dossier_refuse(dossier=online, actor=cast.receiving_officer, reasons="Sai mẫu")
    text, _pages = printed(online)
    assert "Vào Sổ theo dõi hồ sơ" not in text
    assert "Hồ sơ không được tiếp nhận giải quyết" in text


def test_the_request_line_shows_the_answers_flagged_summary(online: Dossier) -> None:
    text, _pages = printed(online)
    assert (
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh (mã thủ tục "
        f"{online.procedure.code}); Họ tên người được đăng ký: Trần Minh Khôi"
    ) in text
    assert "Gấp" not in text  # the note is not flagged


def test_an_organisation_is_addressed_as_an_organisation(cast: Cast) -> None:
    dossier = DossierFactory(
        procedure=ProcedureFactory(agency=cast.agency),
        receiving_unit=cast.unit,
        applicant_kind=ApplicantKind.ORGANISATION,
        applicant_name="Công ty TNHH Xây dựng Sông Hàn",
    )
    text, _pages = printed(dossier)
    assert "Tổ chức: Công ty TNHH Xây dựng Sông Hàn" in text
    assert "Ông/Bà" not in text


@pytest.mark.parametrize("count", [COMPACT_LINES, 30])
def test_a_receipt_with_many_components_fits_one_a4_page(cast: Cast, count: int) -> None:
    dossier = DossierFactory(
        procedure=ProcedureFactory(agency=cast.agency),
        receiving_unit=cast.unit,
        channel=Channel.COUNTER,
    )
    for n in range(1, count + 1):
        long = " và tài sản khác gắn liền với đất, kèm bản vẽ" if n % 3 == 0 else ""
        DossierComponent.objects.create(
            dossier=dossier,
            name=f"Bản sao giấy chứng nhận quyền sử dụng đất số {n}{long}",
            originals=1,
            copies=2,
        )
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    text, pages = printed(dossier)
    assert len(pages) == 1
    assert millimetres(pages[0]) == A4_MM
    assert f"đất số {count}" in text  # the last component
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text


def test_the_receipt_prints_the_place_configured(online: Dossier, settings: Any) -> None:
    settings.MOTCUA_PLACE_NAME = "Hội An"
    text, _pages = printed(online)
    assert "Hội An, ngày 07 tháng 12 năm 2026" in text


def test_the_receipt_costs_the_same_queries_for_one_component_or_many(
    cast: Cast, online: Dossier, django_assert_num_queries: Any
) -> None:
    services.dossier_accept(dossier=online, actor=cast.receiving_officer)
    DossierComponent.objects.create(dossier=online, name="Tờ khai", originals=1)
    client = Client()
    url = dossier_receipt_url(online)
    # The dossier with its units and book, components, files, its version's fees, its fee
    # lines, the acceptance; and the audit entry of the read (one INSERT).
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
    for n in range(12):
        DossierComponent.objects.create(dossier=online, name=f"Giấy tờ {n}", originals=1)
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs pdftoppm (poppler-utils)")
def test_the_receipt_qr_code_opens_the_tracking_page(
    online: Dossier, settings: Any, tmp_path: Path
) -> None:
    import zxingcpp
    from PIL import Image

    settings.SITE_URL = "https://dichvucong.danang.gov.vn/"
    response = Client().get(dossier_receipt_url(online))
    assert response.status_code == 200
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(  # noqa: S603 - a fixed program on a file of this test
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],  # noqa: S607
        check=True,
    )
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [code.text for code in found] == [
        f"https://dichvucong.danang.gov.vn/tra-cuu/{online.code}/"
    ]
