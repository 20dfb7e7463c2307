"""The post's pushed tracking events: ``/buu-chinh/webhook/<carrier>/``.

Signature first: a notification that does not verify is answered 401 with a
JSON error (Vietnamese, with English) and leaves nothing but a log line.
A verified one is ingested at once (``tracking.events_ingest``: idempotent,
in any order); what it could not apply is kept for review.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.api.errors import error_body

from .carriers import UnknownCarrier
from .carriers import carrier as carrier_of
from .carriers.base import BadSignature, CarrierError
from .models import TrackingEvent
from .tracking import events_ingest

logger = logging.getLogger(__name__)

BAD_SIGNATURE = gettext_lazy("The notification's signature does not verify.")
UNREADABLE = gettext_lazy("The notification could not be read.")
NO_CARRIER = gettext_lazy("No postal carrier has this code.")


def _error(code: str, message: object, status: int) -> JsonResponse:
    """The error body in Vietnamese, with the English beside it (the carrier's staff read both)."""
    with translation.override("vi"):
        vi = str(message)
    with translation.override("en"):
        en = str(message)
    body = error_body(code, vi)
    body["error"]["message_en"] = en
    return JsonResponse(body, status=status)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, carrier: str) -> JsonResponse:
    """Receive a carrier's tracking events: verify, ingest, answer what was done."""
    try:
        adapter = carrier_of(carrier)
    except UnknownCarrier:
        return _error("not_found", NO_CARRIER, 404)
    try:
        events = adapter.read_webhook(request)
    except BadSignature:
        logger.warning("postal webhook from %s refused: bad signature", carrier)
        return _error("bad_signature", BAD_SIGNATURE, 401)
    except CarrierError as exc:
        logger.warning("postal webhook from %s refused: %s", carrier, exc)
        return _error("invalid", UNREADABLE, 400)
    done = events_ingest(carrier=carrier, events=events, source=TrackingEvent.Source.WEBHOOK)
    return JsonResponse({"status": "ok", **done.as_dict()})
