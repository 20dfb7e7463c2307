"""A tiny merchant for the contract tests: the site's URLs, IPN receivers over the real adapters.

It answers as the payments app will: a bad signature with the gateway's code
for it, a repeat with "already confirmed". What it received is kept in
``RECEIVED`` (one process: the live server is a thread of the test run).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as site_urlpatterns
from motcua.payments.gateways.base import Answer, BadSignature, Gateway, Report
from motcua.payments.gateways.dvcqg import PlatformGateway
from motcua.payments.gateways.vnpay import VnpayGateway

RECEIVED: list[Report] = []
REFUSED: list[str] = []


def receive(gateway: Gateway, request: HttpRequest) -> HttpResponse:
    try:
        report = gateway.read_notification(request)
    except BadSignature as exc:
        REFUSED.append(str(exc))
        return gateway.answer(Answer.INVALID_SIGNATURE)
    seen = any(r.reference == report.reference for r in RECEIVED)
    RECEIVED.append(report)
    return gateway.answer(Answer.ALREADY_CONFIRMED if seen else Answer.CONFIRMED)


@csrf_exempt
def vnpay_ipn(request: HttpRequest) -> HttpResponse:
    return receive(VnpayGateway(), request)


@csrf_exempt
def dvcqg_ipn(request: HttpRequest) -> HttpResponse:
    return receive(PlatformGateway(), request)


urlpatterns: list[URLPattern | URLResolver] = [
    path("test-ipn/vnpay/", vnpay_ipn),
    path("test-ipn/dvcqg/", dvcqg_ipn),
]
urlpatterns += site_urlpatterns  # type: ignore[arg-type]  # config.urls is untyped
