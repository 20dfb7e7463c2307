"""``/buu-chinh/webhook/<carrier>/``: signed events ingested; a bad signature writes nothing."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from motcua.postal.models import OrderState, TrackingEvent, TrackingReview
from motcua.postal.webhooks import BAD_SIGNATURE
from motcua.testing import PostalOrderFactory

from .carrier_support import at, event, signed_body

pytestmark = pytest.mark.django_db
URL = "/buu-chinh/webhook/vnpost/"


def post(client: Client, body: bytes, signature: str | None, url: str = URL) -> object:
    headers = {} if signature is None else {"X-VNPost-Signature": signature}
    return client.post(url, data=body, content_type="application/json", headers=headers)


def test_signed_events_are_ingested_and_answered(client: Client) -> None:
    order = PostalOrderFactory(state=OrderState.REGISTERED)
    body, signature = signed_body([event(order, OrderState.COLLECTING, at(8, 9))])

    response = post(client, body, signature)

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.json() == {  # type: ignore[attr-defined]
        "status": "ok",
        "received": 1,
        "stored": 1,
        "applied": 1,
        "set_aside": 0,
    }
    order.refresh_from_db()
    assert order.state == OrderState.COLLECTING
    assert TrackingEvent.objects.get().source == TrackingEvent.Source.WEBHOOK
    assert post(client, body, signature).json()["stored"] == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("signature", [None, "", "00" * 32, "wrong"])
def test_a_bad_signature_is_401_in_both_languages_and_writes_nothing(
    client: Client, signature: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    order = PostalOrderFactory(state=OrderState.REGISTERED)
    body, _ = signed_body([event(order, OrderState.COLLECTING, at(8, 9))])

    with caplog.at_level(logging.WARNING, logger="motcua.postal.webhooks"):
        response = post(client, body, signature)

    assert response.status_code == 401  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "bad_signature"
    assert error["message"] == "Chữ ký của thông báo không hợp lệ."
    assert error["message_en"] == "The notification's signature does not verify."
    assert str(BAD_SIGNATURE)
    assert not TrackingEvent.objects.exists() and not TrackingReview.objects.exists()
    order.refresh_from_db()
    assert order.state == OrderState.REGISTERED
    assert "bad signature" in caplog.text


def test_signed_with_another_secret_is_refused(client: Client) -> None:
    order = PostalOrderFactory(state=OrderState.REGISTERED)
    body, signature = signed_body([event(order, OrderState.COLLECTING, at(8, 9))], "other")
    assert post(client, body, signature).status_code == 401  # type: ignore[attr-defined]


def test_an_event_for_an_unknown_order_is_set_aside(client: Client) -> None:
    body, signature = signed_body([event("KHONGCO", OrderState.DELIVERED, at(8, 9), notes="?")])
    response = post(client, body, signature)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.json()["set_aside"] == 1  # type: ignore[attr-defined]
    assert TrackingReview.objects.get().reason == TrackingReview.Reason.UNKNOWN_ORDER


def test_an_unreadable_body_is_400_and_writes_nothing(client: Client) -> None:
    import hashlib
    import hmac

    from django.conf import settings

    for body in (b"not json", b"[1, 2]", b'{"_embedded": {"rh:doc": [{"_id": "x"}]}}'):
        signature = hmac.new(
            settings.VNPOST_WEBHOOK_SECRET.encode(), body, hashlib.sha256
        ).hexdigest()
        response = post(client, body, signature)
        assert response.status_code == 400, body  # type: ignore[attr-defined]
        assert response.json()["error"]["code"] == "invalid"  # type: ignore[attr-defined]
    assert not TrackingEvent.objects.exists() and not TrackingReview.objects.exists()


def test_unknown_carrier_is_404_and_a_get_is_405(client: Client) -> None:
    body, signature = signed_body([])
    assert post(client, body, signature, "/buu-chinh/webhook/khong-co/").status_code == 404  # type: ignore[attr-defined]
    assert client.get(URL).status_code == 405


def test_the_webhook_needs_no_csrf_token() -> None:
    body, signature = signed_body([])
    client = Client(enforce_csrf_checks=True)
    assert post(client, body, signature).status_code == 200  # type: ignore[attr-defined]


def test_events_set_aside_are_listed_in_the_admin(admin_client: Client) -> None:
    body, signature = signed_body([event("KHONGCO", OrderState.DELIVERED, at(8, 9), notes="?")])
    post(admin_client, body, signature)
    page = admin_client.get("/admin/postal/trackingreview/")
    assert page.status_code == 200
    assert "KHONGCO" in page.content.decode()
