"""eSMS.vn brandname SMS (customer-care messages, ``SmsType`` 2) over its JSON REST API.

Protocol (developers.esms.vn, "Send OTP/Customer care message" and "Table of
error codes"): ``POST {base}/MainService.svc/json/SendMultipleMessage_V4_post_json/``
with a JSON body of strings ``ApiKey``, ``SecretKey``, ``Phone``, ``Content``,
``Brandname``, ``SmsType``, ``IsUnicode`` ("1" Unicode, "0" not), ``Sandbox``
and ``RequestId`` (ours, at most 50 characters; the gateway refuses a second
request with the same id for 24 hours, code 124). The answer is JSON:
``CodeResult`` ("100" accepted), ``SMSID`` (the gateway's reference),
``ErrorMessage``. Code 100 means accepted by the gateway, not yet delivered.
"""

from __future__ import annotations

import logging

import httpx
from django.conf import settings

from . import SmsResult

logger = logging.getLogger(__name__)
SEND_PATH = "MainService.svc/json/SendMultipleMessage_V4_post_json/"
ACCEPTED = "100"
DUPLICATE_REQUEST = "124"  # our own earlier attempt got through: already sent
# Refusals about this message itself (blocked or malformed number, content not matching a
# registered template): trying again cannot help. Others (balance, keys, brandname, IP
# whitelist, unknown) are the account's and may be fixed meanwhile: retried with back-off.
PERMANENT = {"99", "108", "118", "146", "177"}


class EsmsGateway:
    """The eSMS.vn adapter: one HTTP client kept open between sends."""

    def __init__(self) -> None:
        self.account = {
            "ApiKey": settings.OUTBOX_ESMS_API_KEY,
            "SecretKey": settings.OUTBOX_ESMS_SECRET_KEY,
            "Brandname": settings.OUTBOX_ESMS_BRANDNAME,
            "SmsType": "2",
            "IsUnicode": "1" if settings.OUTBOX_SMS_UNICODE else "0",
            "Sandbox": "1" if settings.OUTBOX_ESMS_SANDBOX else "0",
        }
        self.client = httpx.Client(
            base_url=settings.OUTBOX_ESMS_URL.rstrip("/") + "/",
            timeout=settings.OUTBOX_SMS_TIMEOUT,
        )

    def send(self, *, phone: str, text: str, request_id: str) -> SmsResult:
        payload = {**self.account, "Phone": phone, "Content": text, "RequestId": request_id}
        try:
            try:
                response = self.client.post(SEND_PATH, json=payload)
            except (httpx.ConnectError, httpx.RemoteProtocolError):
                # A kept-alive connection the server had closed: once more on a new one
                # (safe: the RequestId makes a repeat harmless).
                response = self.client.post(SEND_PATH, json=payload)
            response.raise_for_status()
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            return SmsResult(ok=False, error=f"gateway unreachable: {type(exc).__name__}")
        if not isinstance(answer, dict):
            return SmsResult(ok=False, error="gateway answer not understood")
        code = str(answer.get("CodeResult", ""))
        if code in (ACCEPTED, DUPLICATE_REQUEST):
            return SmsResult(ok=True, provider_ref=str(answer.get("SMSID") or ""))
        words = str(answer.get("ErrorMessage") or "")[:200]
        return SmsResult(ok=False, error=f"{code} {words}".strip(), retry=code not in PERMANENT)

    def close(self) -> None:
        self.client.close()
