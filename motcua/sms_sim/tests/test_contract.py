"""The eSMS.vn adapter against the simulator over HTTP (the live server), not a mock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

from motcua.outbox.adapters.esms import EsmsGateway
from motcua.sms_sim.models import SimulatedSms, SimulatorControl

pytestmark = pytest.mark.django_db(transaction=True)
SEND = "/sim/esms/MainService.svc/json/SendMultipleMessage_V4_post_json/"


@pytest.fixture
def gateway(live_server: Any) -> Iterator[EsmsGateway]:
    with override_settings(OUTBOX_ESMS_URL=f"{live_server.url}/sim/esms/"):
        gateway = EsmsGateway()
        yield gateway
        gateway.close()


def control(**fields: Any) -> None:
    SimulatorControl.objects.update_or_create(pk=1, defaults=fields)


def test_a_message_is_accepted_and_recorded(gateway: EsmsGateway) -> None:
    result = gateway.send(phone="0912345678", text="Ho so da nhan", request_id="r-1")
    assert result.ok
    sms = SimulatedSms.objects.get()
    assert (sms.sms_id, sms.phone, sms.content, sms.request_id) == (
        result.provider_ref,
        "0912345678",
        "Ho so da nhan",
        "r-1",
    )
    assert (sms.brandname, sms.is_unicode) == ("MOTCUA", False)


def test_a_repeated_request_id_is_sent_once_and_taken_as_sent(gateway: EsmsGateway) -> None:
    first = gateway.send(phone="0912345678", text="a", request_id="r-2")
    again = gateway.send(phone="0912345678", text="a", request_id="r-2")
    assert first.ok and again.ok
    assert SimulatedSms.objects.count() == 1


def test_the_simulator_fails_the_next_sends_when_told(gateway: EsmsGateway) -> None:
    control(fail_next=2, fail_code="103")
    results = [gateway.send(phone="0912345678", text="a", request_id=f"f-{n}") for n in range(3)]
    assert [r.ok for r in results] == [False, False, True]
    assert results[0].error.startswith("103") and results[0].retry
    assert SimulatedSms.objects.count() == 1


def test_a_bad_number_is_a_permanent_refusal(gateway: EsmsGateway) -> None:
    result = gateway.send(phone="12345", text="a", request_id="b-1")
    assert (result.ok, result.retry, result.error.split()[0]) == (False, False, "108")
    assert not SimulatedSms.objects.exists()


def test_wrong_keys_are_refused_and_retried_later(live_server: Any) -> None:
    with override_settings(
        OUTBOX_ESMS_URL=f"{live_server.url}/sim/esms/", OUTBOX_ESMS_SECRET_KEY="wrong"
    ):
        gateway = EsmsGateway()  # the simulator still expects the right key
    result = gateway.send(phone="0912345678", text="a", request_id="k-1")
    gateway.close()
    assert (result.ok, result.retry, result.error.split()[0]) == (False, True, "101")


def test_unicode_is_flagged(live_server: Any) -> None:
    with override_settings(OUTBOX_ESMS_URL=f"{live_server.url}/sim/esms/", OUTBOX_SMS_UNICODE=True):
        gateway = EsmsGateway()
    assert gateway.send(phone="84912345678", text="Hồ sơ", request_id="u-1").ok
    gateway.close()
    assert SimulatedSms.objects.get().is_unicode


def test_a_gateway_that_cannot_be_reached_is_retried() -> None:
    with override_settings(OUTBOX_ESMS_URL="http://127.0.0.1:9/", OUTBOX_SMS_TIMEOUT=1):
        gateway = EsmsGateway()
        result = gateway.send(phone="0912345678", text="a", request_id="x")
        gateway.close()
    assert (result.ok, result.retry) == (False, True)
    assert result.error.startswith("gateway unreachable")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "99"),
        (b"[1, 2]", "99"),
        (b'{"ApiKey": "demo-api-key", "SecretKey": "demo-secret-key", "SmsType": "1"}', "118"),
        (
            b'{"ApiKey": "demo-api-key", "SecretKey": "demo-secret-key", "SmsType": "2",'
            b' "Brandname": "OTHER"}',
            "104",
        ),
        (
            b'{"ApiKey": "demo-api-key", "SecretKey": "demo-secret-key", "SmsType": "2",'
            b' "Brandname": "MOTCUA", "Phone": "0912345678", "Content": "  "}',
            "99",
        ),
    ],
)
def test_bad_requests_get_the_gateways_codes(body: bytes, code: str) -> None:
    answer = Client().post(SEND, body, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["CodeResult"] == code
    assert not SimulatedSms.objects.exists()


def test_only_post_is_answered() -> None:
    assert Client().get(SEND).status_code == 405


def test_the_admin_lists_what_the_simulator_sent(gateway: EsmsGateway) -> None:
    from motcua.testing import UserFactory

    gateway.send(phone="0912345678", text="Ho so 123", request_id="adm-1")
    client = Client()
    client.force_login(UserFactory(username="quantri", is_staff=True, is_superuser=True))
    page = client.get("/admin/sms_sim/simulatedsms/")
    assert page.status_code == 200
    assert "Ho so 123" in page.content.decode()
