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
