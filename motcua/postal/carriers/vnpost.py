"""VNPost's API for public-service orders (the NGSP gateway at api.mitc.vn), in its own protocol.

Source: VietOpenCPS/opencps-v2 (``backend-postal-api-rest``: ``VNPostManagementImpl``
and the VNPost SDK it ships, ``VNPostNGSPSDK.jar``; read, not copied). What it
shows, and this adapter speaks:

- Token: ``POST VNPOST_TOKEN_URL`` with ``Authorization: Basic
  base64(customer key:secret key)`` and the form body
  ``grant_type=client_credentials``; the answer is ``{access_token,
  token_type, expires_in}`` (an OAuth2 client-credentials gateway). Every call
  then sends ``Authorization: <token_type> <access_token>``.
- Create: ``POST {VNPOST_API_URL}/order/post``, JSON ``{CustomerCode,
  OrderNumber, CODAmount, SenderProvince, SenderDistrict, SenderAddress,
  SenderName, SenderEmail, SenderTel, SenderDesc, Description, ReceiverName,
  ReceiverAddress, ReceiverTel, ReceiverProvince, ReceiverDistrict,
  ReceiverEmail}`` (provinces and districts are integers); the answer is
  ``{Status, Message}``.
- Cancel: ``GET {VNPOST_API_URL}/order/cancel?CustomerCode=..&OrderNumber=..``,
  answer ``{Status, Message}``.
- Tracking: ``GET {VNPOST_API_URL}/order/tracking?pagesize=N&lastId=<id>``
  (from ``000000000000000000000000``), answer ``{_size, _total_pages,
  _returned, _embedded: {"rh:doc": [{_id: {$oid}, CustomerCode, OrderNumber,
  EventTime, POSID, ItemCode, StatusCode, StatusMessage, Notes}]}}``: every
  event of the customer after ``lastId``, oldest first.

Assumed (not in the public code; see docs/architecture.md "Postal carrier"):
the paths of cancel and tracking (the provincial system keeps them as
configuration), ``Status`` codes (``STATUS_*``), the meaning of each
``StatusCode`` (``STATE_OF_CODE``), ``EventTime`` in milliseconds since the
epoch, ``ItemCode`` as the postal tracking number (also in the create answer
when given), ``Notes`` carrying the recipient of a delivery or the reason of
a failure, and the webhook: the same ``rh:doc`` list POSTed to us, signed
with HMAC-SHA256 of the raw body under ``VNPOST_WEBHOOK_SECRET`` in the
``X-VNPost-Signature`` header (hex).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from motcua.postal.models import OrderState

from .base import BadSignature, CarrierError, CarrierEvent, EventPage, Registered, Shipment

FIRST_ID = "000000000000000000000000"
SIGNATURE_HEADER = "X-VNPost-Signature"
# ``Status`` of the answers to create and cancel.
STATUS_OK = 100
STATUS_DUPLICATE = 101  # this OrderNumber was created before: the order exists
STATUS_INVALID = 102
STATUS_NOT_FOUND = 103
STATUS_NOT_CANCELLABLE = 104  # collected already
# What each ``StatusCode`` of a tracking event means for our order.
STATE_OF_CODE: dict[int, str] = {
    1: OrderState.REGISTERED,  # Đã tiếp nhận đơn hàng
    2: OrderState.COLLECTING,  # Bưu tá đang đi nhận hồ sơ
    3: OrderState.COLLECTED,  # Đã nhận hồ sơ / kết quả, niêm phong
    4: OrderState.HANDED_OVER,  # Đã giao hồ sơ cho cơ quan
    5: OrderState.IN_TRANSIT,  # Đang vận chuyển, đang phát
    6: OrderState.DELIVERED,  # Phát thành công (Notes: người nhận)
    7: OrderState.FAILED,  # Phát không thành công (Notes: lý do)
    8: OrderState.RETURNED,  # Đã chuyển hoàn về cơ quan
    9: OrderState.CANCELLED,  # Đã hủy
}
CODE_OF_STATE = {state: code for code, state in STATE_OF_CODE.items()}
TOKEN_CACHE_KEY = "postal:vnpost:token"  # noqa: S105 - a cache key, not a secret


def sign(body: bytes, secret: str) -> str:
    """The webhook's signature: HMAC-SHA256 of the raw body, hex."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _as_int(code: str) -> int:
    return int(code) if code.isdigit() else 0


def event_of(doc: Mapping[str, Any]) -> CarrierEvent:
    """Read one ``rh:doc`` item; CarrierError if it lacks what an event needs."""
    try:
        oid = doc["_id"]["$oid"] if isinstance(doc["_id"], Mapping) else doc["_id"]
        code = int(doc["StatusCode"])
        millis = int(doc["EventTime"])
        number = str(doc["OrderNumber"]).strip()
    except (KeyError, TypeError, ValueError) as exc:
        raise CarrierError(f"unreadable event: {type(exc).__name__}", retry=False) from exc
    if not oid or not number:
        raise CarrierError("event without id or order number", retry=False)
    return CarrierEvent(
        external_id=str(oid)[:64],
        order_number=number[:40],
        code=str(code),
        state=STATE_OF_CODE.get(code, ""),
        happened_at=dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC),
        message=str(doc.get("StatusMessage") or "")[:500],
        notes=str(doc.get("Notes") or "")[:255],
        tracking_number=str(doc.get("ItemCode") or "")[:40],
        raw=dict(doc),
    )


def events_of(body: Mapping[str, Any]) -> list[CarrierEvent]:
    docs = (body.get("_embedded") or {}).get("rh:doc") or []
    if not isinstance(docs, list):
        raise CarrierError("unreadable event list", retry=False)
    return [event_of(doc) for doc in docs]


class VnpostCarrier:
    code = "vnpost"
    name = "Bưu điện Việt Nam (VNPost)"

    def __init__(self) -> None:
        self.timeout = settings.POSTAL_HTTP_TIMEOUT
        self.api = settings.VNPOST_API_URL.rstrip("/")
        self.key, self.secret = settings.VNPOST_CUSTOMER_KEY, settings.VNPOST_SECRET_KEY

    # The token -------------------------------------------------------------------------------

    def _token(self, *, fresh: bool = False) -> str:
        """The ``Authorization`` value, from the cache until shortly before it expires."""
        if not fresh:
            cached: str | None = cache.get(TOKEN_CACHE_KEY)
            if cached:
                return cached
        key, secret = self.key, self.secret
        if not key or not secret:
            raise CarrierError("VNPOST_CUSTOMER_KEY / VNPOST_SECRET_KEY not set", retry=False)
        basic = base64.b64encode(f"{key}:{secret}".encode()).decode()
        try:
            response = httpx.post(
                settings.VNPOST_TOKEN_URL,
                content=b"grant_type=client_credentials",
                headers={
                    "Authorization": f"Basic {basic}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise CarrierError(f"token: {type(exc).__name__}", code="unreachable") from exc
        if response.status_code != 200:
            raise CarrierError(
                f"token refused: HTTP {response.status_code}",
                code=str(response.status_code),
                retry=response.status_code >= 500,
            )
        try:
            body = response.json()
            value = f"{body.get('token_type') or 'Bearer'} {body['access_token']}"
            lifetime = int(body.get("expires_in") or 300)
        except (ValueError, KeyError, TypeError) as exc:
            raise CarrierError("token: unreadable answer") from exc
        cache.set(TOKEN_CACHE_KEY, value, max(lifetime - 60, 30))
        return value

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the API with the token (a fresh one once if it was refused); the JSON answer."""
        for fresh in (False, True):
            headers = {
                "Authorization": self._token(fresh=fresh),
                "Accept": "application/json",
                "Accept-Charset": "UTF-8",
            }
            try:
                response = httpx.request(
                    method, f"{self.api}{path}", headers=headers, timeout=self.timeout, **kwargs
                )
            except httpx.TimeoutException as exc:
                raise CarrierError(f"{path}: timeout", code="timeout") from exc
            except httpx.HTTPError as exc:
                raise CarrierError(f"{path}: {type(exc).__name__}", code="unreachable") from exc
            if response.status_code == 401 and not fresh:
                cache.delete(TOKEN_CACHE_KEY)
                continue
            if response.status_code != 200:
                raise CarrierError(
                    f"{path}: HTTP {response.status_code}",
                    code=str(response.status_code),
                    retry=response.status_code >= 500 or response.status_code == 429,
                )
            try:
                return response.json()
            except ValueError as exc:
                raise CarrierError(f"{path}: unreadable answer") from exc
        raise CarrierError(f"{path}: token refused", code="401", retry=False)  # pragma: no cover

    @staticmethod
    def _status(answer: Any) -> tuple[int, str]:
        try:
            return int(answer["Status"]), str(answer.get("Message") or "")
        except (KeyError, TypeError, ValueError) as exc:
            raise CarrierError("unreadable answer") from exc

    # The calls ---------------------------------------------------------------------------------

    def register(self, shipment: Shipment) -> Registered:
        s, r = shipment.sender, shipment.receiver
        body = {
            "CustomerCode": settings.VNPOST_CUSTOMER_CODE,
            "OrderNumber": shipment.order_number,
            "CODAmount": float(shipment.cod_amount),
            "SenderProvince": _as_int(s.province),
            "SenderDistrict": _as_int(s.district),
            "SenderAddress": s.address,
            "SenderName": s.name,
            "SenderEmail": s.email,
            "SenderTel": s.phone,
            "SenderDesc": shipment.sender_desc,
            "Description": shipment.description,
            "ReceiverName": r.name,
            "ReceiverAddress": r.address,
            "ReceiverTel": r.phone,
            "ReceiverProvince": _as_int(r.province),
            "ReceiverDistrict": _as_int(r.district),
            "ReceiverEmail": r.email,
        }
        answer = self._call("POST", "/order/post", json=body)
        status, message = self._status(answer)
        item = str(answer.get("ItemCode") or "")[:40]
        if status == STATUS_OK:
            return Registered(tracking_number=item)
        if status == STATUS_DUPLICATE:  # an earlier attempt went through (a timeout, a retry)
            return Registered(tracking_number=item, already=True)
        raise CarrierError(message or f"refused ({status})", code=str(status), retry=False)

    def cancel(self, order_number: str) -> None:
        answer = self._call(
            "GET",
            "/order/cancel",
            params={"CustomerCode": settings.VNPOST_CUSTOMER_CODE, "OrderNumber": order_number},
        )
        status, message = self._status(answer)
        if status != STATUS_OK:
            raise CarrierError(message or f"refused ({status})", code=str(status), retry=False)

    def events(self, *, after: str, size: int) -> EventPage:
        answer = self._call(
            "GET", "/order/tracking", params={"pagesize": size, "lastId": after or FIRST_ID}
        )
        if not isinstance(answer, Mapping):
            raise CarrierError("tracking: unreadable answer")
        return EventPage(events=events_of(answer), total_pages=int(answer.get("_total_pages") or 0))

    def read_webhook(self, request: HttpRequest) -> list[CarrierEvent]:
        secret = settings.VNPOST_WEBHOOK_SECRET
        given = request.headers.get(SIGNATURE_HEADER, "").strip().lower()
        if not secret or not given or not hmac.compare_digest(sign(request.body, secret), given):
            raise BadSignature("VNPost webhook signature")
        try:
            body = json.loads(request.body)
        except ValueError as exc:
            raise CarrierError("webhook: not JSON", retry=False) from exc
        if not isinstance(body, Mapping):
            raise CarrierError("webhook: not an object", retry=False)
        return events_of(body)
