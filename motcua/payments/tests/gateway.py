"""A small gateway for the tests: the ``Gateway`` protocol, signed with HMAC-SHA256.

Its notifications are GET or POST fields signed over the sorted fields; it
answers VNPAY-style (``{"RspCode", "Message"}``). What ``query``,
``refund`` and ``statement`` return is set by the tests (class attributes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse

from motcua.payments.gateways.base import (
    Answer,
    BadSignature,
    Checkout,
    CheckoutRequest,
    GatewayError,
    Outcome,
    RefundCheck,
    RefundOutcome,
    RefundResult,
    Report,
    StatementLine,
)

SECRET = b"test-secret"
CODES = {
    Answer.CONFIRMED: "00",
    Answer.NOT_FOUND: "01",
    Answer.ALREADY_CONFIRMED: "02",
    Answer.INVALID_AMOUNT: "04",
    Answer.INVALID_SIGNATURE: "97",
    Answer.OTHER: "99",
}


def sign(fields: Mapping[str, str]) -> dict[str, str]:
    """Return ``fields`` with their signature (``sig``)."""
    data = {k: str(v) for k, v in fields.items() if k != "sig"}
    text = urlencode(sorted(data.items()))
    return {**data, "sig": hmac.new(SECRET, text.encode(), hashlib.sha256).hexdigest()}


def signed(reference: str, amount: int, status: str = "00", txn: str = "T1") -> dict[str, str]:
    return sign({"ref": reference, "amount": str(amount), "status": status, "txn": txn})


def _report(fields: Mapping[str, str]) -> Report:
    if not hmac.compare_digest(sign(fields)["sig"], str(fields.get("sig", ""))):
        raise BadSignature("signature")
    status = fields.get("status", "")
    outcome = {"00": Outcome.PAID, "24": Outcome.CANCELLED, "01": Outcome.PENDING}.get(
        status, Outcome.FAILED
    )
    return Report(
        reference=fields.get("ref", ""),
        amount=int(fields.get("amount", "0") or 0),
        outcome=outcome,
        gateway_transaction=fields.get("txn", ""),
        response_code=status,
        raw=dict(fields),
    )


class FakeGateway:
    code = "fake"
    name = "Cổng thử"
    can_refund = True
    checkouts: ClassVar[list[CheckoutRequest]] = []
    queries: ClassVar[dict[str, Report]] = {}
    refunds: ClassVar[list[dict[str, Any]]] = []
    refund_ok: ClassVar[bool] = True
    refund_checks: ClassVar[dict[str, RefundCheck]] = {}
    lines: ClassVar[list[StatementLine]] = []
    down: ClassVar[bool] = False

    def checkout(self, request: CheckoutRequest) -> Checkout:
        if self.down:
            raise GatewayError("down", code="timeout")
        self.checkouts.append(request)
        return Checkout(f"https://pay.example/{request.reference}", f"G-{request.reference}")

    def read_return(self, params: Mapping[str, str]) -> Report:
        return _report(params)

    def read_notification(self, request: HttpRequest) -> Report:
        fields = request.POST if request.method == "POST" else request.GET
        if fields.get("boom"):
            raise RuntimeError("unexpected")
        return _report({k: str(v) for k, v in fields.items()})

    def answer(self, answer: Answer, *, message: str = "") -> HttpResponse:
        return JsonResponse({"RspCode": CODES[answer], "Message": message or str(answer)})

    def query(self, *, reference: str, created_at: dt.datetime, client_ip: str) -> Report:
        if reference not in self.queries:
            raise GatewayError("unknown", code="91", retry=True)
        return self.queries[reference]

    def refund(self, **kwargs: Any) -> RefundResult:
        self.refunds.append(kwargs)
        return RefundResult(
            self.refund_ok, "R1" if self.refund_ok else "", "00" if self.refund_ok else "94", ""
        )

    def refund_query(
        self, *, reference: str, created_at: dt.datetime, client_ip: str
    ) -> RefundCheck:
        if self.down:
            raise GatewayError("down", code="timeout")
        return self.refund_checks.get(reference, RefundCheck(RefundOutcome.UNKNOWN))

    def statement(self, day: dt.date) -> list[StatementLine]:
        return list(self.lines)
