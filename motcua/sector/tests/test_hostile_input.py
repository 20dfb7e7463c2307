"""Hostile input on the statistics pages and API: a clear 4xx, never a server error."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from motcua.testing import StatisticsCast

pytestmark = pytest.mark.django_db

HOSTILE = [
    "9" * 30,
    "2147483648",
    "-9223372036854775809",
    "-1",
    "1e999",
    "NaN",
    "²",
    "²²²²",
    "١٢",
    "x" * 3000,
    "%00",
    "' OR 1=1 --",
    "2025\n",
    "",
]


def _check(response: Any) -> None:
    assert response.status_code < 500, response.content[:300]


@pytest.mark.parametrize("value", HOSTILE)
def test_pages_refuse_hostile_values(client: Client, cast: StatisticsCast, value: str) -> None:
    client.force_login(cast.statistician)
    for name in ("period", "unit", "year", "part"):
        _check(client.get("/can-bo/thong-ke/nganh/", {name: value}))
    _check(client.get("/can-bo/thong-ke/chi-tieu/", {"year": value}))
    fields = {
        "period": value,
        "unit": value,
        "value-bts_stations": value,
        "note-bts_stations": value,
    }
    _check(client.post("/can-bo/thong-ke/nganh/luu/", fields))
    _check(
        client.post(
            "/can-bo/thong-ke/nganh/luu/",
            {"period": "2025", "unit": str(cast.province.pk), "value-population": value},
        )
    )
    _check(
        client.post(
            "/can-bo/thong-ke/nganh/chi-so/",
            {"code": value, "kind": value, "name": value, "numerator": value},
        )
    )
    target = {"year": value, "indicator": value, "scope": value, "value": value, "note": value}
    _check(client.post("/can-bo/thong-ke/chi-tieu/dat/", target))
    scope = {"year": "2026", "indicator": "reuse_rate", "scope": f"p-{value}", "value": value}
    _check(client.post("/can-bo/thong-ke/chi-tieu/dat/", scope))
    _check(client.post("/can-bo/thong-ke/nganh/ky/1/mo-lai/", {"reason": value, "unit": value}))
    _check(client.post("/can-bo/thong-ke/chi-tieu/1/xoa/", {"year": value}))


@pytest.mark.parametrize("value", HOSTILE)
def test_the_api_refuses_hostile_values(client: Client, cast: StatisticsCast, value: str) -> None:
    for name in ("year", "unit", "quarter", "month"):
        query = {"year": "2025", "unit": str(cast.province.pk), name: value}
        _check(client.get("/api/v1/sector/figures", query))
    _check(client.get("/api/v1/targets", {"year": value}))
    token, _created = Token.objects.get_or_create(user=cast.statistician)
    body = {
        "year": 2025,
        "unit": cast.province.pk,
        "figures": [{"metric": value, "value": value, "note": value}],
    }
    response = client.put(
        "/api/v1/staff/sector/figures",
        body,
        content_type="application/json",
        headers={"Authorization": f"Token {token.key}"},
    )
    _check(response)
    assert response.status_code == 400 or value == ""
