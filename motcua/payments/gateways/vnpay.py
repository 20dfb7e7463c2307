"""VNPAY payment gateway, API version 2.1.0, in its own protocol.

Source: VNPAY's public integration documents (sandbox.vnpayment.vn/apis/docs:
"Hướng dẫn tích hợp" / "thanh-toan-pay/pay.html" for the pay URL, the return
URL and the IPN; "truy-van-hoan-tien/querydr&refund.html" for querydr and refund).

- Pay: the payer is redirected (GET) to ``VNPAY_PAY_URL`` with ``vnp_*``
  fields; every non-empty field, sorted by name, URL-encoded as a form
  (spaces as ``+``) and joined with ``&``, is signed with HMAC-SHA512 under the
  merchant's hash secret into ``vnp_SecureHash`` (hex). ``vnp_Amount`` is VND x
  100; ``vnp_CreateDate``/``vnp_ExpireDate`` are ``yyyyMMddHHmmss`` in GMT+7;
  ``vnp_TxnRef`` is unique per day; ``vnp_OrderInfo`` is Vietnamese without
  diacritics or special characters.
- Return and IPN carry ``vnp_*`` fields signed the same way (the hash fields
  themselves left out). A payment is paid only when ``vnp_ResponseCode`` and
  ``vnp_TransactionStatus`` are both ``00``. The IPN is a GET from VNPAY's
  servers to the IPN URL registered with VNPAY (not sent in the request); the
  merchant answers JSON ``{"RspCode", "Message"}``: 00 confirmed, 01 order not
  found, 02 already confirmed, 04 invalid amount, 97 invalid signature, 99 other.
- querydr and refund: JSON POSTs to ``VNPAY_API_URL``, each signed with
  HMAC-SHA512 over its own fields joined with ``|`` in the documented order
  (``QUERY_FIELDS``, ``REFUND_FIELDS``); answers are signed over
  ``ANSWER_FIELDS`` (querydr) or ``REFUND_ANSWER_FIELDS``.
- A refund whose answer we never recorded is asked about with querydr: the
  transaction's ``vnp_TransactionType`` (02 full / 03 partial refund) and
  ``vnp_TransactionStatus`` (05 refund under way, 06 sent to the bank, 09
  refused) say whether VNPAY has it; a payment (01) still ``00`` has none.
- Statement: VNPAY has no public statement API. The merchant portal
  (merchant.vnpay.vn) exports the day's transactions as a spreadsheet; this
  adapter reads that export as CSV (``STATEMENT_COLUMNS``, our assumed column
  set) from ``VNPAY_STATEMENT_URL``: the local simulator's signed daily file, or
  where a deployment drops the export (a ``file://`` path or an internal URL).

Nothing here logs personal data or secrets.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import re
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import quote_plus, urlparse
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

import httpx
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from .base import (
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

VERSION = "2.1.0"
GMT7 = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y%m%d%H%M%S"
HASH_FIELDS_OUT = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})
PAID = "00"
CANCELLED_BY_PAYER = "24"
NOT_COMPLETED = "01"  # vnp_TransactionStatus: the payment is not finished yet
FULL_REFUND = "02"
PARTIAL_REFUND = "03"
# vnp_TransactionStatus of a refund: 05 VNPAY is processing it, 06 sent to the bank, 09 refused.
REFUND_UNDER_WAY = frozenset({"05", "06"})
REFUND_REFUSED = "09"

# The signed fields of querydr and refund, in the order of VNPAY's documents.
QUERY_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
ANSWER_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)
REFUND_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_ANSWER_FIELDS = ANSWER_FIELDS[:13]

# The merchant's answers to an IPN, and VNPAY's own wording of them.
RSP_CODES: dict[Answer, tuple[str, str]] = {
    Answer.CONFIRMED: ("00", "Confirm Success"),
    Answer.NOT_FOUND: ("01", "Order not found"),
    Answer.ALREADY_CONFIRMED: ("02", "Order already confirmed"),
    Answer.INVALID_AMOUNT: ("04", "invalid amount"),
    Answer.INVALID_SIGNATURE: ("97", "Invalid signature"),
    Answer.OTHER: ("99", "Unknown error"),
}

# The daily statement file (our reading of the merchant portal's export).
STATEMENT_COLUMNS = (
    "vnp_TxnRef",
    "vnp_TransactionNo",
    "kind",
    "vnp_Amount",
    "vnp_PayDate",
    "status",
)


def sign(secret: str, data: str) -> str:
    """HMAC-SHA512 of ``data`` under ``secret``, lower-case hex (VNPAY's checksum)."""
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def hash_data(fields: Mapping[str, str]) -> str:
    """The signed string of a pay URL, return or IPN: sorted, form-encoded, ``&``-joined.

    Every ``vnp_*`` field but the hash ones counts, an empty one too (as VNPAY's
    own samples hash what they receive); a pay URL is built without empty fields.
    """
    return "&".join(
        f"{quote_plus(k)}={quote_plus(v)}"
        for k, v in sorted(fields.items())
        if k.startswith("vnp_") and k not in HASH_FIELDS_OUT
    )


def pipe_data(fields: Mapping[str, str], order: Sequence[str]) -> str:
    """The signed string of an API call or answer: the fields in ``order``, ``|``-joined."""
    return "|".join(str(fields.get(name, "")) for name in order)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.lower().encode(), b.lower().encode())


def vnpay_time(moment: dt.datetime) -> str:
    return moment.astimezone(GMT7).strftime(DATE_FORMAT)


def parse_time(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, DATE_FORMAT).replace(tzinfo=GMT7)
    except ValueError:
        return None


def order_info(text: str) -> str:
    """Vietnamese without diacritics or special characters, as VNPAY asks (255 at most)."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", re.sub(r"[^A-Za-z0-9 .,:\-]", " ", plain)).strip()[:255]


def outcome_of(response_code: str, transaction_status: str) -> Outcome:
    if response_code == PAID and transaction_status == PAID:
        return Outcome.PAID
    if transaction_status == NOT_COMPLETED:
        return Outcome.PENDING
    if response_code == CANCELLED_BY_PAYER:
        return Outcome.CANCELLED
    return Outcome.FAILED


def amount_of(text: str) -> int:
    """Whole VND from VNPAY's amount (VND x 100)."""
    try:
        return int(text) // 100
    except ValueError:
        return 0


class VnpayGateway:
    """The VNPAY adapter: settings read when made, one HTTP client for the API calls."""

    code = "vnpay"
    name = "VNPAY"
    can_refund = True

    def __init__(self) -> None:
        self.tmn_code: str = settings.VNPAY_TMN_CODE
        self.secret: str = settings.VNPAY_HASH_SECRET
        self.pay_url: str = settings.VNPAY_PAY_URL
        self.api_url: str = settings.VNPAY_API_URL
        self.statement_url: str = settings.VNPAY_STATEMENT_URL
        self.timeout: float = settings.PAYMENTS_HTTP_TIMEOUT
        if not (self.tmn_code and self.secret):
            raise GatewayError(
                "VNPAY is not configured (VNPAY_TMN_CODE, VNPAY_HASH_SECRET)", retry=False
            )

    # The payer's way: a signed redirect there, a signed return here.

    def checkout(self, request: CheckoutRequest) -> Checkout:
        if not re.fullmatch(r"[A-Za-z0-9]{8,34}", request.reference):
            raise GatewayError("reference must be 8-34 letters and digits", retry=False)
        if request.amount <= 0:
            raise GatewayError("amount must be positive", retry=False)
        fields = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(request.amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": request.reference,
            "vnp_OrderInfo": order_info(request.description) or request.reference,
            "vnp_OrderType": "other",
            "vnp_Locale": "en" if request.language.startswith("en") else "vn",
            "vnp_ReturnUrl": request.return_url,
            "vnp_IpAddr": request.client_ip or "127.0.0.1",
            "vnp_CreateDate": vnpay_time(request.created_at),
            "vnp_ExpireDate": vnpay_time(request.expires_at),
        }
        query = hash_data({k: v for k, v in fields.items() if v})
        return Checkout(
            redirect_url=f"{self.pay_url}?{query}&vnp_SecureHash={sign(self.secret, query)}"
        )

    def verify(self, params: Mapping[str, str]) -> dict[str, str]:
        """The ``vnp_*`` fields of a return or IPN whose signature holds; ``BadSignature``."""
        fields = {k: str(v) for k, v in params.items() if k.startswith("vnp_")}
        given = fields.get("vnp_SecureHash", "")
        if not given or not same(sign(self.secret, hash_data(fields)), given):
            raise BadSignature("vnp_SecureHash does not verify")
        if fields.get("vnp_TmnCode", self.tmn_code) != self.tmn_code:
            raise BadSignature("vnp_TmnCode is not ours")
        return fields

    def report(self, fields: Mapping[str, str]) -> Report:
        return Report(
            reference=fields.get("vnp_TxnRef", ""),
            amount=amount_of(fields.get("vnp_Amount", "")),
            outcome=outcome_of(
                fields.get("vnp_ResponseCode", ""), fields.get("vnp_TransactionStatus", "")
            ),
            gateway_transaction=fields.get("vnp_TransactionNo", ""),
            paid_at=parse_time(fields.get("vnp_PayDate", "")),
            response_code=fields.get("vnp_ResponseCode", ""),
            raw={k: v for k, v in fields.items() if k not in HASH_FIELDS_OUT},
        )

    def read_return(self, params: Mapping[str, str]) -> Report:
        return self.report(self.verify(params))

    def read_notification(self, request: HttpRequest) -> Report:
        return self.report(self.verify(request.GET.dict()))

    def answer(self, answer: Answer, *, message: str = "") -> HttpResponse:
        code, words = RSP_CODES[answer]
        return JsonResponse({"RspCode": code, "Message": message or words})

    # Server to server: querydr, refund.

    def call(
        self, fields: dict[str, str], order: Sequence[str], answer_order: Sequence[str]
    ) -> dict[str, str]:
        fields["vnp_SecureHash"] = sign(self.secret, pipe_data(fields, order))
        try:
            with httpx.Client(timeout=self.timeout) as client:
                response = client.post(self.api_url, json=fields)
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise GatewayError(f"VNPAY unreachable: {type(exc).__name__}") from exc
        if not isinstance(body, dict):
            raise GatewayError("VNPAY answer not understood")
        answer = {k: "" if v is None else str(v) for k, v in body.items()}
        given = answer.get("vnp_SecureHash", "")
        if not given or not same(sign(self.secret, pipe_data(answer, answer_order)), given):
            raise GatewayError(
                "VNPAY answer signature does not verify",
                code=answer.get("vnp_ResponseCode", ""),
            )
        return answer

    def base_fields(self, command: str, client_ip: str) -> dict[str, str]:
        return {
            "vnp_RequestId": uuid.uuid4().hex,
            "vnp_Version": VERSION,
            "vnp_Command": command,
            "vnp_TmnCode": self.tmn_code,
            "vnp_CreateDate": vnpay_time(dt.datetime.now(tz=GMT7)),
            "vnp_IpAddr": client_ip or "127.0.0.1",
        }

    def query(self, *, reference: str, created_at: dt.datetime, client_ip: str) -> Report:
        fields = self.base_fields("querydr", client_ip)
        fields |= {
            "vnp_TxnRef": reference,
            "vnp_TransactionDate": vnpay_time(created_at),
            "vnp_OrderInfo": f"Truy van giao dich {reference}",
        }
        answer = self.call(fields, QUERY_FIELDS, ANSWER_FIELDS)
        code = answer.get("vnp_ResponseCode", "")
        if code != PAID:
            raise GatewayError(
                f"VNPAY querydr refused: {code} {answer.get('vnp_Message', '')}".strip(),
                code=code,
                retry=code not in {"91", "02", "03", "97"},
            )
        # The query answered: the transaction's own outcome is its status.
        status = answer.get("vnp_TransactionStatus", "")
        report = self.report({**answer, "vnp_ResponseCode": status})
        return Report(
            reference=report.reference or reference,
            amount=report.amount,
            outcome=report.outcome,
            gateway_transaction=report.gateway_transaction,
            paid_at=report.paid_at,
            response_code=status,
            raw={**report.raw, "vnp_ResponseCode": code},
        )

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
        if amount <= 0:
            raise GatewayError("refund amount must be positive", retry=False)
        fields = self.base_fields("refund", client_ip)
        fields |= {
            "vnp_TransactionType": FULL_REFUND if full else PARTIAL_REFUND,
            "vnp_TxnRef": reference,
            "vnp_Amount": str(amount * 100),
            "vnp_TransactionNo": gateway_transaction,
            # The payment's vnp_CreateDate at checkout (not its vnp_PayDate), as for querydr.
            "vnp_TransactionDate": vnpay_time(created_at),
            "vnp_CreateBy": order_info(actor)[:250] or "motcua",
            "vnp_OrderInfo": f"Hoan tien giao dich {reference}",
        }
        answer = self.call(fields, REFUND_FIELDS, REFUND_ANSWER_FIELDS)
        code = answer.get("vnp_ResponseCode", "")
        return RefundResult(
            ok=code == PAID,
            gateway_transaction=answer.get("vnp_TransactionNo", ""),
            response_code=code,
            message=answer.get("vnp_Message", "")[:200],
        )

    def refund_query(
        self, *, reference: str, created_at: dt.datetime, client_ip: str
    ) -> RefundCheck:
        fields = self.base_fields("querydr", client_ip)
        fields |= {
            "vnp_TxnRef": reference,
            "vnp_TransactionDate": vnpay_time(created_at),
            "vnp_OrderInfo": f"Truy van hoan tien {reference}",
        }
        answer = self.call(fields, QUERY_FIELDS, ANSWER_FIELDS)
        code = answer.get("vnp_ResponseCode", "")
        if code != PAID:
            raise GatewayError(
                f"VNPAY querydr refused: {code} {answer.get('vnp_Message', '')}".strip(),
                code=code,
                retry=code not in {"02", "03", "97"},
            )
        kind = answer.get("vnp_TransactionType", "")
        status = answer.get("vnp_TransactionStatus", "")
        said = {
            "gateway_transaction": answer.get("vnp_TransactionNo", ""),
            "response_code": status,
            "message": answer.get("vnp_Message", "")[:200],
        }
        if kind in (FULL_REFUND, PARTIAL_REFUND) or status in REFUND_UNDER_WAY:
            if status == REFUND_REFUSED:
                return RefundCheck(RefundOutcome.REFUSED, **said)
            if status == PAID or status in REFUND_UNDER_WAY:
                return RefundCheck(RefundOutcome.DONE, **said)
            return RefundCheck(RefundOutcome.UNKNOWN, **said)
        if status == PAID:  # the payment itself, paid and never refunded: the refund never came
            return RefundCheck(RefundOutcome.REFUSED, **said)
        return RefundCheck(RefundOutcome.UNKNOWN, **said)

    # The day's statement (the merchant portal's export, see the module docstring).

    def statement(self, day: dt.date) -> list[StatementLine]:
        text = self.statement_text(day)
        lines = []
        for row in csv.DictReader(io.StringIO(text)):
            at = parse_time(row.get("vnp_PayDate", ""))
            if at is None:
                raise GatewayError("statement row without a valid vnp_PayDate", retry=False)
            lines.append(
                StatementLine(
                    reference=row.get("vnp_TxnRef", ""),
                    gateway_transaction=row.get("vnp_TransactionNo", ""),
                    amount=amount_of(row.get("vnp_Amount", "")),
                    kind="refund" if row.get("kind") == "refund" else "payment",
                    at=at,
                    outcome=outcome_of(row.get("status", ""), row.get("status", "")),
                )
            )
        return lines

    def statement_text(self, day: dt.date) -> str:
        if not self.statement_url:
            raise GatewayError("no VNPAY statement source (VNPAY_STATEMENT_URL)", retry=False)
        stamp = day.strftime("%Y%m%d")
        if self.statement_url.startswith("file://"):
            folder = Path(url2pathname(urlparse(self.statement_url).path))
            try:
                return (folder / f"vnpay-{self.tmn_code}-{stamp}.csv").read_text(encoding="utf-8")
            except OSError as exc:
                raise GatewayError(f"statement file missing for {stamp}") from exc
        params = {
            "vnp_TmnCode": self.tmn_code,
            "date": stamp,
            "vnp_SecureHash": sign(self.secret, f"{self.tmn_code}|{stamp}"),
        }
        try:
            with httpx.Client(timeout=self.timeout) as client:
                response = client.get(self.statement_url, params=params)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise GatewayError(f"VNPAY statement unreachable: {type(exc).__name__}") from exc
        return response.text
