from __future__ import annotations

import json
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from motcua.audit.models import AuditEntry
from motcua.catalog.cases import CASE_SAME_AS_ORDINARY, CASE_TIME_INVALID, ProcessingCaseSpec
from motcua.catalog.fees import (
    CODE_INVALID,
    FEE_CODES_UNKNOWN,
    PAGES_FIELD_REQUIRED,
    TIERS_INVALID,
)
from motcua.catalog.importing import export_json
from motcua.catalog.models import Fee, FeeExemption, Procedure, ProcedureVersion, ProcessingCase
from motcua.organisation.models import Agency

from .conftest import Publish
from .test_services import PAGES_EFORM, use_in_a_dossier

pytestmark = [pytest.mark.django_db, pytest.mark.urls("motcua.catalog.tests.urls")]


@pytest.fixture
def admin_client_(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("admin", "admin@example.vn", "x"))
    return client


def test_admin_pages_for_the_catalogue_open(admin_client_: Client, publish: Publish) -> None:
    procedure = publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
    for url in [
        "/admin/catalog/procedure/",
        f"/admin/catalog/procedure/{procedure.pk}/change/",
        f"/admin/catalog/procedureversion/{procedure.current_version_id}/change/",
        "/admin/catalog/field/",
        "/admin/catalog/procedure/import/",
        "/admin/organisation/agency/",
        "/admin/territory/administrativeunit/?level=commune",
    ]:
        assert admin_client_.get(url).status_code == 200, url


def test_upload_shows_the_report_and_dry_run_saves_nothing(
    admin_client_: Client, publish: Publish, tu_phap: Agency
) -> None:
    publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
    records = json.loads(export_json())
    records[0]["processing_time_value"] = 3
    records.append({**records[0], "code": "1.000001.000.00.00.H15", "agency": "nope"})
    upload = SimpleUploadedFile("catalogue.json", json.dumps(records).encode())

    response = admin_client_.post(
        "/admin/catalog/procedure/import/", {"file": upload, "dry_run": "on"}
    )

    text = response.content.decode()
    assert "new version" in text
    assert "unknown agency code" in text
    assert ProcedureVersion.objects.count() == 1


def test_publish_new_version_action_copies_the_current_version(
    admin_client_: Client, publish: Publish
) -> None:
    procedure = publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
    admin_client_.post(
        "/admin/catalog/procedure/",
        {"action": "publish_new_version", "_selected_action": [procedure.pk]},
    )
    procedure.refresh_from_db()
    assert procedure.current_version is not None
    assert procedure.current_version.number == 2
    assert procedure.current_version.components.count() == 1


def test_a_version_in_use_cannot_be_changed_in_the_admin(
    admin_client_: Client, publish: Publish
) -> None:
    procedure = publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
    version = procedure.current_version
    assert version is not None
    use_in_a_dossier(version)
    url = f"/admin/catalog/procedureversion/{version.pk}/change/"

    page = admin_client_.get(url).content.decode()
    response = admin_client_.post(url, {"name": "Đổi tên", "processing_time_value": "1"})

    assert 'name="name"' not in page
    assert response.status_code == 403
    assert Procedure.objects.get().name == "Đăng ký khai sinh"


def test_export_view_downloads_the_catalogue(admin_client_: Client, publish: Publish) -> None:
    publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
    response = admin_client_.get("/admin/catalog/procedure/export/xlsx/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="procedures.xlsx"'


class _FormValues(HTMLParser):
    """Collect the values a browser would post from the admin's change form."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in ("submit", "file"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.values[name] = "on"
            else:
                self.values[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += (
                data.lstrip("\n") if not self.values[self._textarea] else data
            )


def change_form(client: Client, url: str) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(client.get(url).content.decode())
    return {k: v for k, v in parser.values.items() if "__prefix__" not in k}


def test_a_fee_rule_is_edited_in_the_admin_with_tiers_as_text_and_the_change_is_audited(
    admin_client_: Client, publish: Publish
) -> None:
    procedure = publish("2.000815.000.00.00.H17", "Chứng thực bản sao", eform=PAGES_EFORM)
    url = f"/admin/catalog/procedureversion/{procedure.current_version_id}/change/"
    data = change_form(admin_client_, url)
    data.update(
        {
            "fees-0-basis": "page",
            "fees-0-amount": "2000",
            "fees-0-tiers_text": "3: 1000",
            "fees-0-cap": "200000",
            "fees-0-pages_field": "pages",
            "fees-0-copies_field": "copies",
            "fee_exemptions-TOTAL_FORMS": "1",
            "fee_exemptions-0-code": "HO-NGHEO",
            "fee_exemptions-0-name": "Hộ nghèo",
            "fee_exemptions-0-fee_codes": "LP1",
            "fee_exemptions-0-trigger": "claim",
            "fee_exemptions-0-percent": "100",
            "fee_exemptions-0-proof": "Giấy chứng nhận hộ nghèo",
        }
    )

    response = admin_client_.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    fee = Fee.objects.get()
    assert (fee.basis, fee.tiers, fee.cap) == ("page", [{"from": 3, "amount": 1000}], 200_000)
    assert FeeExemption.objects.get().fee_codes == "LP1"
    entry = AuditEntry.objects.get(action="procedure_version.revise")
    assert entry.before is not None and entry.after is not None
    assert entry.before["fees"][0]["basis"] == "dossier"
    assert entry.after["fees"][0]["tiers"] == [{"start": 3, "amount": 1000}]
    assert entry.after["fee_exemptions"][0]["code"] == "HO-NGHEO"


def test_a_bad_fee_rule_is_a_form_error_in_the_admin_and_nothing_is_saved(
    admin_client_: Client, publish: Publish
) -> None:
    procedure = publish("2.000815.000.00.00.H17", "Chứng thực bản sao", eform=PAGES_EFORM)
    url = f"/admin/catalog/procedureversion/{procedure.current_version_id}/change/"
    data = change_form(admin_client_, url)
    data.update(
        {
            "fees-0-basis": "page",
            "fees-0-tiers_text": "từ trang 3",
            "fee_exemptions-TOTAL_FORMS": "1",
            "fee_exemptions-0-code": "X",
            "fee_exemptions-0-name": "X",
            "fee_exemptions-0-fee_codes": "NOPE",
            "fee_exemptions-0-trigger": "claim",
            "fee_exemptions-0-percent": "100",
            "fee_exemptions-0-proof": "p",
        }
    )

    with translation.override("en"):
        response = admin_client_.post(url, data, headers={"Accept-Language": "en"})
        text = response.content.decode()
        assert response.status_code == 200
        assert str(TIERS_INVALID).replace("'", "&#x27;") in text
        assert str(FEE_CODES_UNKNOWN) in text

        data["fees-0-tiers_text"] = ""
        data["fee_exemptions-0-fee_codes"] = "LP1"
        text = admin_client_.post(url, data, headers={"Accept-Language": "en"}).content.decode()
        assert str(PAGES_FIELD_REQUIRED) in text  # a per-page fee names its count of pages
    assert Fee.objects.get().basis == "dossier"
    assert not FeeExemption.objects.exists()
    assert not AuditEntry.objects.filter(action="procedure_version.revise").exists()


def case_rows(*rows: dict[str, str]) -> dict[str, str]:
    """Return the posted inline rows of processing-time cases."""
    data = {"processing_cases-TOTAL_FORMS": str(len(rows))}
    for n, row in enumerate(rows):
        data.update({f"processing_cases-{n}-{k}": v for k, v in row.items()})
    return data


VERIFICATION_ROW = {
    "code": "XAC-MINH",
    "name": "Trường hợp cần xác minh",
    "processing_time_value": "15",
    "processing_time_unit": "days",
    "order": "1",
    "note": "Đã cư trú ở nhiều nơi",
    "legal_basis": "Luật Lý lịch tư pháp 2009, Điều 48",
}


def test_a_processing_case_is_added_in_the_admin_and_the_change_is_audited(
    admin_client_: Client, publish: Publish
) -> None:
    procedure = publish(
        "2.001418.000.00.00.H15", "Cấp Phiếu lý lịch tư pháp", processing_time_value=10
    )
    url = f"/admin/catalog/procedureversion/{procedure.current_version_id}/change/"
    data = {**change_form(admin_client_, url), **case_rows(VERIFICATION_ROW)}

    response = admin_client_.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    case = ProcessingCase.objects.get()
    assert (case.code, case.processing_time_value, case.legal_basis) == (
        "XAC-MINH",
        Decimal(15),
        "Luật Lý lịch tư pháp 2009, Điều 48",
    )
    entry = AuditEntry.objects.get(action="procedure_version.revise")
    assert entry.before is not None and entry.after is not None
    assert entry.before["processing_cases"] == []
    assert entry.after["processing_cases"][0]["code"] == "XAC-MINH"


def test_bad_processing_cases_are_form_errors_in_the_admin_and_nothing_is_saved(
    admin_client_: Client, publish: Publish
) -> None:
    procedure = publish(
        "2.001418.000.00.00.H15", "Cấp Phiếu lý lịch tư pháp", processing_time_value=10
    )
    url = f"/admin/catalog/procedureversion/{procedure.current_version_id}/change/"
    data = {
        **change_form(admin_client_, url),
        **case_rows(
            VERIFICATION_ROW,
            {**VERIFICATION_ROW, "name": "Trùng mã", "processing_time_value": "20"},
            {**VERIFICATION_ROW, "code": "xác minh", "processing_time_value": "0"},
            {**VERIFICATION_ROW, "code": "BANG", "processing_time_value": "12"},
        ),
        "processing_time_value": "12",  # the version's own time, edited on the same page
    }

    response = admin_client_.post(url, data)

    assert response.status_code == 200
    (cases,) = [
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.opts.model is ProcessingCase
    ]
    errors = [form.errors for form in cases.forms]
    assert errors[0] == {}
    assert errors[1]  # Django's own message: the code is given twice
    assert errors[2] == {"code": [CODE_INVALID], "processing_time_value": [CASE_TIME_INVALID]}
    assert errors[3] == {"processing_time_value": [CASE_SAME_AS_ORDINARY]}
    text = response.content.decode()
    for message in (CODE_INVALID, CASE_TIME_INVALID, CASE_SAME_AS_ORDINARY):
        assert str(message) in text, message
    assert not ProcessingCase.objects.exists()
    assert ProcedureVersion.objects.get().processing_time_value == 10
    assert not AuditEntry.objects.filter(action="procedure_version.revise").exists()


def test_the_cases_of_a_version_in_use_are_shown_but_not_editable(
    admin_client_: Client, publish: Publish
) -> None:
    procedure = publish(
        "2.001418.000.00.00.H15",
        "Cấp Phiếu lý lịch tư pháp",
        processing_time_value=10,
        processing_cases=[
            ProcessingCaseSpec(
                code="XAC-MINH", name="Cần xác minh", processing_time_value=Decimal(15)
            )
        ],
    )
    version = procedure.current_version
    assert version is not None
    use_in_a_dossier(version)

    page = admin_client_.get(f"/admin/catalog/procedureversion/{version.pk}/change/")

    text = page.content.decode()
    assert "XAC-MINH" in text
    assert 'name="processing_cases-0-code"' not in text


def test_giving_the_version_the_time_of_one_of_its_cases_is_a_form_error(
    admin_client_: Client, publish: Publish
) -> None:
    procedure = publish(
        "2.001418.000.00.00.H15",
        "Cấp Phiếu lý lịch tư pháp",
        processing_time_value=10,
        processing_cases=[
            ProcessingCaseSpec(
                code="XAC-MINH", name="Cần xác minh", processing_time_value=Decimal(15)
            )
        ],
    )
    url = f"/admin/catalog/procedureversion/{procedure.current_version_id}/change/"
    data = {**change_form(admin_client_, url), "processing_time_value": "15"}

    response = admin_client_.post(url, data)

    assert response.status_code == 200
    assert str(CASE_SAME_AS_ORDINARY) in response.content.decode()
    assert ProcedureVersion.objects.get().processing_time_value == 10
