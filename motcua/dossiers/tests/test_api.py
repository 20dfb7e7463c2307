from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier

from .conftest import pdf, required_key

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
    assert body["code"].startswith("000.00.00.H17-")
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
    from django.core.files.uploadedfile import SimpleUploadedFile

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
    response = client.get("/api/v1/dossiers/000.00.00.H17-261123-9999")
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
