"""The national portal's payment platform simulator (see ``payments/gateways/dvcqg.py``).

Mounted under ``/sim/dvcqg/`` only when ``PAYMENTS_SIMULATOR`` is on. Creates
transactions from the merchant's signed JSON (refusing a wrong client, a bad
checksum, bills that do not add up, a repeated transaction id), shows the
payer's page, redirects back with the signed fields and POSTs the signed
notification to the merchant's registered URL (at once, later, twice, after
the return, or never); answers the detail query and the daily statement.
Error codes other than "0" are this simulator's (assumed, see the adapter).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from motcua.simulators.payment_delivery import deliver, ipn_offsets, parse_choice

from .models import PlatformNotification, PlatformTransaction

GMT7 = ZoneInfo("Asia/Ho_Chi_Minh")
BAD_CHECKSUM, BAD_DATA, DUPLICATE, UNKNOWN_CLIENT, NOT_FOUND = "1", "2", "3", "4", "5"
OUTCOMES = {"pay": "0", "fail": "1", "cancel": "2", "late": "0"}


def hmac256(key: str, *parts: str) -> str:
    return hmac.new(key.encode(), "|".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def pay_sum(key: str, f: dict[str, str]) -> str:
    names = ("addition_fee", "client_id", "command", "trans_amount", "transaction_id", "version")
    return hmac256(key, *(f.get(n, "") for n in names))


def refuse(code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": code, "msg": message})


def read_json(request: HttpRequest) -> dict[str, Any] | None:
    try:
        data = json.loads(request.body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def texts(data: dict[str, Any]) -> dict[str, str]:
    return {
        k: "" if v is None else str(v) for k, v in data.items() if not isinstance(v, (dict, list))
    }


def bills_total(bills: list[Any]) -> int | None:
    """What the bills' payable items add up to, or None when they are malformed."""
    total = 0
    try:
        for bill in bills:
            items = bill["DSKhoanNop"]
            lines = bill["PhiLePhi"]
            owed = sum(int(item["SoTien"]) for item in items)
            if not bill.get("MaHoSo") or sum(int(line["SoTien"]) for line in lines) != owed:
                return None
            total += owed
    except (KeyError, TypeError, ValueError):
        return None
    return total


@csrf_exempt
@require_POST
def create(request: HttpRequest) -> JsonResponse:
    data = read_json(request)
    if data is None:
        return refuse(BAD_DATA, "invalid JSON")
    f = texts(data)
    if f.get("client_id") != settings.DVCQG_PAYMENT_CLIENT_ID:
        return refuse(UNKNOWN_CLIENT, "unknown client_id")
    if not hmac.compare_digest(
        pay_sum(settings.DVCQG_PAYMENT_HASH_KEY_1, f), f.get("check_sum", "").lower()
    ):
        return refuse(BAD_CHECKSUM, "check_sum invalid")
    bill_info = data.get("bill_info")
    bills = bill_info if isinstance(bill_info, list) else [bill_info]
    amount, fee = f.get("trans_amount", ""), f.get("addition_fee", "0") or "0"
    if (
        not amount.isdigit()
        or not fee.isdigit()
        or int(amount) <= 0
        or f.get("command") != "PAY"
        or not f.get("transaction_id")
        or not f.get("return_url", "").startswith(("http://", "https://"))
        or bills_total(bills) != int(amount) - int(fee)
    ):
        return refuse(BAD_DATA, "invalid data")
    try:
        txn = PlatformTransaction.objects.create(
            client_id=f["client_id"],
            transaction_id=f["transaction_id"][:100],
            transaction_code=f"DVC{secrets.randbelow(10**12):012d}",
            trans_amount=int(amount),
            addition_fee=int(fee),
            command=f["command"],
            version=f.get("version", "")[:10],
            description=f.get("description", "")[:255],
            return_url=f["return_url"][:1000],
            bills=bills,
        )
    except IntegrityError:
        return refuse(DUPLICATE, "transaction_id already used")
    url = request.build_absolute_uri(reverse("dvcqg_payment_sim:page", args=[txn.transaction_code]))
    return JsonResponse({"error": "0", "msg": "success", "payment_url": url})


def signed_fields(txn: PlatformTransaction, *, settled: bool = True) -> dict[str, str]:
    fields = {
        "client_id": txn.client_id,
        "transaction_id": txn.transaction_id,
        "transaction_code": txn.transaction_code,
        "trans_amount": str(txn.trans_amount),
        "payment_fee": "0",
        "addition_fee": str(txn.addition_fee),
        "command": txn.command,
        "version": txn.version,
        "status": txn.status if settled else "9",  # 9: not settled yet (assumed)
        "payment_time": txn.payment_time,
    }
    fields["check_sum"] = pay_sum(settings.DVCQG_PAYMENT_HASH_KEY_2, fields)
    return fields


def is_settled(txn: PlatformTransaction) -> bool:
    return txn.settled_at is None or txn.settled_at <= timezone.now()


@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, code: str) -> HttpResponse:
    txn = get_object_or_404(PlatformTransaction, transaction_code=code)
    if request.method == "GET":
        return render(request, "dvcqg_sim/pay.html", {"txn": txn, "done": bool(txn.status)})
    choice = parse_choice(request.POST)
    if choice is None:
        return render(request, "dvcqg_sim/pay.html", {"txn": txn, "done": True}, status=400)
    action, mode, delay, twice = choice
    now = timezone.now()
    offsets = ipn_offsets(action=action, mode=mode, delay=delay, twice=twice)
    with transaction.atomic():
        locked = PlatformTransaction.objects.select_for_update().get(pk=txn.pk)
        if locked.status:
            return render(request, "dvcqg_sim/pay.html", {"txn": locked, "done": True}, status=409)
        locked.status = OUTCOMES[action]
        locked.payment_time = now.astimezone(GMT7).strftime("%Y%m%d%H%M%S")
        if action == "late":
            locked.settled_at = now + dt.timedelta(seconds=offsets[0] if offsets else 30)
        locked.save()
        body = signed_fields(locked)
        url = settings.PAYMENTS_SIMULATOR_IPN_URLS["dvcqg"]
        rows = [
            PlatformNotification.objects.create(
                transaction=locked, url=url, body=body, due_at=now + dt.timedelta(seconds=s)
            )
            for s in offsets
        ]
    for row, seconds in zip(rows, offsets, strict=True):
        if seconds == 0:
            deliver(row, PlatformNotification)
    back = urlencode(signed_fields(locked, settled=action != "late"))
    joiner = "&" if "?" in locked.return_url else "?"
    return redirect(f"{locked.return_url}{joiner}{back}")


@csrf_exempt
@require_POST
def detail(request: HttpRequest) -> JsonResponse:
    data = read_json(request)
    if data is None:
        return refuse(BAD_DATA, "invalid JSON")
    f = texts(data)
    if f.get("client_id") != settings.DVCQG_PAYMENT_CLIENT_ID:
        return refuse(UNKNOWN_CLIENT, "unknown client_id")
    expected = hmac256(
        settings.DVCQG_PAYMENT_HASH_KEY_1,
        f["client_id"],
        f.get("command", ""),
        f.get("transaction_id", ""),
    )
    if not hmac.compare_digest(expected, f.get("check_sum", "").lower()):
        return refuse(BAD_CHECKSUM, "check_sum invalid")
    txn = PlatformTransaction.objects.filter(
        client_id=f["client_id"], transaction_id=f.get("transaction_id", "")
    ).first()
    if txn is None:
        return refuse(NOT_FOUND, "transaction not found")
    settled = bool(txn.status) and is_settled(txn)
    return JsonResponse({"error": "0", "msg": "success", **signed_fields(txn, settled=settled)})


@csrf_exempt
@require_POST
def statement(request: HttpRequest) -> JsonResponse:
    data = read_json(request)
    if data is None:
        return refuse(BAD_DATA, "invalid JSON")
    f = texts(data)
    if f.get("client_id") != settings.DVCQG_PAYMENT_CLIENT_ID:
        return refuse(UNKNOWN_CLIENT, "unknown client_id")
    day = f.get("date", "")
    expected = hmac256(settings.DVCQG_PAYMENT_HASH_KEY_1, f["client_id"], f.get("command", ""), day)
    if f.get("command") != "STATEMENT" or not hmac.compare_digest(
        expected, f.get("check_sum", "").lower()
    ):
        return refuse(BAD_CHECKSUM, "check_sum invalid")
    if not (len(day) == 8 and day.isdigit()):
        return refuse(BAD_DATA, "invalid date")
    rows = [
        {
            "transaction_id": t.transaction_id,
            "transaction_code": t.transaction_code,
            "trans_amount": str(t.trans_amount),
            "status": t.status,
            "payment_time": t.payment_time,
        }
        for t in PlatformTransaction.objects.filter(
            client_id=f["client_id"], status="0", payment_time__startswith=day
        ).order_by("payment_time", "id")
        if is_settled(t)
    ]
    return JsonResponse({"error": "0", "msg": "success", "transactions": rows})
