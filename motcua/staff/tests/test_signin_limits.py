"""Failed sign-ins are throttled and audited (django-axes), on the staff page and in the API."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.audit.models import AuditEntry
from motcua.staff.models import Role, StaffRole
from motcua.staff.signin import LOCKED_OUT
from motcua.testing import UserFactory, cast_create

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-thu-2026"
TOKEN_URL = "/api/v1/auth/token"


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own delay would hide the count


@pytest.fixture
def officer() -> User:
    user: User = cast_create().specialist
    user.set_password(PASSWORD)
    user.save()
    return user


def page_sign_in(client: Client, username: str, password: str, **extra: str) -> Any:
    return client.post(
        reverse("staff:login"), {"username": username, "password": password, **extra}
    )


def api_sign_in(client: Client, **body: str) -> Any:
    return client.post(TOKEN_URL, body, content_type="application/json")


def wrong_code(device: TOTPDevice) -> str:
    good = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{(good + 1) % 1_000_000:06d}"


def test_the_page_locks_an_account_after_the_limit_with_a_clear_message(
    client: Client, officer: User
) -> None:
    for _attempt in range(2):
        assert page_sign_in(client, officer.username, "sai").status_code == 200

    locked = page_sign_in(client, officer.username, "sai")

    assert locked.status_code == 429
    assert str(LOCKED_OUT) in locked.content.decode()
    assert int(locked["Retry-After"]) == 15 * 60
    # The right password does not help now, from this address or another.
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert page_sign_in(other, officer.username, PASSWORD).status_code == 429
    assert not other.session.get("_auth_user_id")


def test_the_page_message_is_in_vietnamese(client: Client, officer: User) -> None:
    for _attempt in range(3):
        locked = page_sign_in(client, officer.username, "sai")
    assert locked.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in locked.content.decode()


def test_an_address_is_locked_after_failures_on_several_accounts(officer: User) -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")
    for name in ("a", "b", "c"):
        page_sign_in(client, name, "sai")
    assert page_sign_in(client, officer.username, PASSWORD).status_code == 429
    # The account itself is not locked: from elsewhere it signs in.
    elsewhere = Client(REMOTE_ADDR="198.51.100.8")
    assert page_sign_in(elsewhere, officer.username, PASSWORD).status_code == 302


def test_the_address_comes_from_the_trusted_proxy_header(settings: Any, officer: User) -> None:
    settings.MOTCUA_CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    for name in ("a", "b", "c"):
        Client(HTTP_X_REAL_IP="192.0.2.10").post(
            reverse("staff:login"), {"username": name, "password": "sai"}
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}
    behind_the_same_proxy = Client(HTTP_X_REAL_IP="192.0.2.11")
    assert page_sign_in(behind_the_same_proxy, officer.username, PASSWORD).status_code == 302


def test_wrong_codes_count_as_failures(client: Client, officer: User) -> None:
    device = TOTPDevice.objects.create(user=officer, name="default", confirmed=True)
    # Asking for the code (password right, no code yet) is not a failure.
    asked = page_sign_in(client, officer.username, PASSWORD)
    assert asked.status_code == 200
    for _attempt in range(2):
        assert (
            page_sign_in(
                client, officer.username, PASSWORD, otp_token=wrong_code(device)
            ).status_code
            == 200
        )
    assert (
        page_sign_in(client, officer.username, PASSWORD, otp_token=wrong_code(device)).status_code
        == 429
    )
    failures = AuditEntry.objects.filter(action="auth.sign_in_failed", object_repr=officer.username)
    assert [e.note for e in failures.order_by("id")] == ["second factor"] * 3
    refused = page_sign_in(client, officer.username, PASSWORD, otp_token=wrong_code(device))
    assert refused.status_code == 429
    assert failures.order_by("id").last().note == "refused: locked out"  # type: ignore[union-attr]


def test_the_api_answers_429_in_the_error_shape(client: Client, officer: User) -> None:
    for _attempt in range(2):
        assert api_sign_in(client, username=officer.username, password="sai").status_code == 400

    locked = api_sign_in(client, username=officer.username, password="sai")

    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"
    assert locked.json()["error"]["message"]
    assert int(locked["Retry-After"]) == 15 * 60
    right = api_sign_in(client, username=officer.username, password=PASSWORD)
    assert right.status_code == 429
    assert "token" not in right.json()


def test_wrong_codes_in_the_api_lock_too(client: Client, officer: User) -> None:
    device = TOTPDevice.objects.create(user=officer, name="default", confirmed=True)
    statuses = [
        api_sign_in(
            client, username=officer.username, password=PASSWORD, otp=wrong_code(device)
        ).status_code
        for _attempt in range(3)
    ]
    assert statuses == [400, 400, 429]


def test_an_administrator_unlocks_an_account(client: Client, officer: User) -> None:
    for _attempt in range(3):
        page_sign_in(client, officer.username, "sai")
    assert page_sign_in(client, officer.username, PASSWORD).status_code == 429

    call_command("axes_reset_username", officer.username)

    # The address is still counted: unlock it too, or come from elsewhere.
    elsewhere = Client(REMOTE_ADDR="203.0.113.20")
    assert page_sign_in(elsewhere, officer.username, PASSWORD).status_code == 302


def test_the_lockout_lasts_the_cool_off(client: Client, officer: User, settings: Any) -> None:
    for _attempt in range(3):
        page_sign_in(client, officer.username, "sai")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time.replace(year=2020)
    )
    assert page_sign_in(client, officer.username, PASSWORD).status_code == 302


def test_sign_in_failure_lockout_and_sign_out_are_audited_with_the_address(
    officer: User,
) -> None:
    client = Client(REMOTE_ADDR="203.0.113.5")
    page_sign_in(client, officer.username, "sai")
    page_sign_in(client, officer.username, PASSWORD)
    client.post(reverse("staff:logout"))
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for _attempt in range(4):
        page_sign_in(guesser, "khong.co.ai", "sai")
    api_sign_in(Client(REMOTE_ADDR="203.0.113.6"), username=officer.username, password=PASSWORD)

    entries = list(AuditEntry.objects.filter(kind="access").order_by("id"))
    summary = [(e.action, e.actor_name, e.object_repr, e.address) for e in entries]
    assert summary == [
        ("auth.sign_in_failed", "", officer.username, "203.0.113.5"),
        ("auth.sign_in", officer.username, str(officer), "203.0.113.5"),
        ("auth.sign_out", officer.username, str(officer), "203.0.113.5"),
        ("auth.sign_in_failed", "", "khong.co.ai", "203.0.113.7"),
        ("auth.sign_in_failed", "", "khong.co.ai", "203.0.113.7"),
        # axes signals the lockout while it counts the failure that reached the limit
        ("auth.lockout", "", "khong.co.ai", "203.0.113.7"),
        ("auth.sign_in_failed", "", "khong.co.ai", "203.0.113.7"),
        ("auth.sign_in_failed", "", "khong.co.ai", "203.0.113.7"),
        ("auth.token_issue", officer.username, f"API token: {officer.username}", "203.0.113.6"),
    ]
    assert entries[-1].after is not None and entries[-1].after["new"] is True
    assert entries[-2].note == "refused: locked out"


def test_force_login_and_the_test_clients_login_still_work(officer: User) -> None:
    client = Client()
    client.force_login(officer)
    assert client.get(reverse("backoffice:inbox")).status_code == 200
    other = Client()
    assert other.login(username=officer.username, password=PASSWORD)
    assert other.get(reverse("backoffice:inbox")).status_code == 200


def test_a_province_administrator_unlocks_in_the_admin(client: Client, officer: User) -> None:
    for _attempt in range(3):
        page_sign_in(client, officer.username, "sai")
    admin = Client()
    admin.force_login(UserFactory(username="quantri", is_staff=True, is_superuser=True))
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert officer.username in listing.content.decode()

    attempt = AccessAttempt.objects.get(username=officer.username)
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin.post(url, {"post": "yes"}).status_code == 302

    assert page_sign_in(client, officer.username, PASSWORD).status_code == 302


def test_an_agency_administrator_cannot_unlock(officer: User) -> None:
    agency_admin = UserFactory(username="quantri.coquan")
    agency = officer.staff_roles.get().agency
    StaffRole.objects.create(user=agency_admin, role=Role.AGENCY_ADMIN, agency=agency)
    client = Client()
    client.force_login(agency_admin)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
