"""Helpers of the payment simulators' contract tests: the payer's browser, a checkout to start."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qsl, urlsplit

import httpx
from django.utils import timezone

from motcua.payments.gateways.base import Bill, CheckoutRequest, FeeLine, Payer

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def checkout_request(
    live_url: str, reference: str, *, amount: int = 50_000, bills: int = 1
) -> CheckoutRequest:
    now = timezone.now()
    share = amount // bills
    return CheckoutRequest(
        reference=reference,
        amount=share * bills,
        description="Lệ phí hồ sơ H12.34-250101-0001",
        return_url=f"{live_url}/thanh-toan/ket-qua/",
        ipn_url=f"{live_url}/test-ipn/",
        client_ip="127.0.0.1",
        created_at=now,
        expires_at=now + dt.timedelta(minutes=15),
        payer=Payer(name="Nguyễn Văn An", identification="001090000001", address="Hà Nội"),
        bills=[
            Bill(
                dossier_code=f"H12.34-250101-000{n + 1}",
                procedure_code="1.001234",
                procedure_name="Cấp bản sao trích lục hộ tịch",
                agency_code="H12.34",
                agency_name="UBND phường Demo",
                content="Lệ phí cấp bản sao",
                amount=share,
                lines=[FeeLine(kind="charge", code="LP01", name="Lệ phí", amount=share)],
            )
            for n in range(bills)
        ],
    )


def pay_through(url: str, action: str = "pay", **options: str) -> dict[str, str]:
    """Follow the payer to the simulator's page, press ``action``; the return URL's fields."""
    with httpx.Client(follow_redirects=False, timeout=20) as browser:
        start = browser.get(url)
        page_url = httpx.URL(url)
        if start.status_code == 302:  # VNPAY: the signed request, then the payer's page
            page_url = page_url.join(start.headers["location"])
        page = browser.get(page_url)
        match = TOKEN.search(page.text)
        if page.status_code != 200 or match is None:
            raise AssertionError(f"no payer's page: {page.status_code} {page.text[:300]}")
        data = {"csrfmiddlewaretoken": match.group(1), "action": action, **options}
        done = browser.post(page_url, data=data, headers={"Referer": str(page_url)})
        if done.status_code != 302:
            raise AssertionError(f"no return: {done.status_code} {done.text[:300]}")
        back = done.headers["location"]
    return dict(parse_qsl(urlsplit(back).query))
