"""The VNPost simulator: token, create, cancel, the paged events, and the post's own page.

Mounted under ``/sim/vnpost/`` only when ``POSTAL_SIMULATOR`` is on. It speaks
VNPost's public-service order API as ``motcua.postal.carriers.vnpost``
describes it (written apart from the adapter on purpose: the contract tests
run one against the other). The page ``don-hang/`` lists the orders with a
button for each move a postal worker makes (collecting, collected, handed
over, in transit, delivered to someone, failed for a reason, returned); each
move is an event of the paged list and a signed webhook, sent now, twice,
held back (so that the next one overtakes it) or not at all.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import math
import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.simulators.payment_delivery import deliver

from .models import SimEvent, SimOrder, SimWebhook

TOKEN_SALT = "vnpost-sim-token"  # noqa: S105 - a signing salt, not a secret
TOKEN_SECONDS = 3600
OK, DUPLICATE, INVALID, NOT_FOUND, NOT_CANCELLABLE = 100, 101, 102, 103, 104
# The moves of the page: (status code, message); delivered and failed take a note.
MOVES: dict[str, tuple[int, str]] = {
    "collecting": (2, "Bưu tá đang đi nhận hồ sơ"),
    "collected": (3, "Đã nhận hồ sơ, đã niêm phong"),
    "handed_over": (4, "Đã giao hồ sơ cho cơ quan"),
    "in_transit": (5, "Đang vận chuyển"),
    "delivered": (6, "Phát thành công"),
    "failed": (7, "Phát không thành công"),
    "returned": (8, "Đã chuyển hoàn về cơ quan"),
}
WEBHOOK_MODES = ("now", "twice", "held", "none")
HELD_SECONDS = 30
REQUIRED = ("CustomerCode", "OrderNumber", "SenderName", "ReceiverName", "ReceiverAddress")


def answer(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"Status": status, "Message": message, **extra})


def _authorised(request: HttpRequest) -> bool:
    kind, _, value = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() != "bearer" or not value:
        return False
    try:
        signing.loads(value, salt=TOKEN_SALT, max_age=TOKEN_SECONDS)
    except signing.BadSignature:
        return False
    return True


def unauthorised() -> JsonResponse:
    return JsonResponse({"error": "invalid_token"}, status=401)


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    """Client credentials: Basic base64(key:secret) and ``grant_type=client_credentials``."""
    kind, _, value = request.headers.get("Authorization", "").partition(" ")
    try:
        key, _, secret = base64.b64decode(value).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        key = secret = ""
    good = (
        kind == "Basic"
        and hmac.compare_digest(key, settings.VNPOST_CUSTOMER_KEY)
        and hmac.compare_digest(secret, settings.VNPOST_SECRET_KEY)
    )
    if not good:
        return JsonResponse({"error": "invalid_client"}, status=401)
    if request.body.decode(errors="replace").strip() != "grant_type=client_credentials":
        return JsonResponse({"error": "unsupported_grant_type"}, status=400)
    access = signing.dumps({"k": key, "n": secrets.token_hex(4)}, salt=TOKEN_SALT)
    return JsonResponse(
        {"access_token": access, "token_type": "Bearer", "expires_in": TOKEN_SECONDS}
    )


def new_item_code() -> str:
    return f"EB{secrets.randbelow(10**9):09d}VN"


def add_event(order: SimOrder, code: int, message: str, notes: str = "", mode: str = "now") -> None:
    """Record an event of ``order`` and push it by webhook as ``mode`` says."""
    event = SimEvent.objects.create(
        order=order, status_code=code, message=message, notes=notes, event_time=timezone.now()
    )
    order.status_code = code
    order.save(update_fields=["status_code"])
    if mode == "none" or not settings.POSTAL_SIMULATOR_WEBHOOK_URL:
        return
    body = json.dumps({"_embedded": {"rh:doc": [event.doc()]}}, ensure_ascii=False)
    signature = hmac.new(
        settings.VNPOST_WEBHOOK_SECRET.encode(), body.encode(), hashlib.sha256
    ).hexdigest()
    now = timezone.now()
    offsets = {"now": [0], "twice": [0, 2], "held": [HELD_SECONDS]}[mode]
    rows = [
        SimWebhook.objects.create(
            url=settings.POSTAL_SIMULATOR_WEBHOOK_URL,
            body=body,
            signature=signature,
            due_at=now + dt.timedelta(seconds=offset),
        )
        for offset in offsets
    ]
    if rows[0].due_at <= now:
        transaction.on_commit(lambda: deliver(rows[0], SimWebhook))


@csrf_exempt
@require_POST
def order_post(request: HttpRequest) -> JsonResponse:
    if not _authorised(request):
        return unauthorised()
    try:
        body = json.loads(request.body)
    except ValueError:
        return answer(INVALID, "Dữ liệu không đúng định dạng JSON")
    if not isinstance(body, dict):
        return answer(INVALID, "Dữ liệu không đúng định dạng JSON")
    missing = [name for name in REQUIRED if not str(body.get(name) or "").strip()]
    if not str(body.get("SenderTel") or body.get("ReceiverTel") or "").strip():
        missing.append("SenderTel/ReceiverTel")
    if missing:
        return answer(INVALID, f"Thiếu thông tin: {', '.join(missing)}")
    if body["CustomerCode"] != settings.VNPOST_CUSTOMER_CODE:
        return answer(INVALID, "Mã khách hàng không đúng (CustomerCode)")
    try:
        cod = float(body.get("CODAmount") or 0)
    except (TypeError, ValueError):
        return answer(INVALID, "Số tiền thu hộ không hợp lệ (CODAmount)")
    if cod < 0 or not math.isfinite(cod):
        return answer(INVALID, "Số tiền thu hộ không hợp lệ (CODAmount)")
    number = str(body["OrderNumber"])[:40]
    existing = SimOrder.objects.filter(customer_code=body["CustomerCode"], order_number=number)
    found = existing.first()
    if found is not None:
        return answer(DUPLICATE, "Đơn hàng đã tồn tại (OrderNumber)", ItemCode=found.item_code)
    try:
        with transaction.atomic():
            order = SimOrder.objects.create(
                customer_code=body["CustomerCode"],
                order_number=number,
                item_code=new_item_code(),
                cod_amount=int(cod),
                request=body,
            )
            add_event(order, 1, "Đã tiếp nhận đơn hàng")
    except IntegrityError:  # the same number twice at once
        found = existing.first()
        return answer(
            DUPLICATE,
            "Đơn hàng đã tồn tại (OrderNumber)",
            ItemCode=found.item_code if found else "",
        )
    return answer(OK, "Tạo đơn hàng thành công", ItemCode=order.item_code)


@require_GET
def order_cancel(request: HttpRequest) -> JsonResponse:
    if not _authorised(request):
        return unauthorised()
    customer = request.GET.get("CustomerCode", "")
    number = request.GET.get("OrderNumber", "")
    with transaction.atomic():
        order = (
            SimOrder.objects.select_for_update()
            .filter(customer_code=customer, order_number=number)
            .first()
        )
        if order is None:
            return answer(NOT_FOUND, "Không tìm thấy đơn hàng")
        if order.status_code == 9:
            return answer(OK, "Đơn hàng đã hủy")
        if order.status_code >= 3:
            return answer(NOT_CANCELLABLE, "Bưu tá đã nhận hàng, không thể hủy đơn")
        add_event(order, 9, "Đã hủy theo yêu cầu của khách hàng")
    return answer(OK, "Hủy đơn hàng thành công")


@require_GET
def order_tracking(request: HttpRequest) -> JsonResponse:
    """The customer's events after ``lastId`` (24 hex digits), oldest first, a page of them."""
    if not _authorised(request):
        return unauthorised()
    try:
        size = max(1, min(int(request.GET.get("pagesize", "50")), 1000))
        after = int(request.GET.get("lastId") or "0", 16)
    except ValueError:
        return JsonResponse({"error": "invalid lastId or pagesize"}, status=400)
    events = SimEvent.objects.filter(
        order__customer_code=settings.VNPOST_CUSTOMER_CODE, pk__gt=after
    ).select_related("order")
    left = events.count()
    page = list(events.order_by("pk")[:size])
    return JsonResponse(
        {
            "_size": left,
            "_total_pages": math.ceil(left / size) if left else 0,
            "_returned": len(page),
            "_embedded": {"rh:doc": [e.doc() for e in page]},
        }
    )


@require_http_methods(["GET", "POST"])
def orders(request: HttpRequest) -> HttpResponse:
    """The post's own page: the orders, and a button for each move of a postal worker."""
    if request.method == "POST":
        order = get_object_or_404(SimOrder, pk=request.POST.get("order", "0") or "0")
        move = request.POST.get("move", "")
        mode = request.POST.get("webhook", "now")
        note = request.POST.get("note", "").strip()[:255]
        if move not in MOVES or mode not in WEBHOOK_MODES:
            return HttpResponse("Lựa chọn không hợp lệ", status=400, content_type="text/plain")
        if move in ("delivered", "failed") and not note:
            return HttpResponse(
                "Ghi người nhận (phát thành công) hoặc lý do (không thành công)",
                status=400,
                content_type="text/plain",
            )
        code, message = MOVES[move]
        with transaction.atomic():
            add_event(order, code, message, note, mode)
        return redirect("vnpost_sim:orders")
    recent = SimOrder.objects.prefetch_related("events")[:100]
    return render(
        request,
        "vnpost_sim/orders.html",
        {"orders": recent, "moves": MOVES, "modes": WEBHOOK_MODES},
    )
