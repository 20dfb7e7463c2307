from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from motcua.calendar.api import (
    DAYS_NEGATIVE,
    DAYS_NOT_HALF,
    DAYS_TOO_MANY,
    HOURS_NOT_POSITIVE,
    HOURS_TOO_MANY,
    LIMIT_BOTH,
    LIMIT_MISSING,
    START_INVALID,
    START_OUT_OF_RANGE,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("motcua.calendar.tests.urls"),
    pytest.mark.usefixtures("holidays_2026"),
]

URL = "/api/v1/calendar/due-date"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_due_date_in_working_days_skips_tet(api: APIClient) -> None:
    response = api.get(URL, {"start": "2026-02-13T10:00:00+07:00", "working_days": "1"})

    assert response.status_code == 200
    assert response.json() == {
        "start": "2026-02-13T10:00:00+07:00",
        "due_at": "2026-02-23T10:00:00+07:00",
        "skipped": [f"2026-02-{d}" for d in range(14, 23)],
    }


def test_due_date_in_working_hours(api: APIClient) -> None:
    body = api.get(URL, {"start": "2026-03-09T10:30:00+07:00", "working_hours": "2"}).json()

    assert body["due_at"] == "2026-03-09T14:30:00+07:00"
    assert body["skipped"] == []


def test_due_date_same_day_after_the_cut_off(api: APIClient) -> None:
    body = api.get(URL, {"start": "2026-03-06T15:30:00+07:00", "working_days": "0"}).json()

    assert body["due_at"] == "2026-03-09T17:00:00+07:00"
    assert body["skipped"] == ["2026-03-07", "2026-03-08"]


def test_half_working_days_are_accepted(api: APIClient) -> None:
    body = api.get(URL, {"start": "2026-03-09T07:30:00+07:00", "working_days": "0.50"}).json()

    assert body["due_at"] == "2026-03-09T11:15:00+07:00"


def test_a_naive_start_is_read_as_vietnam_time(api: APIClient) -> None:
    body = api.get(URL, {"start": "2026-03-06T10:00", "working_days": "1"}).json()

    assert body["start"] == "2026-03-06T10:00:00+07:00"
    assert body["due_at"] == "2026-03-09T10:00:00+07:00"


def test_a_start_in_utc_is_answered_in_vietnam_time(api: APIClient) -> None:
    body = api.get(URL, {"start": "2026-03-06T03:00:00Z", "working_days": "1"}).json()

    assert body["start"] == "2026-03-06T10:00:00+07:00"
    assert body["due_at"] == "2026-03-09T10:00:00+07:00"


def test_an_unescaped_plus_in_the_offset_still_reads(api: APIClient) -> None:
    response = api.get(f"{URL}?start=2026-03-06T10:00:00+07:00&working_days=1")

    assert response.status_code == 200
    assert response.json()["due_at"] == "2026-03-09T10:00:00+07:00"


def fields_of(api: APIClient, params: dict[str, str]) -> dict[str, Any]:
    response = api.get(URL, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    fields: dict[str, Any] = error["fields"]
    return fields


def test_missing_start_is_refused(api: APIClient) -> None:
    assert list(fields_of(api, {"working_days": "1"})) == ["start"]


@pytest.mark.parametrize("start", ["tomorrow", "2026-02-30T10:00", "13/02/2026 10:00", ""])
def test_an_unparseable_start_is_refused(api: APIClient, start: str) -> None:
    fields = fields_of(api, {"start": start, "working_days": "1"})

    assert list(fields) == ["start"]
    if start:
        assert fields["start"] == [str(START_INVALID)]


def test_a_start_in_an_absurd_year_is_refused(api: APIClient) -> None:
    fields = fields_of(api, {"start": "9999-12-31T10:00:00+07:00", "working_days": "1"})

    assert fields == {"start": [str(START_OUT_OF_RANGE)]}


def test_neither_limit_is_refused_on_both_fields(api: APIClient) -> None:
    fields = fields_of(api, {"start": "2026-03-06T10:00:00+07:00"})

    assert fields == {"working_days": [str(LIMIT_MISSING)], "working_hours": [str(LIMIT_MISSING)]}


def test_both_limits_are_refused(api: APIClient) -> None:
    fields = fields_of(
        api, {"start": "2026-03-06T10:00:00+07:00", "working_days": "1", "working_hours": "2"}
    )

    assert fields == {"working_days": [str(LIMIT_BOTH)], "working_hours": [str(LIMIT_BOTH)]}


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"working_days": "-1"}, "working_days", DAYS_NEGATIVE),
        ({"working_days": "1001"}, "working_days", DAYS_TOO_MANY),
        ({"working_days": "2.25"}, "working_days", DAYS_NOT_HALF),
        ({"working_hours": "0"}, "working_hours", HOURS_NOT_POSITIVE),
        ({"working_hours": "-3"}, "working_hours", HOURS_NOT_POSITIVE),
        ({"working_hours": "8001"}, "working_hours", HOURS_TOO_MANY),
    ],
)
def test_out_of_range_limits_are_refused_with_a_message(
    api: APIClient, params: dict[str, str], field: str, message: Any
) -> None:
    fields = fields_of(api, {"start": "2026-03-06T10:00:00+07:00", **params})

    assert fields == {field: [str(message)]}


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", "1e400"])
def test_a_limit_that_is_not_a_number_is_refused(api: APIClient, value: str) -> None:
    fields = fields_of(api, {"start": "2026-03-06T10:00:00+07:00", "working_days": value})

    assert list(fields) == ["working_days"]


def test_errors_come_in_english_when_asked(api: APIClient) -> None:
    response = api.get(URL, {"working_days": "1"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["error"]["fields"]["start"] == ["This field is required."]


def test_only_get_is_allowed(api: APIClient) -> None:
    assert api.post(URL, {}).status_code == 405


def test_schema_documents_the_due_date_endpoint(api: APIClient) -> None:
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/calendar/due-date"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "start",
        "working_days",
        "working_hours",
    }
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert response["$ref"].endswith("/DueDate")
    assert set(schema["components"]["schemas"]["DueDate"]["properties"]) == {
        "start",
        "due_at",
        "skipped",
    }
