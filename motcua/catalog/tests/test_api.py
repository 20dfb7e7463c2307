from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from motcua.catalog.cases import ProcessingCaseSpec
from motcua.catalog.fees import Tier
from motcua.catalog.models import TimeUnit
from motcua.catalog.services import ComponentSpec, FeeExemptionSpec, FeeSpec
from motcua.organisation.models import Agency

from .conftest import Publish

pytestmark = [pytest.mark.django_db, pytest.mark.urls("motcua.catalog.tests.urls")]


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_search_returns_paginated_results_with_agency_field_and_time(
    api: APIClient, publish: Publish, phuong: Agency
) -> None:
    publish(
        "1.001193.000.00.00.H15",
        "Đăng ký khai sinh",
        agency=phuong,
        level="commune",
        processing_time_value=Decimal(0),
        same_day_cutoff_applies=True,
    )
    publish("2.001418.000.00.00.H15", "Cấp Phiếu lý lịch tư pháp", processing_time_value=10)

    body = api.get("/api/v1/procedures", {"q": "KHAI SINH"}).json()

    assert body["count"] == 1
    assert body["next"] is None and body["previous"] is None
    item = body["results"][0]
    assert item == {
        "code": "1.001193.000.00.00.H15",
        "national_code": "1.001193",
        "name": "Đăng ký khai sinh",
        "agency": {"code": phuong.code, "name": "UBND Phường Hải Châu"},
        "field": {"code": "ho-tich", "name": "Hộ tịch"},
        "level": "commune",
        "online_level": "full",
        "processing_days": 0,
        "processing_time": {"value": 0, "unit": "days"},
        "accepts_online": True,
        "url": "http://testserver/api/v1/procedures/1.001193.000.00.00.H15",
    }


def test_hours_based_procedure_gives_days_and_its_time_in_hours(
    api: APIClient, publish: Publish
) -> None:
    publish(
        "2.000001.000.00.00.H15",
        "Chứng thực bản sao",
        processing_time_value=4,
        processing_time_unit=TimeUnit.WORKING_HOURS,
    )
    item = api.get("/api/v1/procedures").json()["results"][0]
    assert item["processing_days"] == 0.5
    assert item["processing_time"] == {"value": 4, "unit": "hours"}


def test_search_pages_by_twenty_with_a_constant_number_of_queries(
    api: APIClient, publish: Publish, django_assert_num_queries: Any
) -> None:
    for n in range(25):
        publish(f"1.{n:06d}.000.00.00.H15", f"Thủ tục số {n:02d}")

    with django_assert_num_queries(2):  # count + page, whatever the page size
        first = api.get("/api/v1/procedures").json()
    with django_assert_num_queries(2):
        second = api.get("/api/v1/procedures", {"page": 2}).json()

    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["next"].endswith("page=2")
    assert [r["name"] for r in second["results"]] == [f"Thủ tục số {n}" for n in range(20, 25)]


def test_search_filters_by_agency_level_and_online(
    api: APIClient, publish: Publish, xay_dung: Agency
) -> None:
    publish("1.009974.000.00.00.H15", "Gia hạn giấy phép xây dựng", agency=xay_dung)
    publish("1.001193.000.00.00.H15", "Đăng ký khai sinh", online_level="partial")
    assert api.get("/api/v1/procedures", {"agency": xay_dung.code}).json()["count"] == 1
    assert api.get("/api/v1/procedures", {"online": "partial"}).json()["count"] == 1
    assert api.get("/api/v1/procedures", {"level": "commune"}).json()["count"] == 0


def test_unknown_filter_values_are_a_400_with_a_message_per_field(api: APIClient) -> None:
    response = api.get("/api/v1/procedures", {"level": "district", "online": "4"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"level", "online"}


def test_unknown_filter_message_follows_accept_language(api: APIClient) -> None:
    response = api.get("/api/v1/procedures", {"level": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["fields"]["level"] == ["Unknown level of government."]


def test_detail_gives_version_components_fees_eform_channels_and_agency(
    api: APIClient, publish: Publish
) -> None:
    publish(
        "2.001418.000.00.00.H15",
        "Cấp Phiếu lý lịch tư pháp",
        processing_time_value=10,
        processing_time_note="Tối đa 15 ngày nếu cần xác minh",
        fee_note="Miễn cho người có công",
        legal_basis="Luật Lý lịch tư pháp số 28/2009/QH12",
        result_name="Phiếu lý lịch tư pháp",
        components=[
            ComponentSpec(name="Tờ khai", originals=1),
            ComponentSpec(name="Bản chụp CCCD", copies=1, reusable=True),
        ],
        fees=[FeeSpec(kind="fee", amount=200000, code="P1", name="Phí", note="Trẻ em")],
    )

    response = api.get("/api/v1/procedures/2.001418.000.00.00.H15", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.json()
    assert body["version"]["number"] == 1
    assert body["version"]["processing_time"] == {"value": 10, "unit": "days"}
    assert body["version"]["processing_time_note"] == "Tối đa 15 ngày nếu cần xác minh"
    assert body["version"]["fees"] == [
        {
            "code": "P1",
            "kind": "fee",
            "name": "Phí",
            "basis": "dossier",
            "amount": 200000,
            "tiers": [],
            "cap": None,
            "due": "before",
            "quantity_source": "eform",
            "copies_field": "",
            "pages_field": "",
            "legal_basis": "",
            "note": "Trẻ em",
            "summary": "200.000 VND/dossier",
            "description": "Phí",
            "exemptions": "Trẻ em",
        }
    ]
    assert body["version"]["fee_exemptions"] == []
    assert body["version"]["legal_basis"].startswith("Luật Lý lịch tư pháp")
    assert [(c["order"], c["name"], c["originals"], c["copies"]) for c in body["components"]] == [
        (1, "Tờ khai", 1, 0),
        (2, "Bản chụp CCCD", 0, 1),
    ]
    assert body["components"][1]["reusable"] is True
    assert body["components"][0]["template_url"] is None
    assert [f["name"] for f in body["eform"]] == ["child_name", "birth_date", "note"]
    assert body["channels"] == {
        "counter": True,
        "online": True,
        "post": False,
        "returns_by_post": True,
    }
    assert body["boundary_free"] is True
    assert body["competent_agency"]["name"] == "Sở Tư pháp"


def test_unknown_procedure_is_a_404_json_error(api: APIClient) -> None:
    response = api.get("/api/v1/procedures/9.999999.000.00.00.H15", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Procedure not found."}}


def test_schema_documents_the_catalogue_endpoints(api: APIClient) -> None:
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    assert "/api/v1/procedures" in schema["paths"]
    assert "/api/v1/procedures/{code}" in schema["paths"]
    quote = schema["paths"]["/api/v1/procedures/{code}/fees/quote"]["post"]
    assert quote["operationId"] == "procedure_fees_quote"
    body = schema["components"]["schemas"]["QuoteRequest"]["properties"]
    assert set(body) == {"channel", "quantities", "claims"}
    rule = schema["components"]["schemas"]["Fee"]["properties"]
    assert {"code", "basis", "tiers", "cap", "due", "quantity_source", "summary"} <= set(rule)
    assert "FeeExemption" in schema["components"]["schemas"]


# --- Fee quotes ---------------------------------------------------------------------------------

COUNTS_EFORM = [
    {"name": "pages", "label": "Số trang", "type": "number", "required": True},
    {"name": "copies", "label": "Số bản", "type": "number", "required": True},
]
COPY_FEE = FeeSpec(
    kind="fee", amount=2000, code="P-CT", name="Phí chứng thực", basis="page",
    tiers=(Tier(3, 1000),), cap=200_000, pages_field="pages", copies_field="copies",
)  # fmt: skip
CHARGE = FeeSpec(kind="charge", amount=8000, code="LP", name="Lệ phí")
EXEMPTIONS = [
    FeeExemptionSpec(code="HO-NGHEO", name="Hộ nghèo", fee_codes=("LP",), proof="Giấy chứng nhận"),
    FeeExemptionSpec(
        code="TRUC-TUYEN", name="Nộp trực tuyến", fee_codes=("LP",), trigger="channel", channel=2
    ),
]
QUOTE = "/api/v1/procedures/2.000815.000.00.00.H17/fees/quote"


@pytest.fixture
def certified(publish: Publish) -> None:
    publish(
        "2.000815.000.00.00.H17",
        "Chứng thực bản sao",
        eform=COUNTS_EFORM,
        fees=[COPY_FEE, CHARGE],
        fee_exemptions=EXEMPTIONS,
    )


def test_the_detail_shows_the_rules_and_exemptions(api: APIClient, certified: None) -> None:
    version = api.get(
        "/api/v1/procedures/2.000815.000.00.00.H17", HTTP_ACCEPT_LANGUAGE="en"
    ).json()["version"]
    rule = version["fees"][0]
    assert (rule["basis"], rule["tiers"], rule["cap"]) == (
        "page", [{"from": 3, "amount": 1000}], 200_000
    )  # fmt: skip
    assert (
        rule["summary"] == "2.000 VND/page; from page 3: 1.000 VND/page; at most 200.000 VND/copy"
    )
    online = version["fee_exemptions"][1]
    assert (online["trigger"], online["channel"], online["fee_codes"]) == ("channel", 2, ["LP"])
    assert online["summary"] == "Exempt: Nộp trực tuyến"


def test_a_quote_counts_pages_and_copies_and_applies_the_channel_and_the_claims(
    api: APIClient, certified: None
) -> None:
    response = api.post(
        QUOTE,
        {"channel": 1, "quantities": {"pages": 5, "copies": 2}, "claims": [{"code": "HO-NGHEO"}]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    body = response.json()
    copy, charge = body["lines"]
    assert (copy["amount"], copy["due"], copy["pages"], copy["copies"]) == (14_000, "before", 5, 2)
    assert copy["rule_text"] == (
        "2.000 VND/page × 2 pages + 1.000 VND/page × 3 pages (at most 200.000 VND/copy) × 2 copies"
    )
    assert (charge["amount"], charge["base_amount"], charge["exemption_code"]) == (
        0,
        8000,
        "HO-NGHEO",
    )
    assert charge["due"] == "exempt" and charge["due_label"] == "exempt (miễn)"
    assert (body["due_now"], body["due_later"], body["total"], body["pending"]) == (
        14_000, 0, 14_000, False
    )  # fmt: skip


def test_a_quote_without_counts_leaves_lines_pending_and_online_waives_the_charge(
    api: APIClient, certified: None
) -> None:
    body = api.post(QUOTE, {}, format="json").json()
    copy, charge = body["lines"]
    assert (copy["amount"], copy["waiting_for"]) == (None, ["pages", "copies"])
    assert (charge["amount"], charge["exemption_code"]) == (0, "TRUC-TUYEN")
    assert (body["total"], body["pending"]) == (0, True)


def test_a_bad_quote_is_a_400_with_a_message_per_field(api: APIClient, certified: None) -> None:
    response = api.post(
        QUOTE,
        {"channel": 7, "quantities": {"pages": -1}, "claims": [{"code": "NOPE"}]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"channel", "quantities.pages"}

    response = api.post(
        QUOTE, {"claims": [{"code": "NOPE"}, {"code": "TRUC-TUYEN"}]}, format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "The fees cannot be computed: please correct the fields shown.",
        "fields": {
            "claims": [
                "This procedure has no such exemption or reduction.",
                "This reduction applies by itself to the channel; do not claim it.",
            ]
        },
    }


def test_a_quote_for_an_unknown_procedure_is_a_404(api: APIClient) -> None:
    response = api.post("/api/v1/procedures/9.9.H17/fees/quote", {}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- Processing-time cases ---------------------------------------------------------------------

CASES = [
    ProcessingCaseSpec(
        code="XAC-MINH",
        name="Trường hợp cần xác minh",
        processing_time_value=Decimal(15),
        note="Đã cư trú ở nhiều nơi",
        legal_basis="Luật Lý lịch tư pháp 2009, Điều 48",
    ),
    ProcessingCaseSpec(
        code="KHAN", name="Khẩn cấp", processing_time_value=Decimal(4), processing_time_unit="hours"
    ),
]


def test_the_detail_gives_the_processing_cases_and_the_time_in_words(
    api: APIClient, publish: Publish
) -> None:
    publish(
        "2.001418.000.00.00.H15",
        "Cấp Phiếu lý lịch tư pháp",
        processing_time_value=10,
        processing_cases=CASES,
    )

    version = api.get(
        "/api/v1/procedures/2.001418.000.00.00.H15", HTTP_ACCEPT_LANGUAGE="en"
    ).json()["version"]

    assert version["processing_time"] == {"value": 10, "unit": "days"}
    assert version["processing_cases"] == [
        {
            "code": "XAC-MINH",
            "name": "Trường hợp cần xác minh",
            "processing_time": {"value": 15, "unit": "days"},
            "note": "Đã cư trú ở nhiều nơi",
            "legal_basis": "Luật Lý lịch tư pháp 2009, Điều 48",
            "summary": "15 working days",
        },
        {
            "code": "KHAN",
            "name": "Khẩn cấp",
            "processing_time": {"value": 4, "unit": "hours"},
            "note": "",
            "legal_basis": "",
            "summary": "4 working hours",
        },
    ]
    assert version["processing_time_summary"] == (
        "10 working days; trường hợp cần xác minh: 15 working days; khẩn cấp: 4 working hours"
    )


def test_a_procedure_without_cases_has_none_and_the_cases_cost_no_query_per_case(
    api: APIClient, publish: Publish
) -> None:
    publish("1.000001.000.00.00.H15", "Không có trường hợp", processing_time_value=3)
    publish("2.001418.000.00.00.H15", "Có trường hợp", processing_cases=CASES)

    with CaptureQueriesContext(connection) as without:
        plain = api.get("/api/v1/procedures/1.000001.000.00.00.H15", HTTP_ACCEPT_LANGUAGE="vi")
    with CaptureQueriesContext(connection) as with_cases:
        api.get("/api/v1/procedures/2.001418.000.00.00.H15")

    assert plain.json()["version"]["processing_cases"] == []
    assert plain.json()["version"]["processing_time_summary"] == "3 ngày làm việc"
    assert len(with_cases) == len(without)


def test_the_schema_documents_the_processing_cases(api: APIClient) -> None:
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    version = schema["components"]["schemas"]["Version"]["properties"]
    assert {"processing_cases", "processing_time_summary"} <= set(version)
    case = schema["components"]["schemas"]["ProcessingCase"]["properties"]
    assert set(case) == {"code", "name", "processing_time", "note", "legal_basis", "summary"}
