"""VNPAY 2.1.0 as the simulator speaks it, written apart from the adapter on purpose.

The contract tests run the adapter against this code: a signing mistake in
one shows as a refusal by the other. Codes of the payment page's refusals
are those VNPAY's error page shows (70 wrong signature, 72 unknown
terminal, 03 bad data, 94 repeated reference, 11 expired); querydr and
refund answer with their documented codes (00, 02, 03, 91, 94, 95, 97, 99).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings

GMT7 = ZoneInfo("Asia/Ho_Chi_Minh")
QUERY_ORDER = [
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
]
REFUND_ORDER = [
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
]
ANSWER_ORDER = [
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
]
REFUND_ANSWER_ORDER = ANSWER_ORDER[:13]


def hmac512(data: str) -> str:
    secret = settings.VNPAY_HASH_SECRET.encode()
    return hmac.new(secret, data.encode("utf-8"), hashlib.sha512).hexdigest()


def signed_query(fields: Mapping[str, str]) -> str:
    """The fields sorted and form-encoded, with ``vnp_SecureHash`` appended."""
    query = urlencode(sorted((k, v) for k, v in fields.items() if v != ""))
    return f"{query}&vnp_SecureHash={hmac512(query)}"


def query_verifies(fields: Mapping[str, str]) -> bool:
    given = fields.get("vnp_SecureHash", "")
    data = urlencode(
        sorted(
            (k, v)
            for k, v in fields.items()
            if k.startswith("vnp_") and k not in ("vnp_SecureHash", "vnp_SecureHashType")
        )
    )
    return bool(given) and hmac.compare_digest(hmac512(data), given.lower())


def piped(fields: Mapping[str, str], order: Iterable[str]) -> str:
    return "|".join(str(fields.get(name, "")) for name in order)


def now_gmt7() -> dt.datetime:
    return dt.datetime.now(tz=GMT7)


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(GMT7).strftime("%Y%m%d%H%M%S")


def parse_stamp(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=GMT7)
    except ValueError:
        return None
