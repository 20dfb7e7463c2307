"""The eSMS.vn simulator: the send endpoint of its JSON API, answering with its codes.

Mounted under ``/sim/esms/`` only when ``OUTBOX_SMS_SIMULATOR`` is on. Checks
what the real gateway checks first (keys, message type, brandname, number),
refuses a ``RequestId`` it has seen (124), records what it accepts.
"""

from __future__ import annotations

import json
import re
import time
import uuid

from django.conf import settings
from django.db import IntegrityError
from django.db.models import F
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import SimulatedSms, SimulatorControl

PHONE = re.compile(r"^(0|84)\d{9}$")


def _answer(code: str, message: str = "", sms_id: str = "") -> JsonResponse:
    body: dict[str, object] = {"CodeResult": code, "CountRegenerate": 0}
    if sms_id:
        body["SMSID"] = sms_id
    if message:
        body["ErrorMessage"] = message
    return JsonResponse(body)


def _fail_now() -> str | None:
    """Return the code to refuse this send with, counting it down, or None."""
    control = SimulatorControl.objects.first()
    if control is None:
        return None
    if control.delay_ms:
        time.sleep(control.delay_ms / 1000)
    if control.fail_next and SimulatorControl.objects.filter(pk=control.pk, fail_next__gt=0).update(
        fail_next=F("fail_next") - 1
    ):
        return control.fail_code
    return None


@csrf_exempt
@require_POST
def send(request: HttpRequest) -> JsonResponse:
    try:
        data = json.loads(request.body)
    except ValueError:
        return _answer("99", "Invalid request")
    if not isinstance(data, dict):
        return _answer("99", "Invalid request")
    field = {k: str(v) for k, v in data.items()}
    if (field.get("ApiKey"), field.get("SecretKey")) != (
        settings.OUTBOX_ESMS_API_KEY,
        settings.OUTBOX_ESMS_SECRET_KEY,
    ):
        return _answer("101", "ApiKey or SecretKey is incorrect")
    if field.get("SmsType") != "2":
        return _answer("118", "SmsType is not supported")
    if field.get("Brandname") != settings.OUTBOX_ESMS_BRANDNAME:
        return _answer("104", "Brandname does not exist")
    if not PHONE.match(field.get("Phone", "")):
        return _answer("108", "Phone number is not in correct format")
    content = field.get("Content", "")
    if not content.strip():
        return _answer("99", "Content is empty")
    request_id = field.get("RequestId", "")[:50] or None
    code = _fail_now()
    if code:
        return _answer(code, "Simulated failure")
    sms_id = uuid.uuid4().hex
    try:
        SimulatedSms.objects.create(
            request_id=request_id,
            sms_id=sms_id,
            phone=field["Phone"],
            brandname=field["Brandname"],
            content=content,
            is_unicode=field.get("IsUnicode") == "1",
        )
    except IntegrityError:  # one statement in autocommit: nothing to roll back
        return _answer("124", "Duplicate RequestId")  # the unique request id
    return _answer("100", sms_id=sms_id)
