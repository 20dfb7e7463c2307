import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_are_in_vietnamese_even_for_an_english_browser(client: Client) -> None:
    response = client.get("/tra-cuu/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "vi"


def test_pages_follow_the_language_the_visitor_chose(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/tra-cuu/")
    assert response.headers["Content-Language"] == "en"


def test_the_api_follows_accept_language(client: Client) -> None:
    response = client.get("/api/v1/dossiers/unknown", HTTP_ACCEPT_LANGUAGE="en")
    assert response.headers["Content-Language"] == "en"
    assert response.json()["error"]["message"] == "No dossier has this code."


NUL_REFUSED = "The request contains a character that is not allowed (NUL)."


def test_a_nul_in_a_json_body_is_refused_before_the_view(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/token",
        data='{"username": "an\\u0000", "password": "x"}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid", "message": NUL_REFUSED}}


def test_a_nul_in_a_form_is_refused_with_the_error_page(client: Client) -> None:
    response = client.post(
        "/can-bo/dang-nhap/",
        data="username=an%00&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Yêu cầu có ký tự không được phép (NUL)." in response.content.decode()


def test_a_nul_in_the_query_is_refused_in_the_visitors_language(client: Client) -> None:
    response = client.get("/api/v1/procedures", {"q": "a\x00"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.json()["error"]["message"] == "Yêu cầu có ký tự không được phép (NUL)."


def test_text_without_nul_passes(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/token",
        data='{"username": "Nguyễn \\u00e9", "password": "x"}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] != NUL_REFUSED  # the view answered


def test_a_body_over_the_limit_is_still_the_apis_413(client: Client, settings: object) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100  # type: ignore[attr-defined]
    response = client.post(
        "/api/v1/auth/token",
        data='{"username": "' + "x" * 200 + '"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_json_nested_too_deeply_is_a_400_not_a_recursion_error(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/token",
        data="[" * 100_000,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "The JSON body is nested too deeply."
