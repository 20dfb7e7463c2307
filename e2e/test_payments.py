"""The applicant, on a phone, pays two dossiers in one basket and downloads the receipt.

The gateway is the payments tests' small one (``motcua.payments.tests.gateway``):
its payment page is stubbed in the browser, its notification is posted to the
live server as the gateway would; the dossiers move only then.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from motcua.applicants.tests.factories import applicant_user
from motcua.dossiers.models import Dossier, DossierFee, DossierState
from motcua.payments.models import Payment
from motcua.payments.tests.gateway import signed
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create
from motcua.workflow import services

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PIN = "001090000001"  # DossierFactory's applicant
SHOTS = Path(os.environ.get("MOTCUA_SCREENSHOTS", "var/screenshots"))


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
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_the_applicant_pays_two_dossiers_in_one_basket_and_downloads_the_receipt(
    live_server: LiveServer, page: Page, settings: Any
) -> None:
    settings.PAYMENTS_GATEWAYS = ["fake"]
    settings.PAYMENTS_GATEWAY_CLASSES = {"fake": "motcua.payments.tests.gateway.FakeGateway"}
    cast = cast_create()
    first, second = _waiting(cast, 8000), _waiting(cast, 200_000)
    page.set_viewport_size({"width": 390, "height": 844})
    page.route(
        "https://pay.example/**",
        lambda route: Route.fulfill(route, body="<h1>Cổng thử</h1>", content_type="text/html"),
    )
    _sign_in(page, live_server)

    page.goto(f"{live_server.url}/ho-so-cua-toi/")
    page.get_by_role("link", name="Thanh toán phí, lệ phí của nhiều hồ sơ cùng lúc").click()
    page.get_by_label(first.code, exact=False).check()
    page.get_by_label(second.code, exact=False).check()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "payment-basket-390.png"), full_page=True)
    page.get_by_role("button", name="Đến trang thanh toán").click()
    page.wait_for_url("https://pay.example/**")  # through the page that goes on to it
    payment = Payment.objects.get()
    assert payment.amount == 208_000

    # Back from the gateway before its notification: not confirmed yet, nothing moved.
    fields = signed(payment.reference, 208_000)
    page.goto(f"{live_server.url}/thanh-toan/ket-qua/fake/?{urlencode(fields)}")
    expect(page.locator("[data-outcome]")).to_have_attribute("data-outcome", "pending")
    first.refresh_from_db()
    assert first.state == DossierState.PAYMENT_REQUESTED

    # The gateway's notification confirms it.
    answer = Client().post("/thanh-toan/ipn/fake/", fields).json()
    assert answer["RspCode"] == "00"
    page.reload()
    expect(page.locator("[data-outcome]")).to_have_attribute("data-outcome", "paid")
    page.screenshot(path=str(SHOTS / "payment-paid-390.png"), full_page=True)
    href = page.get_by_role("link", name="Tải biên lai").get_attribute("href")
    assert href
    receipt = page.request.get(live_server.url + href)
    assert receipt.status == 200
    assert receipt.body().startswith(b"%PDF")
    for dossier in (first, second):
        dossier.refresh_from_db()
        assert dossier.state == DossierState.ACCEPTED
    page.goto(f"{live_server.url}/ho-so-cua-toi/{first.code}/")
    expect(page.locator("#nop-phi")).to_contain_text("Biên lai")
