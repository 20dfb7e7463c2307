"""The applicant follows the postal legs: on the public tracking page and on their own page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.applicants.tests.factories import HOA, signed_in
from motcua.dossiers.models import Channel, Delivery, Dossier
from motcua.dossiers.selectors import dossier_public_get
from motcua.postal import outbound
from motcua.postal.legs import dossier_postal_legs
from motcua.postal.models import Order, OrderState, Service, TrackingEvent
from motcua.testing import Cast, DossierFactory, PostalOrderFactory, cast_create

from .outbound_helpers import ADDRESS, processed_fast, set_state, tariff_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db: None) -> Cast:
    tariff_add()
    return cast_create()


def _post_event(order: Order, n: int, state: str, message: str) -> TrackingEvent:
    at = timezone.now() - dt.timedelta(hours=10 - n)
    return TrackingEvent.objects.create(
        order=order,
        source=TrackingEvent.Source.WEBHOOK,
        external_id=f"E{order.pk}-{n}",
        code=str(n),
        state=state,
        message=message,
        happened_at=at,
        received_at=at,
    )


def _travelled(cast: Cast) -> tuple[Dossier, Order, Order]:
    """A result sent, failed, came back and re-sent (the applicant's dossier)."""
    [dossier] = processed_fast(cast, 1)
    Dossier.objects.filter(pk=dossier.pk).update(applicant_id_number=HOA.id_number)
    dossier.refresh_from_db()
    [first] = outbound.dispatch_prepare(
        unit=cast.unit, dossiers=[dossier.code], officer=cast.receiving_officer
    ).orders
    set_state(first, OrderState.FAILED, tracking_number="EB123456789VN")
    _post_event(first, 1, OrderState.IN_TRANSIT, "Đang vận chuyển")
    _post_event(first, 2, OrderState.FAILED, "Người nhận Nguyễn Văn An vắng nhà")
    outbound.order_return_receive(order=first, officer=cast.receiving_officer)
    second = outbound.order_resend(
        order=first, officer=cast.receiving_officer, changes={"address": "Số 9 Hùng Vương"}
    )
    return dossier, first, second


def test_legs_list_each_trip_with_tracking_number_state_and_events(cast: Cast) -> None:
    dossier, first, second = _travelled(cast)

    legs = dossier_postal_legs(dossier, public=False)

    assert [leg.number for leg in legs] == [first.number, second.number]
    assert legs[0].tracking_number == "EB123456789VN"
    assert legs[0].state == OrderState.RETURNED
    assert [e.state for e in legs[0].events] == [
        OrderState.IN_TRANSIT,
        OrderState.FAILED,
        OrderState.RETURNED,
    ]
    assert legs[0].events[1].message == "Người nhận Nguyễn Văn An vắng nhà"
    assert legs[0].address == ADDRESS
    assert legs[1].resends == first.number
    assert legs[1].address == "Số 9 Hùng Vương"
    assert legs[1].events == []


def test_the_public_legs_name_and_locate_nobody(cast: Cast) -> None:
    dossier, _first, _second = _travelled(cast)

    legs = dossier_postal_legs(dossier_public_get(code=dossier.code), public=True)

    assert legs[0].tracking_number == "EB123456789VN"
    assert all(leg.address == "" and leg.person_name == "" for leg in legs)
    assert all(e.message == "" for leg in legs for e in leg.events)


def test_the_collection_comes_first(cast: Cast) -> None:
    [dossier] = processed_fast(cast, 1)
    PostalOrderFactory(
        unit=cast.unit,
        procedure=dossier.procedure,
        dossier=dossier,
        state=OrderState.RECEIVED,
        created_at=timezone.now() + dt.timedelta(days=1),  # recorded late, still first
    )
    outbound.dispatch_prepare(unit=cast.unit, dossiers=[dossier.pk], officer=cast.receiving_officer)
    services = [leg.service for leg in dossier_postal_legs(dossier, public=True)]
    assert services == [Service.COLLECTION, Service.DELIVERY]


def test_the_tracking_page_shows_the_legs_without_personal_data(client: Client, cast: Cast) -> None:
    dossier, _first, second = _travelled(cast)

    html = client.get(f"/tra-cuu/{dossier.code}/").content.decode()

    assert 'id="buu-chinh"' in html
    assert "EB123456789VN" in html
    assert f'data-order="{second.number}"' in html
    assert "Đã chuyển hoàn về Bộ phận Một cửa." in html
    for private in ("vắng nhà", "Số 9 Hùng Vương", ADDRESS, dossier.applicant_name):
        assert private not in html


def test_the_applicants_page_shows_the_legs_with_the_address(client: Client, cast: Cast) -> None:
    dossier, _first, _second = _travelled(cast)
    signed_in(client)

    html = client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()

    assert 'id="buu-chinh"' in html
    assert "EB123456789VN" in html
    assert "Người nhận Nguyễn Văn An vắng nhà" in html
    assert "Số 9 Hùng Vương" in html


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_both_pages_cost_two_queries_more_whatever_the_legs_and_events(
    client: Client, cast: Cast
) -> None:
    dossier, first, second = _travelled(cast)
    signed_in(client)
    pages = (f"/tra-cuu/{dossier.code}/", f"/ho-so-cua-toi/{dossier.code}/")
    before = [_queries(client, url) for url in pages]
    for n in range(3, 9):
        _post_event(first, n, OrderState.IN_TRANSIT, f"Bưu cục {n}")
    set_state(second, OrderState.FAILED)
    outbound.order_return_receive(order=second, officer=cast.receiving_officer)
    outbound.order_resend(order=second, officer=cast.receiving_officer)
    assert [_queries(client, url) for url in pages] == before


def test_a_dossier_without_the_post_costs_no_query_more(client: Client, cast: Cast) -> None:
    plain: Dossier = DossierFactory(channel=Channel.ONLINE, delivery=Delivery.COUNTER)
    by_post: Dossier = DossierFactory(channel=Channel.ONLINE, delivery=Delivery.POST)
    url = "/tra-cuu/{}/"
    # By post but no order yet: one query (the orders; their events only when there are some).
    extra = _queries(client, url.format(by_post.code)) - _queries(client, url.format(plain.code))
    assert extra == 1
    assert dossier_postal_legs(plain, public=True) == []
