"""Every API error is the one JSON shape; pages keep the site's error pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import clear_url_caches, path
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from config import urls as root_urls

pytestmark = pytest.mark.django_db


def _boom_page(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


@api_view(["GET"])
def _boom_api(request: Request) -> Response:
    raise RuntimeError("a bug")


@pytest.fixture
def broken_views(settings: object) -> Iterator[None]:
    """Mount two views that raise, one under /api/ and one page."""
    settings.ROOT_URLCONF = __name__  # type: ignore[attr-defined]
    clear_url_caches()
    yield
    clear_url_caches()


urlpatterns = [
    path("api/v1/boom", _boom_api),
    path("boom/", _boom_page),
    *root_urls.urlpatterns,
]
handler400 = root_urls.handler400
handler403 = root_urls.handler403
handler404 = root_urls.handler404
handler500 = root_urls.handler500


def _assert_error_shape(response: Any, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    error: dict[str, str] = body["error"]
    return error


def test_an_unexpected_exception_in_the_api_is_a_json_500(broken_views: None) -> None:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    error = _assert_error_shape(client.get("/api/v1/boom"), 500, "server_error")
    assert "a bug" not in error["message"]  # nothing of the exception leaks
    vietnamese = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="vi")
    assert vietnamese.get("/api/v1/boom").json()["error"]["message"] != error["message"]


def test_an_unexpected_exception_on_a_page_is_the_error_page(broken_views: None) -> None:
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "<h1>" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/nothing-here",
        "/api/v1/staff/dossiers/X/files/not-a-number",
        "/api/v1/staff/dossiers/X/files/-1",
        "/api/v1/procedures/a/b/c",
    ],
)
def test_an_unknown_api_address_is_a_json_404(client: Client, url: str) -> None:
    error = _assert_error_shape(client.get(url, HTTP_ACCEPT_LANGUAGE="en"), 404, "not_found")
    assert error["message"] == "Not found."


def test_an_unknown_page_is_the_html_404(client: Client) -> None:
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_wrong_method_is_a_json_405(client: Client) -> None:
    response = client.delete("/api/v1/procedures", HTTP_ACCEPT_LANGUAGE="en")
    _assert_error_shape(response, 405, "method_not_allowed")


def test_an_unsupported_media_type_is_a_json_415(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/token",
        data="<xml/>",
        content_type="application/xml",
    )
    _assert_error_shape(response, 415, "unsupported_media_type")


def test_malformed_json_is_a_json_400(client: Client) -> None:
    response = client.post("/api/v1/auth/token", data="{", content_type="application/json")
    _assert_error_shape(response, 400, "parse_error")


def test_the_api_speaks_vietnamese_unless_asked_for_english(client: Client) -> None:
    assert client.get("/api/v1/nothing").json()["error"]["message"] == "Không tìm thấy."
    english = client.get("/api/v1/nothing", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["message"] == "Not found."
