"""Printable forms 02-06 and the register (07): what they print, who gets them, when they apply."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierEvent, EventKind
from motcua.testing import (
    Cast,
    DossierFactory,
    ProcedureFactory,
    cast_create,
    inter_agency_process,
    pdf_upload,
)
from motcua.workflow import register, selectors, services
from motcua.workflow.documents import FORM_NOT_APPLICABLE, documents_available, form_url

pytestmark = pytest.mark.django_db
REGISTER = reverse("documents:register")


@pytest.fixture
def cast() -> Cast:
    return cast_create()


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
    """Return the date line a form prints for the latest ``kind`` event of ``dossier``."""
    at = timezone.localtime(
        DossierEvent.objects.filter(dossier=dossier, kind=kind).latest("at", "id").at
    )
    return f"ngày {at:%d} tháng {at:%m} năm {at:%Y}"


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
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "SỞ TƯ PHÁP",  # the deciding agency apologises
        dossier.code,
        "lý do: Cần xác minh thêm",
        f"{first_due:%H} giờ {first_due:%M} phút, ngày {first_due:%d/%m/%Y}",
        f"{new_due:%H} giờ {new_due:%M} phút, ngày {new_due:%d/%m/%Y}",
        dated(dossier, EventKind.EXTENDED),
    )
    stopped = timezone.localtime(
        DossierEvent.objects.get(dossier=dossier, kind=EventKind.STOPPED).at
    )
    shows(
        printed(client, form_url(dossier, "05")),
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        dossier.code,
        "lý do: Có tranh chấp",
        f"{stopped:%H} giờ {stopped:%M} phút, ngày {stopped:%d/%m/%Y}",
    )
    shows(
        printed(client, form_url(dossier, "06")),
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        dossier.code,
        "Thẩm định hồ sơ",
        "chủ trì giải quyết: Sở Tư pháp",
        "Binh Chi",  # Binh handed the dossier on to Chi
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
    unknown = reverse("documents:form", kwargs={"code": "000.00.00.H15-000000-0000", "form": "03"})
    assert signed_in(cast.leader).get(unknown).status_code == 404


# --- The register (form 07) -----------------------------------------------------------------------


def returned(cast: Cast, dossier: Dossier, to_whom: str) -> None:
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    services.dossier_result_record(
        dossier=dossier, actor=cast.specialist, name="Giấy khai sinh", upload=pdf_upload()
    )
    services.dossier_forward(dossier=dossier, actor=cast.specialist)
    services.dossier_mark_processed(dossier=dossier, actor=cast.leader)
    services.dossier_return_result(dossier=dossier, actor=cast.receiving_officer, to_whom=to_whom)


def sheet_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


def test_the_register_of_a_unit_as_pdf_and_spreadsheet(cast: Cast, procedure: Procedure) -> None:
    first, second = submitted(cast, procedure), submitted(cast, procedure)
    returned(cast, first, "Trần Thị Mai")
    services.dossier_accept(dossier=second, actor=cast.receiving_officer)
    last_month = timezone.now() - dt.timedelta(days=40)
    earlier = submitted(cast, procedure, submitted_at=last_month)
    elsewhere = DossierFactory(procedure=ProcedureFactory(agency=cast.other_agency))
    today = timezone.localdate().isoformat()
    params: dict[str, Any] = {"unit": cast.unit.pk, "start": today, "end": today}
    client = signed_in(cast.receiving_officer)

    text = printed(client, REGISTER, **params, format="pdf")
    shows(text, "SỔ THEO DÕI HỒ SƠ", "Trần Thị Mai", "10. Đã trả kết quả")
    codes = text.replace(" ", "")  # a code may wrap after a hyphen
    assert first.code in codes
    assert second.code in codes
    assert earlier.code not in codes
    assert elsewhere.code not in codes

    rows = sheet_rows(client.get(REGISTER, {**params, "format": "xlsx"}))
    assert rows[0][0] == f"SỔ THEO DÕI HỒ SƠ - {cast.unit.name}"
    assert rows[2] == register.HEADERS
    body = rows[3:]
    assert [row[1] for row in body] == [first.code, second.code]
    assert [row[0] for row in body] == [1, 2]
    first.refresh_from_db()
    entry = dict(zip(register.HEADERS, body[0], strict=True))
    assert entry["Người nhận kết quả"] == "Trần Thị Mai"
    assert entry["Cơ quan giải quyết"] == "Sở Tư pháp"
    assert entry["Trạng thái"].startswith("10. ")
    assert entry["Kết quả (trước/đúng/quá hạn)"] in {"Trước hạn", "Đúng hạn"}
    received = timezone.localtime(first.received_at).replace(tzinfo=None, microsecond=0)
    assert entry["Ngày, giờ nhận"].replace(microsecond=0) == received
    assert isinstance(entry["Ngày, giờ trả kết quả"], dt.datetime)
    assert dict(zip(register.HEADERS, body[1], strict=True))["Ngày, giờ trả kết quả"] is None


def test_the_register_of_a_deciding_agency_holds_what_it_decides(
    cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    other = DossierFactory(procedure=ProcedureFactory(agency=cast.other_agency))
    today = timezone.localdate().isoformat()
    params = {"unit": str(cast.agency.pk), "start": today, "end": today, "format": "xlsx"}
    rows = sheet_rows(signed_in(cast.leader).get(REGISTER, params))
    assert [row[1] for row in rows[3:]] == [dossier.code]
    assert rows[3][5] == cast.unit.name
    assert other.code not in {row[1] for row in rows[3:]}


def test_the_register_reads_its_rows_in_a_constant_number_of_queries(
    cast: Cast, procedure: Procedure
) -> None:
    submitted(cast, procedure)
    today = timezone.localdate()
    scope = register.RegisterRange(cast.unit, today, today)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            register.register_xlsx(scope, io.BytesIO())
        return len(captured)

    few = queries()
    for _ in range(4):
        returned(cast, submitted(cast, procedure), "Mai")
    assert queries() == few
    assert len(list(register.register_rows(scope))) == 5


def test_a_register_too_long_for_a_pdf_points_to_the_spreadsheet(
    cast: Cast, procedure: Procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(register, "MAX_PDF_ROWS", 1)
    submitted(cast, procedure), submitted(cast, procedure)
    today = timezone.localdate().isoformat()
    params: dict[str, Any] = {"unit": cast.unit.pk, "start": today, "end": today}
    client = signed_in(cast.receiving_officer)
    response = client.get(REGISTER, {**params, "format": "pdf"})
    assert response.status_code == 400
    message = register.TOO_MANY_FOR_PDF % {"count": 2, "limit": 1}
    assert message in response.content.decode()
    assert len(sheet_rows(client.get(REGISTER, {**params, "format": "xlsx"}))) == 5


def test_the_register_page_offers_the_units_of_the_user(cast: Cast) -> None:
    page = signed_in(cast.leader).get(REGISTER)
    assert page.status_code == 200
    assert f'<option value="{cast.agency.pk}"' in page.content.decode()
    assert f'<option value="{cast.unit.pk}"' not in page.content.decode()
    anonymous = Client().get(REGISTER)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("staff:login"))


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-02-01", "2026-01-01", register.BAD_RANGE),
        ("hôm qua", "2026-01-01", register.BAD_RANGE),
        ("2026-01-31", "2026-02-30", register.BAD_RANGE),
        ("2024-01-01", "2025-01-01", register.RANGE_TOO_LONG),
    ],
)
def test_the_register_refuses_bad_ranges(cast: Cast, start: str, end: str, message: Any) -> None:
    url_params: dict[str, Any] = {"unit": cast.unit.pk, "start": start, "end": end, "format": "pdf"}
    response = signed_in(cast.receiving_officer).get(REGISTER, url_params)
    assert response.status_code == 400
    assert str(message) in response.content.decode()


def test_the_register_takes_a_whole_leap_year_but_not_units_of_others(cast: Cast) -> None:
    client = signed_in(cast.receiving_officer)
    year: dict[str, Any] = {"start": "2024-01-01", "end": "2024-12-31", "format": "xlsx"}
    assert client.get(REGISTER, {**year, "unit": cast.unit.pk}).status_code == 200
    other = client.get(REGISTER, {**year, "unit": cast.other_agency.pk})
    assert other.status_code == 403
    assert str(register.NOT_YOUR_UNIT) in other.content.decode()
    assert client.get(REGISTER, {**year, "unit": "x"}).status_code == 403
