"""The VNPAY simulator: the pay URL, the payer's page, querydr and refund, the daily statement.

Mounted under ``/sim/vnpay/`` only when ``PAYMENTS_SIMULATOR`` is on. It
checks the merchant's signature as VNPAY does (``protocol.py``), lets the
payer pay, fail, cancel or pay late, redirects back with signed fields and
sends the signed IPN (a GET) to the merchant's registered IPN URL at once,
later, twice, after the return, or never.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.simulators.payment_delivery import deliver, ipn_offsets, parse_choice

from . import protocol
from .models import SimNotification, SimRefund, SimTransaction

REQUIRED = (
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_Amount",
    "vnp_CurrCode",
    "vnp_TxnRef",
    "vnp_OrderInfo",
    "vnp_ReturnUrl",
    "vnp_IpAddr",
    "vnp_CreateDate",
)
OUTCOMES = {  # the payer's button: (vnp_ResponseCode, vnp_TransactionStatus)
    "pay": ("00", "00"),
    "fail": ("51", "02"),  # not enough money in the account
    "cancel": ("24", "02"),  # the payer cancelled
    "late": ("00", "00"),  # paid, confirmed by the bank later ("01" until then)
}


def error_page(request: HttpRequest, code: str, message: str, status: int = 400) -> HttpResponse:
    return render(
        request, "vnpay_sim/error.html", {"code": code, "message": message}, status=status
    )


def new_number() -> str:
    return str(14_000_000 + secrets.randbelow(85_000_000))


@require_GET
def pay(request: HttpRequest) -> HttpResponse:
    """``paymentv2/vpcpay.html``: check the signed request, open the payer's page."""
    fields = request.GET.dict()
    if fields.get("vnp_TmnCode") != settings.VNPAY_TMN_CODE:
        return error_page(request, "72", "Không tìm thấy website (vnp_TmnCode)")
    if not protocol.query_verifies(fields):
        return error_page(request, "70", "Sai chữ ký (vnp_SecureHash)")
    missing = [name for name in REQUIRED if not fields.get(name)]
    amount = fields.get("vnp_Amount", "")
    if (
        missing
        or fields["vnp_Version"] not in ("2.1.0", "2.0.1")
        or fields["vnp_Command"] != "pay"
        or fields["vnp_CurrCode"] != "VND"
        or not amount.isdigit()
        or int(amount) < 500_000  # 5,000 VND at least
        or int(amount) % 100
        or protocol.parse_stamp(fields["vnp_CreateDate"]) is None
    ):
        return error_page(request, "03", "Dữ liệu gửi sang không đúng định dạng")
    expires = protocol.parse_stamp(fields.get("vnp_ExpireDate", ""))
    if expires is not None and expires < protocol.now_gmt7():
        return error_page(request, "11", "Giao dịch đã quá thời gian chờ thanh toán")
    existing = SimTransaction.objects.filter(
        tmn_code=fields["vnp_TmnCode"], txn_ref=fields["vnp_TxnRef"]
    ).first()
    if existing is not None:
        if existing.response_code:
            return error_page(request, "94", "Giao dịch đã tồn tại (vnp_TxnRef)")
        return redirect("vnpay_sim:page", number=existing.transaction_no)
    try:
        txn = SimTransaction.objects.create(
            tmn_code=fields["vnp_TmnCode"],
            txn_ref=fields["vnp_TxnRef"][:100],
            transaction_no=new_number(),
            amount=int(amount) // 100,
            order_info=fields["vnp_OrderInfo"][:255],
            locale=fields.get("vnp_Locale", "vn")[:2],
            return_url=fields["vnp_ReturnUrl"][:1000],
            ip_addr=fields["vnp_IpAddr"][:45],
            create_date=fields["vnp_CreateDate"],
            expire_date=fields.get("vnp_ExpireDate", "")[:14],
            bank_code=fields.get("vnp_BankCode", "")[:20],
        )
    except IntegrityError:  # the same reference twice at once
        return error_page(request, "94", "Giao dịch đã tồn tại (vnp_TxnRef)")
    return redirect("vnpay_sim:page", number=txn.transaction_no)


def result_fields(txn: SimTransaction, *, settled: bool) -> dict[str, str]:
    """The signed fields of a return or IPN for this payment (as it stands)."""
    status = txn.transaction_status if settled else "01"
    fields = {
        "vnp_Amount": str(txn.amount * 100),
        "vnp_BankCode": txn.bank_code or "NCB",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": txn.order_info,
        "vnp_PayDate": txn.pay_date,
        "vnp_ResponseCode": txn.response_code,
        "vnp_TmnCode": txn.tmn_code,
        "vnp_TransactionNo": txn.transaction_no,
        "vnp_TransactionStatus": status,
        "vnp_TxnRef": txn.txn_ref,
    }
    if txn.response_code == "00":
        fields["vnp_BankTranNo"] = f"VNP{txn.transaction_no}"
    return fields


def is_settled(txn: SimTransaction, now: dt.datetime | None = None) -> bool:
    return txn.settled_at is None or txn.settled_at <= (now or timezone.now())


@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, number: str) -> HttpResponse:
    """The payer's page: pay, fail, cancel or pay late; and what the IPN should do."""
    txn = get_object_or_404(SimTransaction, transaction_no=number)
    if request.method == "GET":
        return render(request, "vnpay_sim/pay.html", {"txn": txn, "done": bool(txn.response_code)})
    choice = parse_choice(request.POST)
    if choice is None:
        return error_page(request, "03", "Lựa chọn không hợp lệ")
    action, mode, delay, twice = choice
    now = timezone.now()
    offsets = ipn_offsets(action=action, mode=mode, delay=delay, twice=twice)
    with transaction.atomic():
        locked = SimTransaction.objects.select_for_update().get(pk=txn.pk)
        if locked.response_code:
            return error_page(request, "94", "Giao dịch đã được xử lý", status=409)
        locked.response_code, locked.transaction_status = OUTCOMES[action]
        locked.pay_date = protocol.stamp(now)
        locked.settled_at = (
            now + dt.timedelta(seconds=offsets[0] if offsets else 30)
            if (action == "late")
            else None
        )
        locked.save()
        query = protocol.signed_query(result_fields(locked, settled=True))
        url = settings.PAYMENTS_SIMULATOR_IPN_URLS["vnpay"]
        rows = [
            SimNotification.objects.create(
                transaction=locked, url=url, query=query, due_at=now + dt.timedelta(seconds=s)
            )
            for s in offsets
        ]
    for row, seconds in zip(rows, offsets, strict=True):
        if seconds == 0:
            deliver(row, SimNotification)  # before the payer is sent back, as VNPAY does
    back = protocol.signed_query(result_fields(locked, settled=action != "late"))
    joiner = "&" if "?" in locked.return_url else "?"
    return redirect(f"{locked.return_url}{joiner}{back}")


def api_answer(fields: dict[str, str], order: list[str]) -> JsonResponse:
    fields["vnp_SecureHash"] = protocol.hmac512(protocol.piped(fields, order))
    return JsonResponse(fields)


def api_refusal(command: str, code: str, message: str) -> JsonResponse:
    fields = {
        "vnp_ResponseId": secrets.token_hex(16),
        "vnp_Command": command,
        "vnp_ResponseCode": code,
        "vnp_Message": message,
        "vnp_TmnCode": settings.VNPAY_TMN_CODE,
    }
    order = protocol.ANSWER_ORDER if command == "querydr" else protocol.REFUND_ANSWER_ORDER
    return api_answer(fields, order)


@csrf_exempt
@require_POST
def api(request: HttpRequest) -> JsonResponse:
    """``merchant_webapi/api/transaction``: querydr and refund, JSON both ways."""
    try:
        data = json.loads(request.body)
    except ValueError:
        return api_refusal("", "03", "Invalid data format")
    if not isinstance(data, dict):
        return api_refusal("", "03", "Invalid data format")
    fields = {k: "" if v is None else str(v) for k, v in data.items()}
    command = fields.get("vnp_Command", "")
    if command not in ("querydr", "refund"):
        return api_refusal(command, "03", "Invalid command")
    order = protocol.QUERY_ORDER if command == "querydr" else protocol.REFUND_ORDER
    given = fields.get("vnp_SecureHash", "").lower()
    if not given or given != protocol.hmac512(protocol.piped(fields, order)):
        return api_refusal(command, "97", "Invalid Checksum")
    if fields.get("vnp_TmnCode") != settings.VNPAY_TMN_CODE:
        return api_refusal(command, "02", "Invalid TmnCode")
    if (
        not fields.get("vnp_RequestId")
        or protocol.parse_stamp(fields.get("vnp_CreateDate", "")) is None
    ):
        return api_refusal(command, "03", "Invalid data format")
    txn = SimTransaction.objects.filter(
        tmn_code=fields["vnp_TmnCode"], txn_ref=fields.get("vnp_TxnRef", "")
    ).first()
    if txn is None or fields.get("vnp_TransactionDate") != txn.create_date:
        # VNPAY finds a payment by its reference and its date: the pay URL's vnp_CreateDate.
        return api_refusal(command, "91", "Transaction not found")
    if command == "querydr":
        return querydr(txn)
    return refund(txn, fields)


def querydr(txn: SimTransaction) -> JsonResponse:
    settled = is_settled(txn)
    status = txn.transaction_status if txn.response_code else "01"
    if txn.response_code and not settled:
        status = "01"
    kind = "01"  # the payment; once refunded, the refund's own type (02 full, 03 partial)
    if txn.refunded and status == "00":
        status = "05" if txn.refunded < txn.amount else "06"
        latest = txn.refunds.order_by("-id").first()
        kind = latest.transaction_type if latest is not None else "02"
    fields = {
        "vnp_ResponseId": secrets.token_hex(16),
        "vnp_Command": "querydr",
        "vnp_ResponseCode": "00",
        "vnp_Message": "QueryDR Success",
        "vnp_TmnCode": txn.tmn_code,
        "vnp_TxnRef": txn.txn_ref,
        "vnp_Amount": str(txn.amount * 100),
        "vnp_BankCode": txn.bank_code or "NCB",
        "vnp_PayDate": txn.pay_date,
        "vnp_TransactionNo": txn.transaction_no,
        "vnp_TransactionType": kind,
        "vnp_TransactionStatus": status,
        "vnp_OrderInfo": txn.order_info,
        "vnp_PromotionCode": "",
        "vnp_PromotionAmount": "",
    }
    return api_answer(fields, protocol.ANSWER_ORDER)


def refund(txn: SimTransaction, fields: dict[str, str]) -> JsonResponse:
    kind = fields.get("vnp_TransactionType", "")
    amount_text = fields.get("vnp_Amount", "")
    if kind not in ("02", "03") or not amount_text.isdigit() or int(amount_text) % 100:
        return api_refusal("refund", "03", "Invalid data format")
    amount = int(amount_text) // 100
    with transaction.atomic():
        locked = SimTransaction.objects.select_for_update().get(pk=txn.pk)
        if (locked.response_code, locked.transaction_status) != ("00", "00") or not is_settled(
            locked
        ):
            return api_refusal("refund", "95", "Transaction is not successful at VNPAY")
        left = locked.amount - locked.refunded
        if amount <= 0 or amount > left or (kind == "02" and amount != left):
            return api_refusal("refund", "03", "Invalid amount")
        if kind == "02" and locked.refunded:
            return api_refusal("refund", "95", "Full refund after a partial one")
        if SimRefund.objects.filter(request_id=fields["vnp_RequestId"][:32]).exists():
            return api_refusal("refund", "94", "Duplicate request")
        done = SimRefund.objects.create(
            transaction=locked,
            request_id=fields["vnp_RequestId"][:32],
            transaction_no=new_number(),
            transaction_type=kind,
            amount=amount,
            created_by=fields.get("vnp_CreateBy", "")[:250],
        )
        locked.refunded += amount
        locked.save(update_fields=["refunded"])
    answer = {
        "vnp_ResponseId": secrets.token_hex(16),
        "vnp_Command": "refund",
        "vnp_ResponseCode": "00",
        "vnp_Message": "Refund success",
        "vnp_TmnCode": locked.tmn_code,
        "vnp_TxnRef": locked.txn_ref,
        "vnp_Amount": str(amount * 100),
        "vnp_BankCode": locked.bank_code or "NCB",
        "vnp_PayDate": protocol.stamp(timezone.now()),
        "vnp_TransactionNo": done.transaction_no,
        "vnp_TransactionType": kind,
        "vnp_TransactionStatus": "05",
        "vnp_OrderInfo": fields.get("vnp_OrderInfo", ""),
    }
    return api_answer(answer, protocol.REFUND_ANSWER_ORDER)


@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    """The day's settled payments and refunds as CSV (what the merchant portal exports)."""
    tmn = request.GET.get("vnp_TmnCode", "")
    day = request.GET.get("date", "")
    given = request.GET.get("vnp_SecureHash", "").lower()
    if tmn != settings.VNPAY_TMN_CODE or not given or given != protocol.hmac512(f"{tmn}|{day}"):
        return HttpResponse("97 Invalid Checksum\n", status=403, content_type="text/plain")
    try:
        date = dt.datetime.strptime(day, "%Y%m%d").replace(tzinfo=protocol.GMT7).date()
    except ValueError:
        return HttpResponse("03 Invalid date\n", status=400, content_type="text/plain")
    start = dt.datetime.combine(date, dt.time(), tzinfo=protocol.GMT7)
    end = start + dt.timedelta(days=1)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["vnp_TxnRef", "vnp_TransactionNo", "kind", "vnp_Amount", "vnp_PayDate", "status"]
    )
    for txn in SimTransaction.objects.filter(
        tmn_code=tmn, response_code="00", transaction_status="00", pay_date__startswith=day
    ).order_by("pay_date", "id"):
        if is_settled(txn):
            row = [txn.txn_ref, txn.transaction_no, "payment", txn.amount * 100, txn.pay_date, "00"]
            writer.writerow(row)
    for ref in SimRefund.objects.filter(
        transaction__tmn_code=tmn, created_at__gte=start, created_at__lt=end
    ).select_related("transaction"):
        writer.writerow(
            [
                ref.transaction.txn_ref,
                ref.transaction_no,
                "refund",
                ref.amount * 100,
                protocol.stamp(ref.created_at),
                "00",
            ]
        )
    return HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
