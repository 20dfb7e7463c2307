"""SMS gateways behind one small interface; the one in use is ``OUTBOX_SMS_GATEWAY``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsResult:
    """What the gateway said: accepted (with its reference), or why not and whether to retry.

    ``error`` holds the gateway's code and words, never the number or the text.
    """

    ok: bool
    provider_ref: str = ""
    error: str = ""
    retry: bool = True


class SmsGateway(Protocol):
    def send(self, *, phone: str, text: str, request_id: str) -> SmsResult:
        """Send ``text`` to ``phone``; the gateway refuses a second request with ``request_id``."""
        ...

    def close(self) -> None: ...


def sms_gateway() -> SmsGateway:
    """Return a new gateway of the configured class (one per worker, reused between sends)."""
    gateway: SmsGateway = import_string(settings.OUTBOX_SMS_GATEWAY)()
    return gateway
