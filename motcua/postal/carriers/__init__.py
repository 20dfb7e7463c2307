"""The post's APIs (one adapter per carrier) behind ``base.Carrier``; which class is a setting."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Carrier


class UnknownCarrier(LookupError):
    """No adapter is configured under this code (``POSTAL_CARRIERS``)."""


def carrier(code: str) -> Carrier:
    """Return the adapter configured for ``code``."""
    path = settings.POSTAL_CARRIERS.get(code)
    if not path:
        raise UnknownCarrier(code)
    adapter: Carrier = import_string(path)()
    return adapter
