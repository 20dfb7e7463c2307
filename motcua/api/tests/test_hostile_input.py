"""No server error from input: NUL bytes, numbers out of range and malformed codes.

Each endpoint and page that reads a path segment, a query parameter or a
body field gets the hostile values; the answer is 2xx, 3xx or 4xx, never 500,
and under /api/ every error is the JSON error body. Run on PostgreSQL too:
that is where NUL (``DataError``) and overflow would break.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from motcua.dossiers.models import Dossier
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
HOSTILE = [
    "\x00",
    NUL,
    "9" * 30,  # past a PostgreSQL bigint
    "2147483648",  # past a PostgreSQL integer
    "-9223372036854775809",
    "-1",
    "1e999",
    "NaN",
    "²",  # a digit to str.isdigit, not to int()
    "١٢",  # Arabic-Indic digits
    "x" * 3000,
    "%00",
    "../../etc/passwd",
    "' OR 1=1 --",
    "",
]
# Values a path segment can carry (an empty one would be another address).
HOSTILE_PATH = [v for v in HOSTILE if v and "/" not in v]


@dataclass
class World:
    cast: Cast
    procedure_code: str
    dossier: Dossier
    token: str


@pytest.fixture
def world() -> World:
    cast = cast_create()
    procedure = ProcedureFactory(agency=cast.agency)
    now = timezone.now()
    dossier = DossierFactory(
        procedure=procedure,
        receiving_unit=cast.unit,
        submitted_at=now,
        intake_due_at=now + dt.timedelta(days=1),
    )
    token, _created = Token.objects.get_or_create(user=cast.receiving_officer)
    return World(cast, procedure.code, dossier, token.key)


def _api(world: World) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {world.token}", HTTP_ACCEPT_LANGUAGE="en")


def _check(response: Any, *, api: bool) -> None:
    assert response.status_code < 500, response.content[:300]
    if api and response.status_code >= 400:
        assert response["Content-Type"] == "application/json", response.content[:300]
        assert set(response.json()["error"]) >= {"code", "message"}


# --- Query parameters ---

API_QUERIES = [
    ("/api/v1/procedures", ["q", "agency", "field", "level", "online", "page"]),
    ("/api/v1/calendar/due-date", ["start", "working_days", "working_hours"]),
    (
        "/api/v1/staff/dossiers",
        ["box", "procedure", "status", "due", "channel", "q", "limit", "offset"],
    ),
    ("/api/v1/staff/dossiers/{code}/forms/02.pdf", ["n"]),
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(("url", "names"), API_QUERIES)
def test_api_query_parameters(world: World, url: str, names: list[str], value: str) -> None:
    url = url.format(code=world.dossier.code)
    for name in names:
        _check(_api(world).get(url, {name: value}), api=True)


PAGE_QUERIES = [
    ("/thu-tuc/", ["q", "agency", "field", "level", "online", "page"]),
    ("/thu-tuc/{procedure}/phi/", ["channel", "quantity"]),
    ("/tra-cuu/", ["code"]),
    ("/ho-so/{code}/da-nop/", ["token"]),
    ("/ho-so/{code}/bien-nhan.pdf", ["token", "size"]),
    ("/can-bo/", ["box", "procedure", "status", "due", "channel", "q", "page", "assignee"]),
    ("/can-bo/tiep-nhan/", ["q", "procedure"]),
    ("/can-bo/so-theo-doi/", ["unit", "year", "start", "end", "format"]),
    ("/can-bo/ho-so/{code}/mau-02.pdf", ["n"]),
    ("/can-bo/thong-bao/", ["page"]),
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(("url", "names"), PAGE_QUERIES)
def test_page_query_parameters(
    world: World, client: Client, url: str, names: list[str], value: str
) -> None:
    client.force_login(world.cast.receiving_officer)
    url = url.format(code=world.dossier.code, procedure=world.procedure_code)
    for name in names:
        _check(client.get(url, {name: value}), api=False)


# --- Path segments ---

API_PATHS = [
    "/api/v1/procedures/{v}",
    "/api/v1/procedures/{v}/fees/quote",
    "/api/v1/dossiers/{v}",
    "/api/v1/staff/dossiers/{v}",
    "/api/v1/staff/dossiers/{code}/files/{v}",
    "/api/v1/staff/dossiers/{code}/results/{v}",
    "/api/v1/staff/dossiers/{code}/forms/{v}.pdf",
    "/api/v1/staff/dossiers/{v}/accept",
]
PAGE_PATHS = [
    "/thu-tuc/{v}/",
    "/thu-tuc/{procedure}/mau/{v}/",
    "/thu-tuc/{v}/nop-ho-so/",
    "/thu-tuc/{v}/phi/",
    "/ho-so/{v}/da-nop/",
    "/ho-so/{v}/bien-nhan.pdf",
    "/tra-cuu/{v}/",
    "/can-bo/ho-so/{v}/",
    "/can-bo/ho-so/{code}/tep/{v}/",
    "/can-bo/ho-so/{code}/ket-qua/{v}/",
    "/can-bo/ho-so/{code}/mau-{v}.pdf",
    "/can-bo/ho-so/{v}/thao-tac/accept/",
]


@pytest.mark.parametrize("value", HOSTILE_PATH)
def test_path_segments(world: World, client: Client, value: str) -> None:
    client.force_login(world.cast.receiving_officer)
    segment = quote(value, safe="")
    names = {"code": world.dossier.code, "procedure": world.procedure_code, "v": segment}
    for url in API_PATHS:
        response = _api(world).get(url.format(**names))
        _check(response, api=True)
        if "\x00" in value:
            assert response.status_code == 400
    for url in PAGE_PATHS:
        response = client.get(url.format(**names))
        _check(response, api=False)
        if "\x00" in value:
            assert response.status_code == 400


# --- Bodies ---


@pytest.mark.parametrize("value", HOSTILE)
def test_api_json_bodies(world: World, value: str) -> None:
    code = world.dossier.code
    bodies: list[tuple[str, dict[str, Any]]] = [
        ("/api/v1/auth/token", {"username": value, "password": value, "otp": value}),
        (
            f"/api/v1/procedures/{world.procedure_code}/fees/quote",
            {"channel": value, "quantities": {value: 1}, "claims": [{"code": value}]},
        ),
        (f"/api/v1/staff/dossiers/{code}/accept", {"note": value, "revision": value}),
        (f"/api/v1/staff/dossiers/{code}/refuse", {"reason": value}),
        (f"/api/v1/staff/dossiers/{code}/assign", {"assignee": value}),
        ("/api/v1/staff/dossiers/assign", {"codes": [value], "assignee": value}),
    ]
    for url, body in bodies:
        _check(_api(world).post(url, body, content_type="application/json"), api=True)


@pytest.mark.parametrize("value", HOSTILE)
def test_api_multipart_bodies(world: World, value: str) -> None:
    fields = {
        "procedure": value,
        "unit": value,
        "applicant_name": value,
        "applicant_id_number": value,
        "applicant_phone": value,
        "applicant_address": value,
        "delivery": value,
        "received": value,
        "decision": value,
        "fee_claim": value,
        f"fee_proof-{value}": value,
        f"eform-{value}": value,
    }
    _check(_api(world).post("/api/v1/dossiers", fields), api=True)
    _check(
        _api(world).post("/api/v1/dossiers", {**fields, "procedure": world.procedure_code}),
        api=True,
    )
    _check(_api(world).post("/api/v1/staff/counter-intake", fields), api=True)
    counter = {**fields, "unit": world.cast.unit.code, "procedure": world.procedure_code}
    _check(_api(world).post("/api/v1/staff/counter-intake", counter), api=True)
    url = f"/api/v1/staff/dossiers/{world.dossier.code}/record-result"
    _check(_api(world).post(url, {"name": value, "revision": value}), api=True)


@pytest.mark.parametrize("value", HOSTILE)
def test_page_forms(world: World, client: Client, value: str) -> None:
    _check(
        client.post(f"/thu-tuc/{world.procedure_code}/nop-ho-so/", {"applicant_name": value}),
        api=False,
    )
    client.force_login(world.cast.receiving_officer)
    code = world.dossier.code
    _check(
        client.post(
            "/can-bo/phan-cong/", {"codes": [value, code], "assignee": value, "next": value}
        ),
        api=False,
    )
    _check(client.post("/can-bo/thong-bao/da-doc/", {"ids": [value], "next": value}), api=False)
    _check(
        client.post(f"/can-bo/ho-so/{code}/thao-tac/accept/", {"note": value, "revision": value}),
        api=False,
    )
    _check(client.post("/can-bo/tiep-nhan/", {"procedure": value, "unit": value}), api=False)


@pytest.mark.parametrize(
    "header", ["HTTP_AUTHORIZATION", "HTTP_IF_MATCH", "HTTP_IDEMPOTENCY_KEY", "HTTP_COOKIE"]
)
def test_a_nul_in_a_header_or_cookie_is_a_400(world: World, header: str) -> None:
    value = {
        "HTTP_AUTHORIZATION": "Token \x00\x00\x00",
        "HTTP_COOKIE": "sessionid=\x00\x00\x00\x00\x00\x00\x00\x00",
    }.get(header, NUL)
    headers: dict[str, Any] = {header: value}
    api = Client(HTTP_ACCEPT_LANGUAGE="en", **headers)
    response = api.get("/api/v1/staff/dossiers")
    _check(response, api=True)
    assert response.status_code == 400
    assert (
        response.json()["error"]["message"]
        == "The request contains a character that is not allowed (NUL)."
    )
    page = Client(**headers).get("/can-bo/")
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")


def test_a_lone_surrogate_in_json_is_a_400(world: World) -> None:
    response = _api(world).post(
        "/api/v1/auth/token",
        data='{"username": "\\ud800", "password": "x"}',
        content_type="application/json",
    )
    _check(response, api=True)
    assert response.status_code == 400


@pytest.mark.parametrize("value", HOSTILE)
def test_if_match_and_idempotency_key_headers(world: World, value: str) -> None:
    url = f"/api/v1/staff/dossiers/{world.dossier.code}/accept"
    _check(
        _api(world).post(url, {}, content_type="application/json", HTTP_IF_MATCH=value), api=True
    )
    body = {"procedure": world.procedure_code}
    _check(_api(world).post("/api/v1/dossiers", body, HTTP_IDEMPOTENCY_KEY=value), api=True)


def test_an_idempotency_key_with_other_values_is_not_a_server_error(world: World) -> None:
    for key in ["\x7f", "é" * 50, "x" * 101, " "]:
        response = _api(world).post(
            "/api/v1/dossiers", {"procedure": world.procedure_code}, HTTP_IDEMPOTENCY_KEY=key
        )
        _check(response, api=True)


@pytest.mark.parametrize("value", HOSTILE)
def test_the_calendar_year_of_the_admin(client: Client, value: str) -> None:
    admin = get_user_model().objects.create_superuser("quantri", "quantri@example.vn", "x")
    client.force_login(admin)
    _check(client.get(reverse("admin:calendar_specialday_year"), {"year": value}), api=False)
    for year in ("9" * 30, "0", "99999"):
        _check(client.get(f"/admin/calendar/specialday/year/{year}/"), api=False)


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/v1/procedures", "level=province&level=commune"),
        ("/api/v1/calendar/due-date", "start=2026-01-05T09:00&working_days=1&working_days=2"),
        ("/api/v1/staff/dossiers", "offset=10&offset=0"),
        ("/api/v1/staff/dossiers/{code}/forms/02.pdf", "n=1&n=2"),
    ],
)
def test_a_repeated_query_parameter_is_a_400_naming_it(world: World, url: str, query: str) -> None:
    response = _api(world).get(f"{url.format(code=world.dossier.code)}?{query}")
    assert response.status_code == 400
    name = query.split("=", 1)[0] if "start" not in query else "working_days"
    assert response.json()["error"]["fields"] == {name: ["Give this parameter once."]}


def test_a_body_without_a_content_type_is_a_415(world: World) -> None:
    response = _api(world).generic(
        "POST", "/api/v1/staff/dossiers/assign", b"codes", content_type=""
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    "received",
    [
        "[" * 100_000,
        '[{"component": 99999999999999999999999, "originals": 1}]',
        '[{"component": -1, "originals": 99999999999999999999999}]',
        '[{"component": "²"}]',
        '[{"component": 1.5e300}]',
        '[{"component": Infinity}]',
        '[{"component": 1, "copies": -Infinity}]',
        '{"component": 1}',
        "null",
    ],
)
def test_the_counters_received_list(world: World, received: str) -> None:
    body = {
        "unit": world.cast.unit.code,
        "procedure": world.procedure_code,
        "decision": "accept",
        "received": received,
    }
    response = _api(world).post("/api/v1/staff/counter-intake", body)
    _check(response, api=True)
    assert response.status_code == 400
