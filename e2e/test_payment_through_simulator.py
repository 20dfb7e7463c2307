"""The applicant pays through the VNPAY simulator, the real adapter, over real HTTP.

Unlike ``test_payments.py`` (the payments tests' small gateway, its IPN posted
by the test), here the basket sends the payer to the VNPAY simulator served by
the same live server, the payer presses a button there, and the simulator's
signed IPN (a GET) comes back to ``/thanh-toan/ipn/vnpay/`` while it answers:
the adapter and the simulator, written apart, must agree on every field.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from motcua.applicants.tests.factories import applicant_user
from motcua.dossiers.models import Dossier, DossierEvent, DossierFee, DossierState, EventKind
from motcua.payments.models import Notification, Payment, PaymentState, Receipt
from motcua.simulators.payment_delivery import deliver_due
from motcua.simulators.vnpay.models import SimNotification, SimTransaction
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create
from motcua.workflow import services

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PIN = "001090000001"  # DossierFactory's applicant


@pytest.fixture
def simulator(live_server: LiveServer, settings: Any) -> Iterator[str]:
    """Point the VNPAY adapter and the simulator's IPNs at the live server, as `make run` does."""
    sim = f"{live_server.url}/sim/vnpay"
    settings.PAYMENTS_GATEWAYS = ["vnpay"]
    settings.VNPAY_PAY_URL = f"{sim}/paymentv2/vpcpay.html"
    settings.VNPAY_API_URL = f"{sim}/merchant_webapi/api/transaction"
    settings.VNPAY_STATEMENT_URL = f"{sim}/statement"
    settings.PAYMENTS_SIMULATOR_IPN_URLS = {
        "vnpay": f"{live_server.url}/thanh-toan/ipn/vnpay/",
        "dvcqg": f"{live_server.url}/thanh-toan/ipn/dvcqg/",
    }
    yield sim


def _waiting(cast: Cast, amount: int) -> Dossier:
    dossier: Dossier = DossierFactory(
        procedure=ProcedureFactory(agency=cast.agency), receiving_unit=cast.unit
    )
    DossierFee.objects.create(
        dossier=dossier,
        code="LP",
        kind="charge",
        name="Lệ phí",
        basis="fixed",
        due="before",
        amount=amount,
        rule_text=f"{amount} đồng/hồ sơ",
        computed_at=timezone.now(),
    )
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    return dossier


def _sign_in(page: Page, live_server: LiveServer) -> None:
    client = Client()
    client.force_login(applicant_user(PIN), backend="motcua.applicants.oidc.IdentityBackend")
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _to_the_simulator(page: Page, live_server: LiveServer, *dossiers: Dossier) -> None:
    """From the applicant's dossiers, through the basket (VNPAY), to the simulator's page."""
    page.goto(f"{live_server.url}/ho-so-cua-toi/")
    if len(dossiers) > 1:
        page.get_by_role("link", name="Thanh toán phí, lệ phí của nhiều hồ sơ cùng lúc").click()
    else:
        page.goto(f"{live_server.url}/thanh-toan/")
    for dossier in dossiers:
        page.get_by_label(dossier.code, exact=False).check()
    page.get_by_label("VNPAY").check()
    page.get_by_role("button", name="Đến trang thanh toán").click()
    page.wait_for_url("**/sim/vnpay/paymentv2/thanh-toan/**")
    expect(page.locator("h1")).to_contain_text("VND")


def _moved_once(dossier: Dossier) -> None:
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED
    assert DossierEvent.objects.filter(dossier=dossier, kind=EventKind.FEES_PAID).count() == 1


def test_two_dossiers_paid_in_one_basket_through_the_vnpay_simulator(
    live_server: LiveServer, page: Page, simulator: str
) -> None:
    cast = cast_create()
    first, second = _waiting(cast, 8000), _waiting(cast, 200_000)
    _sign_in(page, live_server)

    _to_the_simulator(page, live_server, first, second)
    payment = Payment.objects.get()
    assert (payment.gateway, payment.amount, payment.state) == ("vnpay", 208_000, "pending")
    txn = SimTransaction.objects.get()
    assert (txn.txn_ref, txn.amount) == (payment.reference, 208_000)

    # Pay, the IPN at once: the simulator sends it over HTTP before sending the payer back.
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    page.wait_for_url(f"{live_server.url}/thanh-toan/ket-qua/vnpay/**")
    expect(page.locator("[data-outcome]")).to_have_attribute("data-outcome", "paid")

    ipn = SimNotification.objects.get()
    assert ipn.delivered_at is not None
    assert (ipn.status_code, ipn.answer) == (200, '{"RspCode": "00", "Message": "Confirm Success"}')
    received = Notification.objects.get()
    assert (received.gateway, received.http_method) == ("vnpay", "GET")
    assert received.answer == "confirmed"
    payment.refresh_from_db()
    assert payment.state == PaymentState.PAID
    assert payment.gateway_transaction == txn.transaction_no
    for dossier in (first, second):
        _moved_once(dossier)

    href = page.get_by_role("link", name="Tải biên lai").get_attribute("href")
    assert href
    receipt = page.request.get(live_server.url + href)
    assert receipt.status == 200
    assert receipt.body().startswith(b"%PDF")
    assert Receipt.objects.filter(payment=payment).count() == 1

    # VNPAY resends (as it does until it reads 00 or 02): answered 02, nothing moves again.
    answer = Client().get(f"/thanh-toan/ipn/vnpay/?{ipn.query}").json()
    assert answer["RspCode"] == "02"
    for dossier in (first, second):
        _moved_once(dossier)


def test_paid_late_the_return_says_pending_then_the_ipn_moves_the_dossier(
    live_server: LiveServer, page: Page, simulator: str
) -> None:
    cast = cast_create()
    dossier = _waiting(cast, 50_000)
    _sign_in(page, live_server)

    _to_the_simulator(page, live_server, dossier)
    page.get_by_label("Gửi", exact=True).select_option("delay")
    page.get_by_label("Thời gian chờ (giây)").fill("1")
    page.get_by_role("button", name="Thanh toán, xác nhận muộn").click()
    page.wait_for_url(f"{live_server.url}/thanh-toan/ket-qua/vnpay/**")
    expect(page.locator("[data-outcome]")).to_have_attribute("data-outcome", "pending")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.PAYMENT_REQUESTED
    assert Payment.objects.get().state == PaymentState.PENDING

    # `manage.py payment_simulator` sends the IPN when the bank settles it.
    ipn = SimNotification.objects.get()
    assert ipn.delivered_at is None
    assert deliver_due(SimNotification, now=timezone.now() + dt.timedelta(seconds=2)) == 1
    page.reload()
    expect(page.locator("[data-outcome]")).to_have_attribute("data-outcome", "paid")
    assert Payment.objects.get().state == PaymentState.PAID
    _moved_once(dossier)
