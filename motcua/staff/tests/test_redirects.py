"""A ``next`` from the request never leads to another host, wherever it is read."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from motcua.testing import cast_create

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-thu-2026"
HOSTILE = [
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "http://testserver.evil.example/",
    "javascript:alert(1)",
    " //evil.example",
]
GOOD = "/can-bo/thong-bao/?trang=2"


@pytest.fixture
def officer() -> User:
    user: User = cast_create().specialist
    user.set_password(PASSWORD)
    user.save()
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sign_in_target(next_url: str, user: User) -> str:
    response = Client().post(
        reverse("staff:login"),
        {"username": user.username, "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    return str(response["Location"])


@pytest.mark.parametrize("hostile", HOSTILE)
def test_sign_in_ignores_a_next_of_another_host(officer: User, hostile: str) -> None:
    assert sign_in_target(hostile, officer) == reverse("backoffice:inbox")


def test_sign_in_follows_a_next_of_this_site(officer: User) -> None:
    assert sign_in_target(GOOD, officer) == GOOD


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_sign_in_page_does_not_carry_a_hostile_next(hostile: str) -> None:
    page = Client().get(f"{reverse('staff:login')}?{urlencode({'next': hostile})}")
    inbox = reverse("backoffice:inbox")
    assert f'<input type="hidden" name="next" value="{inbox}">' in page.content.decode()


def test_an_https_page_does_not_send_back_to_http(officer: User) -> None:
    response = Client().post(
        reverse("staff:login"),
        {"username": officer.username, "password": PASSWORD, "next": "http://testserver/x"},
        secure=True,
    )
    assert response["Location"] == reverse("backoffice:inbox")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_admin_sign_in_ignores_a_next_of_another_host(hostile: str) -> None:
    response = Client().get(f"{reverse('admin:login')}?{urlencode({'next': hostile})}")
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert "javascript" not in response["Location"]


def test_the_admin_sign_in_keeps_a_next_of_this_site() -> None:
    target = reverse("admin:auth_user_changelist")
    response = Client().get(f"{reverse('admin:login')}?{urlencode({'next': target})}")
    assert response["Location"] == f"{reverse('staff:login')}?next={target}"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_marking_notices_read_ignores_a_next_of_another_host(officer: User, hostile: str) -> None:
    response = signed_in(officer).post(reverse("notifications:mark-read"), {"next": hostile})
    assert response["Location"] == reverse("notifications:list")


def test_marking_notices_read_follows_a_next_of_this_site(officer: User) -> None:
    response = signed_in(officer).post(reverse("notifications:mark-read"), {"next": GOOD})
    assert response["Location"] == GOOD


@pytest.mark.parametrize("hostile", HOSTILE)
def test_bulk_assignment_ignores_a_next_of_another_host(officer: User, hostile: str) -> None:
    response = signed_in(officer).post(reverse("backoffice:bulk-assign"), {"next": hostile})
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:inbox")


def test_bulk_assignment_follows_a_next_of_this_site(officer: User) -> None:
    response = signed_in(officer).post(reverse("backoffice:bulk-assign"), {"next": GOOD})
    assert response["Location"] == GOOD
