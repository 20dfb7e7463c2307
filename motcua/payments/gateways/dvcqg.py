"""The national public-service portal's payment platform (Cổng DVCQG, "PaymentPlatform").

What is from where:

- From domain.md ("Online payment") and from how an open-source provincial
  system integrates it (VietOpenCPS/opencps-v2, module ``pay-gate-integration``,
  read only): a JSON POST creating a transaction with ``client_id``,
  ``transaction_id`` (ours), ``trans_amount``, ``command`` ("PAY"),
  ``version`` ("3.0"), ``description``, ``locale``, ``country_code``,
  ``currency_code``, ``environment``, ``return_url``, ``addition_fee`` and a
  ``bill_info`` object per dossier (``MaDichVu`` service code, ``MaDonVi`` /
  ``TenDonVi`` unit, ``MaHoSo`` dossier code, ``MaTTHC`` / ``TenTTHC``
  procedure, ``MaDVC`` / ``TenDVC``, ``NoiDungThanhToan``, ``HoTenNguoiNop`` /
  ``SoCMNDNguoiNop`` / ``DiaChiNguoiNop`` payer, ``MaCoQuanQD`` / ``TenCoQuanQD``
  deciding agency, ``KhoBac``, ``TaiKhoanThuNSNN`` treasury account,
  ``DSKhoanNop`` amounts, ``PhiLePhi`` fee lines ``LoaiPhiLePhi`` /
  ``MaPhiLePhi`` / ``TenPhiLePhi`` / ``SoTien``, ``TKThuHuong`` /
  ``MaNHThuHuong`` / ``TenTKThuHuong`` beneficiary account and bank); the
  checksum HMAC-SHA256 (hex) over
  ``addition_fee|client_id|command|trans_amount|transaction_id|version``, with
  the first key for our requests and the second key for the platform's
  notification; the answer ``{"error": "0", "payment_url": ...}``; the
  notification JSON (``transaction_id``, ``transaction_code``,
  ``trans_amount``, ``status`` 0 = paid, ``check_sum``) answered
  ``{"return_code": 0 | -1, "return_msg"}``; the transaction detail query
  (``client_id``, ``transaction_id``, ``command``, checksum over
  ``client_id|command|transaction_id``).
- Assumed (not in those sources; replace with the platform's specification
  when the province gets it): a ``bill_info`` *list* when one payment covers
  several dossiers (the source sends one object; we send an object for one
  bill); ``status`` 1 failed and 2 cancelled; the return redirect carrying
  the notification's fields and checksum; the detail answer's fields
  (``error``, ``status``, ``payment_time`` as ``yyyyMMddHHmmss`` GMT+7, signed
  like the notification); error codes other than "0"; the daily statement
  (``command`` "STATEMENT", ``date``, checksum over ``client_id|command|date``).
- The checksum does not cover ``status``: a genuine notification or return
  of a failed payment, its status changed to 0, would verify. So a
  notification that says paid is believed only once the signed detail query
  says so too (``read_notification``; otherwise ``BadSignature``; the
  platform unreachable: ``GatewayError``, the notification to be retried).
- No refund: neither source describes one. Refunds of this platform go
  through the treasury or the bank; ``refund`` says so (``GatewayError``,
  not retried).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from .base import (
    Answer,
    BadSignature,
    Bill,
    Checkout,
    CheckoutRequest,
    GatewayError,
    Outcome,
    Payer,
    RefundCheck,
    RefundResult,
    Report,
    StatementLine,
)

GMT7 = ZoneInfo("Asia/Ho_Chi_Minh")
UNSUPPORTED = "unsupported"
NO_REFUND = (
    "the national portal's payment platform has no refund call: the treasury or the bank pays "
    "the money back, and an accountant records that refund (outside the gateway)"
)
DATE_FORMAT = "%Y%m%d%H%M%S"
OK = "0"
STATUS_OUTCOME = {"0": Outcome.PAID, "1": Outcome.FAILED, "2": Outcome.CANCELLED}
FEE_KIND = {"fee": 1, "charge": 2}  # LoaiPhiLePhi: 1 phí, 2 lệ phí (the source sends 2)
NOTIFICATION_FIELDS = (
    "client_id",
    "transaction_id",
    "transaction_code",
    "trans_amount",
    "payment_fee",
    "addition_fee",
    "command",
    "version",
    "status",
    "payment_time",
)


def checksum(key: str, *parts: str) -> str:
    """HMAC-SHA256 (hex) of the parts joined with ``|``."""
    return hmac.new(key.encode(), "|".join(parts).encode(), hashlib.sha256).hexdigest()


def pay_checksum(key: str, fields: Mapping[str, str]) -> str:
    """The checksum: addition_fee|client_id|command|trans_amount|transaction_id|version."""
    return checksum(
        key,
        *(
            str(fields.get(name, ""))
            for name in (
                "addition_fee",
                "client_id",
                "command",
                "trans_amount",
                "transaction_id",
                "version",
            )
        ),
    )


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.lower().encode(), b.lower().encode())


def parse_time(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, DATE_FORMAT).replace(tzinfo=GMT7)
    except ValueError:
        return None


def whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


class PlatformGateway:
    """The national portal's payment platform adapter (settings ``DVCQG_PAYMENT_*``)."""

    code = "dvcqg"
    name = "Cổng Dịch vụ công quốc gia"
    can_refund = False  # no refund call: paid back by the treasury or the bank, then recorded

    def __init__(self) -> None:
        self.client_id: str = settings.DVCQG_PAYMENT_CLIENT_ID
        self.request_key: str = settings.DVCQG_PAYMENT_HASH_KEY_1
        self.notify_key: str = settings.DVCQG_PAYMENT_HASH_KEY_2
        self.url: str = settings.DVCQG_PAYMENT_URL.rstrip("/") + "/"
        self.version: str = settings.DVCQG_PAYMENT_VERSION
        self.merchant: dict[str, str] = settings.DVCQG_PAYMENT_MERCHANT
        self.timeout: float = settings.PAYMENTS_HTTP_TIMEOUT
        if not (self.client_id and self.request_key and self.notify_key):
            raise GatewayError(
                "The national portal's payment platform is not configured (DVCQG_PAYMENT_*)",
                retry=False,
            )

    def bill_info(self, bill: Bill, payer: Payer) -> dict[str, Any]:
        merchant = self.merchant
        return {
            "MaDichVu": merchant.get("service_code", "2"),
            "MaDonVi": merchant.get("unit_code", ""),
            "TenDonVi": merchant.get("unit_name", ""),
            "MaHoSo": bill.dossier_code,
            "MaTTHC": bill.procedure_code,
            "TenTTHC": bill.procedure_name,
            "MaDVC": bill.procedure_code,
            "TenDVC": bill.procedure_name,
            "NoiDungThanhToan": bill.content,
            "HoTenNguoiNop": payer.name,
            "SoCMNDNguoiNop": payer.identification,
            "DiaChiNguoiNop": payer.address,
            "MaCoQuanQD": bill.agency_code,
            "TenCoQuanQD": bill.agency_name,
            "KhoBac": merchant.get("treasury", ""),
            "TaiKhoanThuNSNN": merchant.get("treasury_account", ""),
            "DSKhoanNop": [{"NoiDung": bill.content, "SoTien": str(bill.amount)}],
            "PhiLePhi": [
                {
                    "LoaiPhiLePhi": FEE_KIND.get(line.kind, 2),
                    "MaPhiLePhi": line.code,
                    "TenPhiLePhi": line.name,
                    "SoTien": line.amount,
                }
                for line in bill.lines
            ],
            "TKThuHuong": merchant.get("account", ""),
            "MaNHThuHuong": merchant.get("bank_code", ""),
            "TenTKThuHuong": merchant.get("account_name", ""),
        }

    def post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        try:
            with httpx.Client(timeout=self.timeout) as client:
                response = client.post(self.url + path, json=body)
            response.raise_for_status()
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise GatewayError(f"payment platform unreachable: {type(exc).__name__}") from exc
        if not isinstance(answer, dict):
            raise GatewayError("payment platform answer not understood")
        error = str(answer.get("error", ""))
        if error != OK:
            raise GatewayError(
                f"payment platform refused: {error} {str(answer.get('msg', ''))[:200]}".strip(),
                code=error,
                retry=False,
            )
        return answer

    def checkout(self, request: CheckoutRequest) -> Checkout:
        if not request.bills:
            raise GatewayError("a payment needs at least one bill", retry=False)
        if sum(b.amount for b in request.bills) != request.amount:
            raise GatewayError("the bills do not add up to the amount", retry=False)
        bills = [self.bill_info(b, request.payer) for b in request.bills]
        body: dict[str, Any] = {
            "client_id": self.client_id,
            "transaction_id": request.reference,
            "trans_amount": str(request.amount),
            "command": "PAY",
            "version": self.version,
            "description": request.description[:255],
            "locale": "en" if request.language.startswith("en") else "vn",
            "country_code": "VN",
            "currency_code": "VND",
            "environment": "1",
            "return_url": request.return_url,
            "addition_fee": "0",
            "bill_info": bills[0] if len(bills) == 1 else bills,
        }
        body["check_sum"] = pay_checksum(self.request_key, body)
        answer = self.post("transaction/create", body)
        url = str(answer.get("payment_url", ""))
        if not url:
            raise GatewayError("payment platform gave no payment_url", retry=False)
        return Checkout(redirect_url=url, gateway_reference=request.reference)

    def verify(self, fields: Mapping[str, Any]) -> dict[str, str]:
        text = {k: "" if v is None else str(v) for k, v in fields.items()}
        given = text.get("check_sum", "")
        if not given or not same(pay_checksum(self.notify_key, text), given):
            raise BadSignature("check_sum does not verify")
        if text.get("client_id") != self.client_id:
            raise BadSignature("client_id is not ours")
        return text

    def report(self, fields: Mapping[str, str]) -> Report:
        status = fields.get("status", "")
        return Report(
            reference=fields.get("transaction_id", ""),
            amount=whole(fields.get("trans_amount", "")),
            outcome=STATUS_OUTCOME.get(status, Outcome.PENDING),
            gateway_transaction=fields.get("transaction_code", ""),
            paid_at=parse_time(fields.get("payment_time", "")) if status == OK else None,
            response_code=status,
            raw={k: fields[k] for k in NOTIFICATION_FIELDS if k in fields},
        )

    def read_return(self, params: Mapping[str, str]) -> Report:
        return self.report(self.verify(params))

    def read_notification(self, request: HttpRequest) -> Report:
        try:
            data = json.loads(request.body)
        except ValueError as exc:
            raise BadSignature("notification is not JSON") from exc
        if not isinstance(data, dict):
            raise BadSignature("notification is not a JSON object")
        report = self.report(self.verify(data))
        if report.outcome is Outcome.PAID:  # the checksum does not cover the status
            confirmed = self.query(
                reference=report.reference,
                created_at=report.paid_at or dt.datetime.now(tz=GMT7),
                client_ip="",
            )
            if confirmed.outcome is not Outcome.PAID or confirmed.amount != report.amount:
                raise BadSignature("the platform does not confirm this payment")
        return report

    def answer(self, answer: Answer, *, message: str = "") -> HttpResponse:
        # A repeat of a confirmed payment is a success to the platform (stop resending).
        good = answer in (Answer.CONFIRMED, Answer.ALREADY_CONFIRMED)
        return JsonResponse(
            {
                "return_code": 0 if good else -1,
                "return_msg": message or ("success" if good else answer.value),
            }
        )

    def query(self, *, reference: str, created_at: dt.datetime, client_ip: str) -> Report:
        body = {
            "client_id": self.client_id,
            "transaction_id": reference,
            "command": "PAY",
            "check_sum": checksum(self.request_key, self.client_id, "PAY", reference),
        }
        answer = self.post("transaction/detail", body)
        try:
            fields = self.verify(answer)
        except BadSignature as exc:
            raise GatewayError(f"payment platform answer: {exc}") from exc
        return self.report(fields)

    def refund(
        self,
        *,
        reference: str,
        amount: int,
        full: bool,
        gateway_transaction: str,
        created_at: dt.datetime,
        actor: str,
        client_ip: str,
    ) -> RefundResult:
        raise GatewayError(NO_REFUND, code=UNSUPPORTED, retry=False)

    def refund_query(
        self, *, reference: str, created_at: dt.datetime, client_ip: str
    ) -> RefundCheck:
        raise GatewayError(NO_REFUND, code=UNSUPPORTED, retry=False)

    def statement(self, day: dt.date) -> list[StatementLine]:
        stamp = day.strftime("%Y%m%d")
        body = {
            "client_id": self.client_id,
            "command": "STATEMENT",
            "date": stamp,
            "check_sum": checksum(self.request_key, self.client_id, "STATEMENT", stamp),
        }
        answer = self.post("transaction/statement", body)
        rows = answer.get("transactions")
        if not isinstance(rows, list):
            raise GatewayError("payment platform statement not understood", retry=False)
        lines = []
        for row in rows:
            if not isinstance(row, dict):
                continue
            at = parse_time(str(row.get("payment_time", "")))
            if at is None:
                raise GatewayError("statement row without a valid payment_time", retry=False)
            lines.append(
                StatementLine(
                    reference=str(row.get("transaction_id", "")),
                    gateway_transaction=str(row.get("transaction_code", "")),
                    amount=whole(str(row.get("trans_amount", ""))),
                    kind="payment",
                    at=at,
                    outcome=STATUS_OUTCOME.get(str(row.get("status", "")), Outcome.PENDING),
                )
            )
        return lines
