"""The real VNPost adapter against the VNPost simulator over HTTP (the live server), not a mock."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

from motcua.dossiers.models import DossierState, Status
from motcua.postal import tracking
from motcua.postal.carriers.base import CarrierError, Party, Shipment
from motcua.postal.carriers.vnpost import FIRST_ID, TOKEN_CACHE_KEY, VnpostCarrier
from motcua.postal.models import Order, OrderState, TrackingCursor, TrackingEvent
from motcua.simulators.payment_delivery import deliver_due
from motcua.simulators.vnpost.models import SimEvent, SimOrder, SimWebhook
from motcua.testing import PostalOrderFactory, cast_create

from .carrier_support import delivery_order, processed_dossier

pytestmark = pytest.mark.django_db(transaction=True)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def live(live_server: Any) -> Iterator[str]:
    url = live_server.url
    with override_settings(
        VNPOST_TOKEN_URL=f"{url}/sim/vnpost/token",
        VNPOST_API_URL=f"{url}/sim/vnpost/apiVNPostNGSP/p1.0",
        POSTAL_SIMULATOR_WEBHOOK_URL=f"{url}/buu-chinh/webhook/vnpost/",
        POSTAL_HTTP_TIMEOUT=10.0,
    ):
        yield url


def shipment(number: str, cod: int = 72_000) -> Shipment:
    return Shipment(
        order_number=number,
        cod_amount=cod,
        sender=Party(
            name="Trung tâm Phục vụ hành chính công",
            address="Số 1 Trần Phú",
            phone="02363000000",
            province="48",
            district="20194",
        ),
        receiver=Party(
            name="Nguyễn Văn An",
            address="Số 1, phường Tân Định",
            phone="0912345678",
            email="an@example.vn",
            province="79",
            district="26734",
        ),
        sender_desc="Chuyển phát kết quả hồ sơ",
        description="1.001234 BCC00000001",
    )


def move(live: str, order: SimOrder, what: str, note: str = "", webhook: str = "now") -> None:
    """Press a button of the post's page, as a postal worker would."""
    with httpx.Client(timeout=20) as browser:
        page = browser.get(f"{live}/sim/vnpost/don-hang/")
        match = TOKEN.search(page.text)
        assert page.status_code == 200 and match is not None
        done = browser.post(
            f"{live}/sim/vnpost/don-hang/",
            data={
                "csrfmiddlewaretoken": match.group(1),
                "order": str(order.pk),
                "move": what,
                "note": note,
                "webhook": webhook,
            },
            headers={"Referer": f"{live}/sim/vnpost/don-hang/"},
        )
        assert done.status_code == 302, done.text[:300]


def test_an_order_is_created_with_the_real_fields_once(live: str) -> None:
    carrier = VnpostCarrier()

    first = carrier.register(shipment("BCG00000001"))
    again = carrier.register(shipment("BCG00000001"))  # a retry after a timeout

    assert not first.already and again.already
    assert first.tracking_number == again.tracking_number
    assert re.fullmatch(r"EB\d{9}VN", first.tracking_number)
    sim = SimOrder.objects.get()
    assert sim.request["CustomerCode"] == "MOTCUA"
    assert sim.request["CODAmount"] == 72000.0
    assert (sim.request["SenderProvince"], sim.request["ReceiverDistrict"]) == (48, 26734)
    assert sim.request["ReceiverName"] == "Nguyễn Văn An"
    assert SimEvent.objects.filter(order=sim, status_code=1).count() == 1


def test_wrong_keys_are_a_carrier_error_not_to_retry(live: str) -> None:
    carrier = VnpostCarrier()
    carrier.secret = "sai"
    with pytest.raises(CarrierError) as caught:
        carrier.register(shipment("BCG00000002"))
    assert (caught.value.code, caught.value.retry) == ("401", False)
    assert not SimOrder.objects.exists()


def test_an_unreachable_post_is_a_carrier_error_to_retry(live: str) -> None:
    down = override_settings(VNPOST_TOKEN_URL="http://127.0.0.1:9/token", POSTAL_HTTP_TIMEOUT=2.0)
    with down, pytest.raises(CarrierError) as caught:
        VnpostCarrier().register(shipment("BCG00000003"))
    assert caught.value.retry


def test_an_expired_token_is_renewed_once(live: str) -> None:
    carrier = VnpostCarrier()
    carrier.register(shipment("BCG00000004"))
    cache.set(TOKEN_CACHE_KEY, "Bearer het-han", 300)
    assert carrier.register(shipment("BCG00000005")).tracking_number
    assert cache.get(TOKEN_CACHE_KEY) != "Bearer het-han"


def test_refused_data_is_a_carrier_error(live: str) -> None:
    bad = Shipment(
        order_number="BCG00000006",
        cod_amount=0,
        sender=Party(name="", address="", phone=""),
        receiver=Party(name="An", address="x", phone="09"),
    )
    with pytest.raises(CarrierError) as caught:
        VnpostCarrier().register(bad)
    assert (caught.value.code, caught.value.retry) == ("102", False)


def test_cancel_before_collection_and_refused_after(live: str) -> None:
    carrier = VnpostCarrier()
    carrier.register(shipment("BCG00000007"))
    carrier.register(shipment("BCG00000008"))
    carrier.cancel("BCG00000007")
    move(live, SimOrder.objects.get(order_number="BCG00000008"), "collected", webhook="none")

    with pytest.raises(CarrierError) as caught:
        carrier.cancel("BCG00000008")

    assert caught.value.code == "104"
    assert SimOrder.objects.get(order_number="BCG00000007").status_code == 9


def test_events_are_paged_after_the_last_id(live: str) -> None:
    carrier = VnpostCarrier()
    for n in range(3):
        carrier.register(shipment(f"BCG0000001{n}"))

    first = carrier.events(after="", size=2)
    rest = carrier.events(after=first.events[-1].external_id, size=2)
    none = carrier.events(after=rest.events[-1].external_id, size=2)

    assert [e.order_number for e in [*first.events, *rest.events]] == [
        "BCG00000010",
        "BCG00000011",
        "BCG00000012",
    ]
    assert first.total_pages == 2 and len(rest.events) == 1 and not none.events
    e = first.events[0]
    assert (e.code, e.state, len(e.external_id)) == ("1", OrderState.REGISTERED, 24)
    assert e.tracking_number.startswith("EB") and e.happened_at.tzinfo is not None
    assert carrier.events(after=FIRST_ID, size=10).events[0].external_id == e.external_id


def test_an_order_registered_moved_and_pulled_follows_the_post(live: str) -> None:
    order = PostalOrderFactory()
    tracking.order_register(order=order)
    order.refresh_from_db()
    sim = SimOrder.objects.get(order_number=order.number)
    assert (order.state, order.tracking_number) == (OrderState.REGISTERED, sim.item_code)

    move(live, sim, "collecting", webhook="none")
    move(live, sim, "collected", webhook="none")
    assert tracking.tracking_pull(size=2) == 3  # registered, collecting, collected

    order.refresh_from_db()
    assert order.state == OrderState.COLLECTED
    last = SimEvent.objects.latest("id")
    assert TrackingCursor.objects.get(carrier="vnpost").last_event_id == last.oid
    assert TrackingEvent.objects.filter(order=order).count() == 3


def test_webhooks_now_twice_and_held_back_end_at_the_latest(live: str) -> None:
    order = PostalOrderFactory(state=OrderState.REQUESTED)
    tracking.order_register(order=order)
    sim = SimOrder.objects.get(order_number=order.number)

    move(live, sim, "collecting", webhook="twice")
    move(live, sim, "collected", webhook="held")  # overtaken by the next one
    move(live, sim, "handed_over", webhook="now")
    assert Order.objects.get(pk=order.pk).state == OrderState.HANDED_OVER

    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=5)
    assert deliver_due(SimWebhook, now=later) == 2  # the second copy and the held one
    order.refresh_from_db()
    assert order.state == OrderState.HANDED_OVER  # the older "collected" came too late
    assert order.events.count() == 4  # registered (at creation), collecting, collected, handed


def test_a_delivery_failed_then_returned_by_webhook(live: str) -> None:
    order = PostalOrderFactory(service="delivery", state=OrderState.REQUESTED)
    tracking.order_register(order=order)
    sim = SimOrder.objects.get(order_number=order.number)
    move(live, sim, "in_transit")
    move(live, sim, "failed", note="Không có người nhận")
    order.refresh_from_db()
    assert (order.state, order.failure_reason) == (OrderState.FAILED, "Không có người nhận")
    move(live, sim, "returned")
    order.refresh_from_db()
    assert order.state == OrderState.RETURNED


def test_the_page_refuses_a_delivery_without_recipient(live: str) -> None:
    VnpostCarrier().register(shipment("BCG00000020"))
    with httpx.Client(timeout=20) as browser:
        page = browser.get(f"{live}/sim/vnpost/don-hang/")
        assert "BCG00000020" in page.text
        match = TOKEN.search(page.text)
        assert match is not None
        answer = browser.post(
            f"{live}/sim/vnpost/don-hang/",
            data={
                "csrfmiddlewaretoken": match.group(1),
                "order": str(SimOrder.objects.get().pk),
                "move": "delivered",
                "webhook": "now",
            },
            headers={"Referer": f"{live}/sim/vnpost/don-hang/"},
        )
    assert answer.status_code == 400


def test_the_simulator_command_sends_the_held_webhooks(live: str) -> None:
    order = PostalOrderFactory(state=OrderState.REGISTERED)
    VnpostCarrier().register(shipment(order.number))
    move(live, SimOrder.objects.get(), "collecting", webhook="held")
    SimWebhook.objects.update(due_at=dt.datetime.now(tz=dt.UTC))
    call_command("postal_simulator", "--once")
    order.refresh_from_db()
    assert order.state == OrderState.COLLECTING


def test_a_result_delivered_by_the_post_is_returned_status_10(live: str) -> None:
    dossier = processed_dossier(cast_create())
    order = delivery_order(dossier, state=OrderState.REQUESTED)
    tracking.order_register(order=order)
    sim = SimOrder.objects.get(order_number=order.number)
    assert sim.request["ReceiverName"] == order.person_name

    move(live, sim, "collected")
    move(live, sim, "in_transit")
    move(live, sim, "delivered", note="Nguyễn Văn An")

    order.refresh_from_db()
    dossier.refresh_from_db()
    assert (order.state, order.recipient) == (OrderState.DELIVERED, "Nguyễn Văn An")
    assert (dossier.state, dossier.status) == (DossierState.RESULT_RETURNED, Status.RESULT_RETURNED)
    assert (dossier.result_returned_via, dossier.result_returned_to) == ("post", "Nguyễn Văn An")
