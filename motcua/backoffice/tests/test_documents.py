"""Printed forms 02-06 and the register (07): what they print, who gets them, when they apply."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from motcua.catalog.models import Procedure
from motcua.core.pdf import vn_date
from motcua.dossiers.models import (
    ApplicantKind,
    Dossier,
    DossierEvent,
    EventKind,
    OfficialKind,
    RegisterBook,
)
from motcua.dossiers.services import official_number_issue
from motcua.staff.models import Role
from motcua.testing import (
    Cast,
    DossierFactory,
    OneStopUnitFactory,
    ProcedureFactory,
    StaffRoleFactory,
    cast_create,
    inter_agency_process,
    pdf_upload,
)
from motcua.workflow import register, selectors, services
from motcua.workflow.documents import FORM_NOT_APPLICABLE, documents_available, form_url

pytestmark = pytest.mark.django_db
REGISTER = reverse("backoffice:register")
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _place(settings: Any) -> None:
    """Print the place of the issuer's province (Đà Nẵng), whatever the environment says."""
    settings.MOTCUA_PLACE_NAME = ""


@pytest.fixture
def cast() -> Cast:
    cast = cast_create()
    for user, (family, given) in (
        (cast.receiving_officer, ("Nguyễn Thị", "Bình")),
        (cast.specialist, ("Lê Minh", "Chi")),
        (cast.leader, ("Phạm Văn", "Dũng")),
    ):
        user.last_name, user.first_name = family, given
        user.save()
    cast.agency.notation = "STP"
    cast.agency.save()
    return cast


@pytest.fixture
def procedure(cast: Cast) -> Procedure:
    return ProcedureFactory(agency=cast.agency, name="Đăng ký khai sinh")


def submitted(cast: Cast, procedure: Procedure, **kwargs: Any) -> Dossier:
    kwargs.setdefault("submitted_at", timezone.now())
    return DossierFactory(
        procedure=procedure, receiving_unit=cast.unit, applicant_name="Trần Thị Mai", **kwargs
    )


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def printed(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return pdf_text(response.content)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shows(text: str, *parts: str) -> None:
    """Assert that every one of ``parts`` is printed in ``text``."""
    missing = [part for part in parts if part not in text]
    assert not missing, (missing, text)


def dated(dossier: Dossier, kind: EventKind) -> str:
    """Return the place-and-date line a form prints for the latest ``kind`` event of ``dossier``."""
    at = DossierEvent.objects.filter(dossier=dossier, kind=kind).latest("at", "id").at
    return f"Đà Nẵng, {vn_date(timezone.localdate(at))}"


def day(value: dt.datetime | None) -> str:
    assert value is not None
    return f"{timezone.localtime(value):%d/%m/%Y}"


# --- Forms 02-06 ----------------------------------------------------------------------------------


def test_form_02_lists_everything_missing_the_reason_and_the_date(
    cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    services.dossier_request_supplement(
        dossier=dossier,
        actor=cast.receiving_officer,
        missing=["Giấy chứng sinh bản chính", "Bản sao giấy đăng ký kết hôn"],
        reason="Hồ sơ chưa đủ thành phần",
    )
    text = printed(signed_in(cast.receiving_officer), form_url(dossier, "02"))
    shows(
        text,
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        dossier.code,
        "1 Giấy chứng sinh bản chính",
        "2 Bản sao giấy đăng ký kết hôn",
        "Lý do: Hồ sơ chưa đủ thành phần",
        "Ông/Bà Trần Thị Mai",
        "liên hệ Trung tâm Phục vụ hành chính công",
        dated(dossier, EventKind.SUPPLEMENT_REQUESTED),
    )


def test_form_02_prints_the_latest_request_or_an_earlier_one_asked_for(
    cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    for missing in ("Giấy chứng sinh", "Sổ hộ khẩu"):
        services.dossier_request_supplement(
            dossier=dossier, actor=cast.receiving_officer, missing=[missing], reason="Thiếu"
        )
        services.dossier_receive_supplement(dossier=dossier, actor=cast.receiving_officer)
        if missing == "Giấy chứng sinh":  # once at intake, once more during processing
            services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    client = signed_in(cast.receiving_officer)
    latest = printed(client, form_url(dossier, "02"))
    assert "Sổ hộ khẩu" in latest
    assert "Giấy chứng sinh" not in latest
    assert "Giấy chứng sinh" in printed(client, form_url(dossier, "02"), n=1)
    assert client.get(form_url(dossier, "02"), {"n": 3}).status_code == 404


def test_form_03_prints_the_reasons_of_the_refusal(cast: Cast, procedure: Procedure) -> None:
    dossier = submitted(cast, procedure)
    services.dossier_refuse(
        dossier=dossier, actor=cast.receiving_officer, reasons="Không thuộc thẩm quyền"
    )
    text = printed(signed_in(cast.receiving_officer), form_url(dossier, "03"))
    shows(
        text,
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        dossier.code,
        "Không thuộc thẩm quyền",
        "Trần Thị Mai",
        dated(dossier, EventKind.REFUSED),
    )


def test_forms_04_05_and_06_of_an_extended_then_stopped_dossier(
    cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    dossier.refresh_from_db()
    assert dossier.due_at is not None
    first_due = timezone.localtime(dossier.due_at)
    new_due = timezone.localtime(dossier.due_at + dt.timedelta(days=4))
    services.dossier_extend(
        dossier=dossier, actor=cast.leader, reason="Cần xác minh thêm", new_due_at=new_due
    )
    services.dossier_stop(dossier=dossier, actor=cast.leader, reason="Có tranh chấp")
    client = signed_in(cast.leader)

    shows(
        printed(client, form_url(dossier, "04")),
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "SỞ TƯ PHÁP",  # the deciding agency apologises
        "Số: 01/CV-STP",  # numbered by the deciding agency when it was issued
        "V/v xin lỗi và đề nghị gia hạn thời gian giải quyết hồ sơ",
        dossier.code,
        "Kính gửi: Ông/Bà Trần Thị Mai",
        "lý do: Cần xác minh thêm",
        f"{first_due:%H} giờ {first_due:%M} phút, ngày {first_due:%d/%m/%Y}",
        f"{new_due:%H} giờ {new_due:%M} phút, ngày {new_due:%d/%m/%Y}",
        dated(dossier, EventKind.EXTENDED),
        "Nơi nhận: - Như trên; - Trung tâm Phục vụ hành chính công; - Lưu: VT.",
        "Phạm Văn Dũng",  # the leader who signs, family name first
    )
    stopped = timezone.localtime(
        DossierEvent.objects.get(dossier=dossier, kind=EventKind.STOPPED).at
    )
    shows(
        printed(client, form_url(dossier, "05")),
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        "Số: 01/TB-STP",
        dossier.code,
        dated(dossier, EventKind.STOPPED),
        "lý do: Có tranh chấp",
        f"{stopped:%H} giờ {stopped:%M} phút, ngày {stopped:%d/%m/%Y}",
    )
    shows(
        printed(client, form_url(dossier, "06")),
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        dossier.code,
        "Thẩm định hồ sơ",
        "chủ trì giải quyết: Sở Tư pháp",
        "Nguyễn Thị Bình Lê Minh Chi",  # Bình handed the dossier on to Chi
        f"ngày {day(dossier.received_at)}",
        f"hẹn ban đầu {first_due:%d/%m/%Y %H:%M}",
    )


def test_the_control_slip_of_an_inter_agency_dossier_names_the_partner_and_each_verdict(
    cast: Cast, procedure: Procedure
) -> None:
    inter_agency_process(procedure, cast.partner)
    dossier = submitted(cast, procedure)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    services.dossier_forward(dossier=dossier, actor=cast.specialist)
    slip = printed(signed_in(cast.partner_specialist), form_url(dossier, "06"))
    assert "Cơ quan, đơn vị phối hợp giải quyết: Công an thành phố" in slip
    assert "Trước hạn" in slip or "Đúng hạn" in slip
    assert "Đang xử lý" in slip  # the partner's step is still open
    assert "Xử lý liên thông" in slip


def test_forms_are_printed_with_a_font_that_has_vietnamese_letters(
    cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    services.dossier_refuse(dossier=dossier, actor=cast.receiving_officer, reasons="Sai mẫu")
    response = signed_in(cast.receiving_officer).get(form_url(dossier, "03"))
    pages: list[Any] = list(PdfReader(io.BytesIO(response.content)).pages)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts
    assert all("Noto-Serif" in name or "DejaVu" in name for name in fonts), fonts
    assert "Sai mẫu" in pdf_text(response.content)


def test_forms_04_and_05_print_the_number_and_notation_of_their_event(
    cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    dossier.refresh_from_db()
    services.dossier_extend(
        dossier=dossier,
        actor=cast.leader,
        reason="Cần xác minh",
        new_due_at=dossier.due_at + dt.timedelta(days=4),
    )
    services.dossier_stop(dossier=dossier, actor=cast.leader, reason="Có tranh chấp")
    # The next letter of the agency takes the next number.
    assert (
        official_number_issue(agency=cast.agency, kind=OfficialKind.LETTER, at=timezone.now())
        == "02/CV-STP"
    )
    numbers = dict(
        DossierEvent.objects.filter(dossier=dossier)
        .exclude(document_number="")
        .values_list("kind", "document_number")
    )
    assert numbers == {EventKind.EXTENDED: "01/CV-STP", EventKind.STOPPED: "01/TB-STP"}
    client = signed_in(cast.leader)
    assert "Số: 01/CV-STP" in printed(client, form_url(dossier, "04"))
    assert "Số: 01/TB-STP" in printed(client, form_url(dossier, "05"))


def test_an_organisation_is_addressed_as_an_organisation(cast: Cast, procedure: Procedure) -> None:
    dossier = submitted(
        cast,
        procedure,
        applicant_kind=ApplicantKind.ORGANISATION,
    )
    Dossier.objects.filter(pk=dossier.pk).update(applicant_name="Công ty TNHH Sông Hàn")
    services.dossier_request_supplement(
        dossier=dossier, actor=cast.receiving_officer, missing=["Điều lệ công ty"], reason="Thiếu"
    )
    client = signed_in(cast.receiving_officer)
    text = printed(client, form_url(dossier, "02"))
    shows(text, "tiếp nhận hồ sơ của Công ty TNHH Sông Hàn", "Đề nghị Quý tổ chức bổ sung")
    assert "Ông/Bà" not in text
    services.dossier_receive_supplement(dossier=dossier, actor=cast.receiving_officer)
    services.dossier_refuse(dossier=dossier, actor=cast.receiving_officer, reasons="Sai mẫu")
    text = printed(client, form_url(dossier, "03"))
    shows(text, "của Công ty TNHH Sông Hàn", "để Quý tổ chức được biết")
    assert "Ông/Bà" not in text


def test_the_control_slip_states_the_request_with_the_answers_flagged_summary(
    cast: Cast, procedure: Procedure
) -> None:
    version = procedure.current_version
    assert version is not None
    version.eform[0]["summary"] = True
    version.save()
    dossier = submitted(cast, procedure, form_data={"child_name": "Trần Minh Khôi", "note": "Gấp"})
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    text = printed(signed_in(cast.leader), form_url(dossier, "06"))
    shows(
        text,
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
        "Họ tên người được đăng ký: Trần Minh Khôi",
        "(Kèm theo hồ sơ của: Ông/Bà Trần Thị Mai)",
    )
    assert "Gấp" not in text


# --- When a form applies --------------------------------------------------------------------------


def test_a_form_that_does_not_apply_is_404_with_a_message(cast: Cast, procedure: Procedure) -> None:
    dossier = submitted(cast, procedure)
    client = signed_in(cast.receiving_officer)
    for form in ("02", "03", "04", "05", "06", "01", "99"):
        response = client.get(form_url(dossier, form))
        assert response.status_code == 404
        assert str(FORM_NOT_APPLICABLE) in response.content.decode()
    assert documents_available(dossier) == []


def test_the_forms_available_follow_what_happened_to_the_dossier(
    cast: Cast, procedure: Procedure, django_assert_num_queries: Any
) -> None:
    refused = submitted(cast, procedure)
    services.dossier_refuse(dossier=refused, actor=cast.receiving_officer, reasons="Sai")
    accepted = submitted(cast, procedure)
    services.dossier_accept(dossier=accepted, actor=cast.receiving_officer)
    services.dossier_claim(dossier=accepted, actor=cast.specialist)

    def available(dossier: Dossier) -> list[str]:
        found = selectors.dossier_for_print(user=cast.leader, code=dossier.code)
        with django_assert_num_queries(0):
            return [url.rsplit("mau-", 1)[1][:2] for _label, url in documents_available(found)]

    assert available(refused) == ["03"]
    assert available(accepted) == ["06"]
    services.dossier_request_supplement(
        dossier=accepted, actor=cast.specialist, missing=["Tờ khai"], reason="Thiếu"
    )
    services.dossier_receive_supplement(dossier=accepted, actor=cast.receiving_officer)
    accepted.refresh_from_db()
    assert accepted.due_at is not None
    services.dossier_extend(
        dossier=accepted,
        actor=cast.leader,
        reason="Chậm",
        new_due_at=accepted.due_at + dt.timedelta(days=3),
    )
    assert available(accepted) == ["02", "04", "06"]
    services.dossier_stop(dossier=accepted, actor=cast.leader, reason="Dừng")
    assert available(accepted) == ["02", "04", "05", "06"]
    page = signed_in(cast.leader).get(reverse("backoffice:dossier", kwargs={"code": refused.code}))
    assert form_url(refused, "03") in page.content.decode()
    assert form_url(refused, "06") not in page.content.decode()


# --- Who gets them --------------------------------------------------------------------------------


def test_forms_are_for_staff_who_may_see_the_dossier(cast: Cast, procedure: Procedure) -> None:
    dossier = submitted(cast, procedure)
    services.dossier_refuse(dossier=dossier, actor=cast.receiving_officer, reasons="Sai")
    url = form_url(dossier, "03")
    assert signed_in(cast.leader).get(url).status_code == 200  # the deciding agency
    assert signed_in(cast.outsider).get(url).status_code == 403
    assert signed_in(cast.applicant).get(url).status_code == 403  # no staff role
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("staff:login"))
    unknown = form_url(DossierFactory.build(code="000.00.00.H15-000000-0000"), "03")
    assert signed_in(cast.leader).get(unknown).status_code == 404


# --- Where the pages are --------------------------------------------------------------------------


def test_the_printed_forms_keep_their_addresses_under_the_back_office() -> None:
    assert REGISTER == "/can-bo/so-theo-doi/"
    dossier = DossierFactory.build(code="000.00.00.H15-260105-0001")
    assert form_url(dossier, "03") == "/can-bo/ho-so/000.00.00.H15-260105-0001/mau-03.pdf"


# --- The register (form 07) -----------------------------------------------------------------------

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN)


def at(days: int, hours: int = 0) -> dt.datetime:
    return MONDAY + dt.timedelta(days=days, hours=hours)


def accepted(cast: Cast, procedure: Procedure, when: dt.datetime, **kwargs: Any) -> Dossier:
    dossier = submitted(cast, procedure, submitted_at=when - dt.timedelta(hours=1), **kwargs)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=when)
    dossier.refresh_from_db()
    return dossier


def returned(cast: Cast, dossier: Dossier, to_whom: str, start: dt.datetime) -> None:
    """Take an accepted dossier through the specialist and the leader to its return."""
    services.dossier_claim(dossier=dossier, actor=cast.specialist, now=start)
    services.dossier_result_record(
        dossier=dossier,
        actor=cast.specialist,
        name="Giấy khai sinh",
        upload=pdf_upload(),
        now=start + dt.timedelta(hours=1),
    )
    services.dossier_forward(
        dossier=dossier, actor=cast.specialist, now=start + dt.timedelta(hours=2)
    )
    services.dossier_mark_processed(
        dossier=dossier, actor=cast.leader, now=start + dt.timedelta(days=1)
    )
    services.dossier_return_result(
        dossier=dossier,
        actor=cast.receiving_officer,
        to_whom=to_whom,
        now=start + dt.timedelta(days=2),
    )


def sheet_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


def naive(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value).replace(tzinfo=None)


def test_the_book_of_a_unit_as_spreadsheet_in_entry_order_with_the_form_columns(
    cast: Cast, procedure: Procedure
) -> None:
    first = accepted(cast, procedure, at(0))
    refused = submitted(cast, procedure)
    services.dossier_refuse(dossier=refused, actor=cast.receiving_officer, reasons="Sai")
    waiting = submitted(cast, procedure)
    second = accepted(cast, procedure, at(1), channel=1)
    returned(cast, first, "Trần Thị Mai", at(2))
    elsewhere = DossierFactory(procedure=ProcedureFactory(agency=cast.other_agency))
    params: dict[str, Any] = {"unit": cast.unit.pk, "year": "2026", "format": "xlsx"}

    rows = sheet_rows(signed_in(cast.receiving_officer).get(REGISTER, params))

    assert rows[0][0] == f"SỔ THEO DÕI HỒ SƠ - {cast.unit.name}"
    assert rows[1][0] == "Quyển số: 2026"
    assert rows[2] == register.HEADERS
    entries = [dict(zip(register.HEADERS, row, strict=True)) for row in rows[3:]]
    assert [(e["Số thứ tự"], e["Mã hồ sơ"]) for e in entries] == [
        (1, first.code),
        (2, second.code),
    ]
    codes = {e["Mã hồ sơ"] for e in entries}
    assert not codes & {refused.code, waiting.code, elsewhere.code}
    done = entries[0]
    assert done["Tên thủ tục hành chính"] == "Đăng ký khai sinh"
    assert done["Số lượng hồ sơ (bộ)"] == 1
    assert done["Tên cá nhân, tổ chức"] == "Trần Thị Mai"
    assert done["Cơ quan chủ trì giải quyết"] == "Sở Tư pháp"
    assert done["Ngày, giờ nhận hồ sơ"] == naive(at(0))
    first.refresh_from_db()
    assert done["Ngày, giờ hẹn trả kết quả"] == naive(first.due_at)
    # Handed to the deciding agency when its first step started: at acceptance.
    assert done["Ngày, giờ chuyển hồ sơ đến cơ quan giải quyết"] == naive(at(0))
    assert done["Ngày, giờ có kết quả giải quyết"] == naive(at(3))
    assert done["Ngày, giờ trả kết quả"] == naive(at(4))
    assert done["Người nhận kết quả"] == "Trần Thị Mai"
    assert done["Ký nhận"] is None  # signed on paper
    assert done["Ghi chú"].startswith("Nộp trực tuyến")
    open_one = entries[1]
    assert open_one["Ngày, giờ có kết quả giải quyết"] is None
    assert open_one["Ngày, giờ trả kết quả"] is None
    assert open_one["Ghi chú"] is None  # at the counter, still in process


def test_the_columns_of_the_paper_book_fill_the_page() -> None:
    assert sum(c.pdf_width for c in register.COLUMNS) == pytest.approx(100)
    top, below = register._header_rows()
    assert sum(colspan for _title, colspan, _rows in top) == len(register.COLUMNS)
    assert [t for t, span, _ in top if span > 1] == ["Ngày, giờ", "Trả kết quả"]
    assert len(below) == 7


def test_the_book_as_a_landscape_pdf(cast: Cast, procedure: Procedure) -> None:
    first = accepted(cast, procedure, at(0))
    returned(cast, first, "Trần Thị Mai", at(2))
    accepted(cast, procedure, at(1))
    client = signed_in(cast.receiving_officer)
    response = client.get(REGISTER, {"unit": str(cast.unit.pk), "year": "2026", "format": "pdf"})
    assert response.status_code == 200
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    text = pdf_text(response.content)
    shows(
        text,
        "SỔ THEO DÕI HỒ SƠ",
        "Quyển số: 2026",
        "Số lượng hồ sơ (bộ)",
        "Chuyển hồ sơ đến cơ quan giải quyết",
        "Có kết quả giải quyết",
        "Ký nhận",
        "Ghi chú",
        "Trần Thị Mai",
        f"{timezone.localtime(at(4)):%H:%M %d/%m/%Y}",
    )
    assert first.code in text.replace(" ", "")  # a code may wrap after a hyphen


def test_each_year_has_its_own_book_and_dates_narrow_it(cast: Cast, procedure: Procedure) -> None:
    last_year = accepted(cast, procedure, dt.datetime(2025, 12, 30, 9, 0, tzinfo=VN))
    march = accepted(cast, procedure, at(0))
    april = accepted(cast, procedure, at(30))
    client = signed_in(cast.receiving_officer)

    def book(**params: Any) -> list[tuple[Any, Any]]:
        query = {"unit": cast.unit.pk, "format": "xlsx", **params}
        return [(row[0], row[1]) for row in sheet_rows(client.get(REGISTER, query))[3:]]

    assert book(year="2025") == [(1, last_year.code)]
    assert book(year="2026") == [(1, march.code), (2, april.code)]
    assert book(year="2026", start="2026-04-01") == [(2, april.code)]
    assert book(year="2026", end="2026-03-31") == [(1, march.code)]
    assert book(year="2027") == []  # no book yet: an empty register


def test_an_empty_book_prints_that_nothing_was_entered(cast: Cast) -> None:
    params = {"unit": cast.unit.pk, "year": "2030", "format": "pdf"}
    text = printed(signed_in(cast.receiving_officer), REGISTER, **params)
    assert "Chưa có hồ sơ nào được vào sổ" in text


def test_the_register_reads_its_rows_in_a_constant_number_of_queries(
    cast: Cast, procedure: Procedure
) -> None:
    accepted(cast, procedure, at(0))
    scope = register.RegisterScope(cast.unit, 2026, RegisterBook.objects.get())

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            register.register_xlsx(scope, io.BytesIO())
        return len(captured)

    few = queries()
    for n in range(4):
        returned(cast, accepted(cast, procedure, at(n + 1)), "Mai", at(n + 2))
    assert queries() == few
    assert len(list(register.register_rows(scope))) == 5


def test_a_register_too_long_for_a_pdf_points_to_the_spreadsheet(
    cast: Cast, procedure: Procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(register, "MAX_PDF_ROWS", 1)
    accepted(cast, procedure, at(0)), accepted(cast, procedure, at(1))
    params: dict[str, Any] = {"unit": cast.unit.pk, "year": "2026"}
    client = signed_in(cast.receiving_officer)
    response = client.get(REGISTER, {**params, "format": "pdf"})
    assert response.status_code == 400
    message = register.TOO_MANY_FOR_PDF % {"count": 2, "limit": 1}
    assert message in response.content.decode()
    assert len(sheet_rows(client.get(REGISTER, {**params, "format": "xlsx"}))) == 5


def test_the_register_page_offers_the_one_stop_units_of_the_user(cast: Cast) -> None:
    second_unit = OneStopUnitFactory(name="Chi nhánh Trung tâm số 2")
    StaffRoleFactory(user=cast.receiving_officer, role=Role.RECEIVING_OFFICER, agency=second_unit)
    page = signed_in(cast.receiving_officer).get(REGISTER)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{cast.unit.pk}"' in html
    assert f'<option value="{second_unit.pk}"' in html
    assert f'value="{timezone.localdate().year}"' in html
    # A deciding agency keeps no register of dossiers: its leader is offered none.
    assert (
        f'<option value="{cast.agency.pk}"'
        not in signed_in(cast.leader).get(REGISTER).content.decode()
    )


def test_the_register_is_for_staff_of_the_unit(cast: Cast) -> None:
    params: dict[str, Any] = {"unit": cast.unit.pk, "year": "2026", "format": "xlsx"}
    for user in (cast.leader, cast.outsider):  # the deciding agency, another agency
        response = signed_in(user).get(REGISTER, params)
        assert response.status_code == 403
        assert str(register.NOT_YOUR_UNIT) in response.content.decode()
    assert signed_in(cast.applicant).get(REGISTER, params).status_code == 403  # no staff role
    own_agency = {**params, "unit": cast.agency.pk}
    assert signed_in(cast.leader).get(REGISTER, own_agency).status_code == 403  # not a unit
    anonymous = Client().get(REGISTER, params)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("staff:login"))
    assert (
        signed_in(cast.receiving_officer).get(REGISTER, {**params, "unit": "x"}).status_code == 403
    )


@pytest.mark.parametrize(
    ("year", "start", "end", "message"),
    [
        ("hai nghìn", "", "", register.BAD_YEAR),
        ("1999", "", "", register.BAD_YEAR),
        ("2026", "hôm qua", "", register.BAD_RANGE),
        ("2026", "2026-01-31", "2026-02-30", register.BAD_RANGE),
        ("2026", "2026-02-01", "2026-01-01", register.BAD_RANGE),
        ("2026", "2025-12-01", "2026-01-01", register.NOT_IN_YEAR),
        ("2026", "", "2027-01-01", register.NOT_IN_YEAR),
    ],
)
def test_the_register_refuses_bad_years_and_dates(
    cast: Cast, year: str, start: str, end: str, message: Any
) -> None:
    params: dict[str, Any] = {"unit": cast.unit.pk, "year": year, "start": start, "end": end}
    params["format"] = "pdf"
    response = signed_in(cast.receiving_officer).get(REGISTER, params)
    assert response.status_code == 400
    assert str(message) in response.content.decode()
