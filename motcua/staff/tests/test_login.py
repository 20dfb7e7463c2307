"""Staff login with a password and, once enrolled, a TOTP code."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.staff.decorators import staff_required
from motcua.staff.forms import OTP_INVALID, OTP_REQUIRED
from motcua.testing import UserFactory, cast_create

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-thu-2026"


def code(device: TOTPDevice) -> str:
    """Return the device's current code, computed by the real TOTP algorithm."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def staff() -> User:
    user = cast_create().specialist
    user.set_password(PASSWORD)
    user.save()
    return user


def with_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="default", confirmed=True)


def test_login_page_renders_with_labels(client: Client) -> None:
    response = client.get(reverse("staff:login"))
    assert response.status_code == 200
    assert b'for="id_username"' in response.content
    assert b'for="id_otp_token"' in response.content


def test_login_without_device_needs_only_the_password(client: Client) -> None:
    user = staff()
    response = client.post(
        reverse("staff:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated


def test_wrong_password_is_refused(client: Client) -> None:
    user = staff()
    response = client.post(reverse("staff:login"), {"username": user.username, "password": "sai"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_login_with_device_asks_for_the_code(client: Client) -> None:
    user = staff()
    with_device(user)
    response = client.post(
        reverse("staff:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert str(OTP_REQUIRED) in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_login_with_device_and_right_code_is_verified(client: Client) -> None:
    user = staff()
    device = with_device(user)
    response = client.post(
        reverse("staff:login"),
        {"username": user.username, "password": PASSWORD, "otp_token": code(device)},
    )
    assert response.status_code == 302
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_login_with_wrong_code_is_refused(client: Client) -> None:
    user = staff()
    device = with_device(user)
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    response = client.post(
        reverse("staff:login"),
        {"username": user.username, "password": PASSWORD, "otp_token": wrong},
    )
    assert response.status_code == 200
    assert str(OTP_INVALID) in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_enrolment_shows_a_qr_and_confirms_with_a_code(client: Client, settings: Any) -> None:
    # A wrong code throttles the device for a second; the next right code must pass.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = staff()
    client.force_login(user)

    page = client.get(reverse("staff:two-factor"))
    assert page.status_code == 200
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    bad = client.post(reverse("staff:two-factor"), {"otp_token": wrong})
    assert bad.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed

    good = client.post(reverse("staff:two-factor"), {"otp_token": code(device)})
    assert good.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_logout_signs_out(client: Client) -> None:
    client.force_login(staff())
    response = client.post(reverse("staff:logout"))
    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated


@staff_required
def back_office(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def test_staff_required_lets_staff_in_and_keeps_others_out(client: Client) -> None:
    rf = RequestFactory()
    user = staff()

    def call(who: object) -> HttpResponse:
        request = rf.get("/can-bo/hop-thu/")
        request.user = who  # type: ignore[assignment]
        request.session = client.session
        OTPMiddleware(lambda r: HttpResponse())(request)
        return back_office(request)

    assert call(AnonymousUser()).status_code == 302
    assert call(user).status_code == 200
    with pytest.raises(PermissionDenied):
        call(UserFactory(username="khach"))
    with_device(user)
    assert call(user).status_code == 302
