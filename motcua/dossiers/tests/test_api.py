from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from motcua.catalog.models import OnlineLevel, Procedure
from motcua.dossiers.models import Dossier

from .conftest import PDF, pdf, required_key

pytestmark = pytest.mark.django_db

PERSONAL = ["Nguyễn Thị Hồng Nhung", "048190001234", "0905123456", "nhung@example.vn", "Bạch Đằng"]


def post(client: Client, data: dict[str, Any], **headers: str) -> Any:
    return client.post("/api/v1/dossiers", data, headers=headers)


def test_submission_returns_201_with_code_due_date_and_links(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    response = post(client, {**form, required_key(procedure): pdf()})
    assert response.status_code == 201
    body = response.json()
    assert body["code"].startswith("000.00.00.H15-")
    assert body["status"] == 1
    assert {"due_at", "received_at", "receipt_url", "tracking_url", "status_label"} <= set(body)
    assert body["tracking_url"].endswith(f"/tra-cuu/{body['code']}/")
    assert "token=" in body["receipt_url"]


def test_a_replay_with_the_same_idempotency_key_returns_the_first_result(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    first = post(client, {**form, required_key(procedure): pdf()}, **{"Idempotency-Key": "abc"})
    again = post(client, {**form, required_key(procedure): pdf()}, **{"Idempotency-Key": "abc"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["code"] == again.json()["code"]
    assert Dossier.objects.count() == 1


def test_the_same_key_with_other_data_is_409(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    post(client, {**form, required_key(procedure): pdf()}, **{"Idempotency-Key": "abc"})
    other = {**form, "applicant_address": "Hội An", required_key(procedure): pdf()}
    response = post(client, other, **{"Idempotency-Key": "abc"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_bad_input_is_400_with_a_message_per_field_in_english_on_request(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    data = {**form, "applicant_id_number": "123", "applicant_phone": "abc"}
    response = post(client, data, **{"Accept-Language": "en"})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["applicant_id_number"] == ["Enter the 12 digits of a citizen identity number."]
    assert "applicant_phone" in fields
    assert fields[required_key(procedure)] == ["Attach this document."]


def test_errors_are_in_vietnamese_by_default(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    response = post(client, {**form, "applicant_name": ""})
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["applicant_name"][0]
    assert message != "This field is required."


def test_a_disguised_file_is_400_and_nothing_is_stored(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    fake = SimpleUploadedFile("scan.pdf", b"#!/bin/sh\necho hi\n", "application/pdf")
    response = post(client, {**form, required_key(procedure): fake})
    assert response.status_code == 400
    assert required_key(procedure) in response.json()["error"]["fields"]
    assert not Dossier.objects.exists()


def test_too_many_files_is_413(
    client: Client, procedure: Procedure, form: dict[str, Any], settings: Any
) -> None:
    settings.MOTCUA_MAX_FILES = 1
    response = post(client, {**form, required_key(procedure): [pdf(), pdf()]})
    assert response.status_code == 413
    assert not Dossier.objects.exists()


def test_unknown_procedure_is_404(client: Client, form: dict[str, Any]) -> None:
    response = post(client, {**form, "procedure": "0.000000"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_tracking_shows_status_and_history_without_personal_data(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    code = post(client, {**form, required_key(procedure): pdf()}).json()["code"]
    response = client.get(f"/api/v1/dossiers/{code}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 1
    assert body["procedure"]["code"] == procedure.code
    assert len(body["history"]) == 1
    assert body["due_at"].endswith("+07:00")  # local time of the province
    raw = response.content.decode()
    for value in PERSONAL:
        assert value not in raw


def test_tracking_an_unknown_code_is_404(client: Client, db: None) -> None:
    response = client.get("/api/v1/dossiers/000.00.00.H15-261123-9999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_tracking_costs_a_constant_number_of_queries(
    client: Client, procedure: Procedure, form: dict[str, Any], django_assert_num_queries: Any
) -> None:
    code = post(client, {**form, required_key(procedure): pdf()}).json()["code"]
    with django_assert_num_queries(2):
        client.get(f"/api/v1/dossiers/{code}")


def test_receipt_pdf_holds_code_and_applicant_with_vietnamese_letters(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    body = post(client, {**form, required_key(procedure): pdf()}).json()
    response = client.get(body["receipt_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert body["code"] in text
    assert "Nguyễn Thị Hồng Nhung" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text


def test_receipt_prints_on_a5_too(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    body = post(client, {**form, required_key(procedure): pdf()}).json()
    response = client.get(body["receipt_url"] + "&size=a5")
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert round(float(page.mediabox.width) / 72 * 25.4) == 148


def test_receipt_without_the_token_is_403(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    code = post(client, {**form, required_key(procedure): pdf()}).json()["code"]
    assert client.get(f"/ho-so/{code}/bien-nhan.pdf").status_code == 403
    assert client.get(f"/ho-so/{code}/bien-nhan.pdf?token=x").status_code == 403


def test_receipt_of_an_unknown_dossier_is_404(client: Client, db: None) -> None:
    assert client.get("/ho-so/nope/bien-nhan.pdf?token=x").status_code == 404


def test_the_schema_documents_the_dossier_endpoints(client: Client, db: None) -> None:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert b"/api/v1/dossiers/{code}" in response.content


def files_in(root: Any) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


def test_missing_fields_are_400_with_a_message_for_each(
    client: Client, procedure: Procedure
) -> None:
    response = post(client, {"procedure": procedure.code}, **{"Accept-Language": "en"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "The dossier was not submitted: please correct the fields shown."
    for name in [
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "applicant_address",
        "eform-child_name",
        "eform-birth_date",
        required_key(procedure),
    ]:
        assert error["fields"][name] == ["This field is required."] or name.startswith(
            "component-"
        ), name
    assert error["fields"][required_key(procedure)] == ["Attach this document."]


def test_an_exe_named_pdf_is_400_and_no_file_is_left(
    client: Client, procedure: Procedure, form: dict[str, Any], settings: Any
) -> None:
    exe = SimpleUploadedFile("don.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "application/pdf")
    response = post(client, {**form, required_key(procedure): [pdf(), exe]})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [required_key(procedure)]
    assert not Dossier.objects.exists()
    assert files_in(settings.MEDIA_ROOT) == []


def test_a_file_over_the_size_limit_is_413_and_nothing_is_stored(
    client: Client, procedure: Procedure, form: dict[str, Any], settings: Any
) -> None:
    settings.MOTCUA_MAX_FILE_SIZE = 100
    big = SimpleUploadedFile("scan.pdf", PDF + b"\n" * 200, "application/pdf")
    response = post(client, {**form, required_key(procedure): big}, **{"Accept-Language": "en"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert not Dossier.objects.exists()
    assert files_in(settings.MEDIA_ROOT) == []


def test_more_parts_than_django_reads_is_413_in_the_error_shape(
    client: Client, procedure: Procedure, form: dict[str, Any], settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    response = post(client, {**form, required_key(procedure): [pdf(), pdf(), pdf()]})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_a_procedure_not_offered_online_is_400_with_a_clear_message(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    Procedure.objects.filter(pk=procedure.pk).update(
        accepts_online=False, online_level=OnlineLevel.NONE
    )
    response = post(client, {**form, required_key(procedure): pdf()}, **{"Accept-Language": "en"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert "not offered online" in error["message"]
    assert "procedure" in error["fields"]


def test_submitting_needs_no_csrf_token(procedure: Procedure, form: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    response = post(client, {**form, required_key(procedure): pdf()})
    assert response.status_code == 201


def test_a_replay_answers_the_same_body(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    headers = {"Idempotency-Key": "7f1c"}
    first = post(client, {**form, required_key(procedure): pdf()}, **headers)
    again = post(client, {**form, required_key(procedure): pdf()}, **headers)
    assert first.json() == again.json()


def test_tracking_history_names_roles_and_statuses(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    code = post(client, {**form, required_key(procedure): pdf()}).json()["code"]
    body = client.get(f"/api/v1/dossiers/{code}", headers={"Accept-Language": "en"}).json()
    assert body["competent_agency"]["code"] == procedure.agency.code
    assert body["channel"] == 2
    assert body["history"] == [
        {
            "at": body["received_at"],
            "event": "Submitted",
            "status": 1,
            "status_label": body["status_label"],
            "actor": "Người nộp hồ sơ trực tuyến",
        }
    ]
    assert set(body) == {
        "code",
        "status",
        "status_label",
        "procedure",
        "competent_agency",
        "channel",
        "received_at",
        "due_at",
        "history",
    }


def test_the_receipt_qr_code_holds_the_plain_url_of_the_tracking_page(
    procedure: Procedure, form: dict[str, Any], settings: Any
) -> None:
    from motcua.dossiers.receipts import receipt_qr_payload
    from motcua.dossiers.services import dossier_submit

    files = {required_key(procedure): [pdf()]}
    data = {k: v for k, v in form.items() if k != "procedure"}
    dossier = dossier_submit(procedure_code=procedure.code, data=data, files=files).dossier
    settings.SITE_URL = "https://dichvucong.danang.gov.vn/"
    payload = receipt_qr_payload(dossier)
    assert payload == f"https://dichvucong.danang.gov.vn/tra-cuu/{dossier.code}/"


def test_receipt_lists_the_components_times_and_register_entry(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    body = post(client, {**form, required_key(procedure): pdf()}).json()
    response = client.get(body["receipt_url"])
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Tờ khai theo mẫu (bản điện tử, 1 tệp)" in text
    assert "12 Bạch Đằng, phường Hải Châu, Đà Nẵng" in text
    assert "Số thứ tự" not in text  # entered in the register when accepted, not before
    assert "5 ngày làm việc" in text
    assert "Liên: 01 lưu tại Bộ phận Một cửa; 01 giao người nộp hồ sơ" in text


def test_an_overlong_idempotency_key_is_refused_not_cut(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    headers = {"Idempotency-Key": "k" * 101, "Accept-Language": "en"}
    response = post(client, {**form, required_key(procedure): pdf()}, **headers)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Dossier.objects.exists()


def test_the_receipt_costs_a_constant_number_of_queries(
    client: Client, procedure: Procedure, form: dict[str, Any], django_assert_num_queries: Any
) -> None:
    body = post(client, {**form, required_key(procedure): [pdf(), pdf()]}).json()
    # The dossier with its units, components, files, its version's fees, its fee lines, and
    # the province of the place name; and the audit entry of the read (one INSERT).
    with django_assert_num_queries(6):
        assert client.get(body["receipt_url"]).status_code == 200


def test_the_schema_generates_without_warnings(db: None) -> None:
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS
