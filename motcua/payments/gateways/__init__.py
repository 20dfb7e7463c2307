"""Payment gateways behind one small interface (``base.Gateway``).

The gateways on offer are ``PAYMENTS_GATEWAYS`` (codes, in the order the
applicant sees them); each code's adapter class is ``PAYMENTS_GATEWAY_CLASSES[code]``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Gateway


class UnknownGateway(LookupError):
    """No gateway with this code is on offer."""


def gateway(code: str) -> Gateway:
    """Return a new adapter for the gateway ``code``; ``UnknownGateway`` when not on offer."""
    if code not in enabled_codes():
        raise UnknownGateway(code)
    adapter: Gateway = import_string(settings.PAYMENTS_GATEWAY_CLASSES[code])()
    return adapter


def enabled_codes() -> list[str]:
    """The codes of the gateways on offer, in order."""
    return [c for c in settings.PAYMENTS_GATEWAYS if c in settings.PAYMENTS_GATEWAY_CLASSES]
