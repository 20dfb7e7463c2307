"""POST /api/v1/auth/token: a staff API token for a password and, if enrolled, a code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from motcua.testing import UserFactory, cast_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token"
PASSWORD = "mat-khau-thu-2026"


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def with_password(user: User) -> User:
    user.set_password(PASSWORD)
    user.save()
    return user


def post(client: Client, **body: str) -> tuple[int, dict[str, object]]:
    response = client.post(URL, body, content_type="application/json")
    return response.status_code, response.json()


def test_good_password_returns_the_same_token_each_time(client: Client) -> None:
    user = with_password(cast_create().specialist)
    status, body = post(client, username=user.username, password=PASSWORD)
    assert status == 200
    token = Token.objects.get(user=user)
    assert body["token"] == token.key
    expires = dt.datetime.fromisoformat(str(body["expires"]))
    assert expires == token.created + dt.timedelta(hours=12)
    assert post(client, username=user.username, password=PASSWORD)[1] == body


def test_bad_password_is_400(client: Client) -> None:
    user = with_password(cast_create().specialist)
    status, _body = post(client, username=user.username, password="sai")
    assert status == 400
    assert not Token.objects.exists()


def test_account_without_staff_role_gets_no_token(client: Client) -> None:
    user = with_password(UserFactory(username="khach"))
    assert post(client, username=user.username, password=PASSWORD)[0] == 400


def test_confirmed_device_needs_the_code(client: Client) -> None:
    user = with_password(cast_create().leader)
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)

    status, body = post(client, username=user.username, password=PASSWORD)
    assert status == 400
    assert "otp" in str(body)

    status, body = post(client, username=user.username, password=PASSWORD, otp=code(device))
    assert status == 200
    assert body["token"]


def test_wrong_code_is_400(client: Client) -> None:
    user = with_password(cast_create().leader)
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    assert post(client, username=user.username, password=PASSWORD, otp=wrong)[0] == 400


def test_token_endpoint_is_in_the_schema(client: Client) -> None:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/auth/token" in schema
