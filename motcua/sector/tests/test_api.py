"""The figures API: read by anyone, set by statisticians with a staff token."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from motcua.sector import services
from motcua.sector.models import SectorFigure, SectorPeriod
from motcua.testing import StatisticsCast

pytestmark = pytest.mark.django_db
GET = "/api/v1/sector/figures"
PUT = "/api/v1/staff/sector/figures"


def _put(client: Client, user: Any, body: dict[str, Any]) -> Any:
    headers: dict[str, str] = {}
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        headers["Authorization"] = f"Token {token.key}"
    return client.put(PUT, body, content_type="application/json", headers=headers)


def _body(cast: StatisticsCast, **values: Any) -> dict[str, Any]:
    return {
        "year": 2019,
        "unit": cast.province.pk,
        "figures": [{"metric": k, "value": v} for k, v in values.items()],
    }


def test_a_statistician_puts_figures_and_anyone_reads_them(
    client: Client, cast: StatisticsCast
) -> None:
    response = _put(
        client,
        cast.statistician,
        _body(cast, population="1610710", telephone_subscribers="1.169.375"),
    )
    assert response.status_code == 200, response.content
    rows = {r["metric"]: r for r in response.json()["figures"]}
    assert rows["telephone_density"]["value"] == "72.6000"
    assert rows["telephone_density"]["origin"] == "computed"
    body = client.get(GET, {"year": 2019, "unit": cast.province.pk}).json()
    assert body["state"] == "open" and body["unit"]["code"] == "48"
    assert {r["metric"]: r for r in body["figures"]}["population"]["value"] == "1610710.0000"
    assert {r["metric"]: r for r in body["figures"]}["internet_density"]["missing"]


def test_bad_input_is_a_400_naming_the_field(client: Client, cast: StatisticsCast) -> None:
    assert client.get(GET, {"year": 1800, "unit": cast.province.pk}).status_code == 400
    assert client.get(GET, {"year": 2019}).status_code == 400
    refused = _put(client, cast.statistician, _body(cast, bts_stations="nhiều", nope="1"))
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {"bts_stations", "nope"}
    assert _put(client, cast.statistician, {"year": 2019}).status_code == 400
    assert not SectorFigure.objects.exists()


def test_an_unknown_unit_is_a_404(client: Client, cast: StatisticsCast) -> None:
    assert client.get(GET, {"year": 2019, "unit": 999999}).status_code == 404
    body = {"year": 2019, "unit": 999999, "figures": [{"metric": "bts_stations", "value": "1"}]}
    assert _put(client, cast.statistician, body).status_code == 404


def test_only_statisticians_put_and_a_closed_period_is_a_409(
    client: Client, cast: StatisticsCast
) -> None:
    assert _put(client, None, _body(cast, bts_stations="1")).status_code == 401
    assert _put(client, cast.outsider, _body(cast, bts_stations="1")).status_code == 403
    assert _put(client, cast.reader, _body(cast, bts_stations="1")).status_code == 403
    assert _put(client, cast.leader, _body(cast, bts_stations="1")).status_code == 200
    period = SectorPeriod.objects.get()
    services.sector_period_close(period_id=period.pk, actor=cast.statistician)
    closed = _put(client, cast.statistician, _body(cast, bts_stations="2"))
    assert closed.status_code == 409 and "Năm 2019" in closed.json()["error"]["message"]
