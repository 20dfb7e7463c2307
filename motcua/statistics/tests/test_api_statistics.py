"""Open data: the figures of a subject and the agencies of the province, JSON and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from .test_dashboard import Province, province_with_facts

pytestmark = pytest.mark.django_db


@pytest.fixture
def prov() -> Province:
    return province_with_facts()


FIGURES = "/api/v1/statistics/figures"
AGENCIES = "/api/v1/statistics/agencies"
Q3: dict[str, Any] = {"ky": "quarter", "nam": "2026", "so": "3"}


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Iterator[None]:
    cache.clear()  # the throttle counts in the cache, shared with other tests of the process
    yield
    cache.clear()


def _values(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {f["name"]: f["value"] for f in body[key]}


def test_figures_of_the_province_by_default_with_both_labels(prov: Province) -> None:
    response = Client().get(FIGURES, Q3)
    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == {
        "kind": "province",
        "id": prov.province.pk,
        "name": prov.province.name,
    }
    assert body["period"]["label"] == "Quý III/2026"
    measures = _values(body, "measures")
    assert measures["received"] == 12 and measures["fin_late"] == 4
    received = next(f for f in body["measures"] if f["name"] == "received")
    assert (received["label_vi"], received["label_en"]) == (
        "Tiếp nhận trong kỳ",
        "Received in the period",
    )
    rates = _values(body, "rates")
    assert rates["on_time_rate"] == round(100 * 3 / 7, 1)
    assert body["carried_over"] == 1


def test_figures_of_an_agency_as_csv(prov: Province) -> None:
    response = Client().get(
        FIGURES, {"doi_tuong": "agency", "id": str(prov.justice.pk), "format": "csv", **Q3}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = {r[0]: r for r in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["received"][3] == "8"
    assert rows["on_time_rate"][3] == "50.0"


def test_agencies_one_row_each_json_and_csv(prov: Province) -> None:
    body = Client().get(AGENCIES, Q3).json()
    rows = {a["name"]: a for a in body["agencies"]}
    assert rows["Sở Tư pháp"]["measures"]["received"] == 8
    assert rows["Sở Xây dựng"]["measures"]["withdrawn"] == 1
    assert rows["Sở Tư pháp"]["rates"]["on_time_rate"] == 50.0
    assert rows["Sở Tư pháp"]["code"] == prov.justice.code
    assert any(m["name"] == "received" for m in body["measures"])
    csv_body = Client().get(AGENCIES, {**Q3, "format": "csv"}).content.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(csv_body)))
    assert {r["name"]: r["received"] for r in table}["Sở Tư pháp"] == "8"


def test_no_personal_data_in_the_open_data(prov: Province) -> None:
    text = Client().get(FIGURES, Q3).content.decode() + Client().get(AGENCIES, Q3).content.decode()
    assert "H15-0000" not in text  # no dossier code
    assert "Nguyễn" not in text


@pytest.mark.parametrize(
    "params",
    [
        {"ky": "week"},
        {"nam": "abc"},
        {"doi_tuong": "planet", "id": "1"},
        {"id": "9" * 30},
        {"so": "-1", "ky": "month"},
    ],
)
def test_bad_parameters_are_400_with_the_error_body(prov: Province, params: dict[str, str]) -> None:
    response = Client().get(FIGURES, params)
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_unknown_subject_is_404(prov: Province) -> None:
    assert Client().get(FIGURES, {"doi_tuong": "agency", "id": "999999"}).status_code == 404


def test_open_data_is_throttled_per_address(prov: Province, monkeypatch: Any) -> None:
    from motcua.statistics.api import OpenDataThrottle

    monkeypatch.setattr(OpenDataThrottle, "THROTTLE_RATES", {"open_data": "2/minute"})
    client = Client()
    assert [client.get(FIGURES, Q3).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(FIGURES, Q3).json()["error"]["message"]


def test_figures_cost_a_constant_number_of_queries(
    prov: Province, django_assert_num_queries: Any
) -> None:
    Client().get(FIGURES, Q3)
    # The home province, it again as the subject, its merged ones, the figures (2).
    with django_assert_num_queries(5):
        Client().get(FIGURES, {"ky": "year", "nam": "2026"})
    with django_assert_num_queries(5):
        Client().get(FIGURES, {"ky": "dates", "tu": "2020-01-01", "den": "2026-12-31"})
    # The province (3), its agencies, the figures with the breakdown (3), the agencies' codes.
    with django_assert_num_queries(8):
        Client().get(AGENCIES, Q3)


def test_the_schema_documents_both_endpoints() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in (FIGURES, AGENCIES):
        get = schema["paths"][path]["get"]
        assert set(get["responses"]["200"]["content"]) == {"application/json", "text/csv"}
        assert "429" in get["responses"]
