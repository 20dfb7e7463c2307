"""Where the current request comes from, for the audit log (per request, never shared).

``AuditContextMiddleware`` sets it for each request; services read it when they
write an entry, so they need not pass the request around. Outside a request
(commands, workers) the address is unknown.
"""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_address: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "motcua_audit_address", default=None
)


def current_address() -> str | None:
    """Return the client address of the request being served, if any."""
    return _address.get()


def client_address(request: HttpRequest) -> str | None:
    """Return the client's address: ``REMOTE_ADDR``, or the header a trusted proxy sets.

    ``MOTCUA_CLIENT_ADDRESS_HEADER`` (e.g. ``HTTP_X_REAL_IP``) names the header
    the reverse proxy in front of the application fills; it is read only when
    set, since a client can send any header.
    """
    header: str = getattr(settings, "MOTCUA_CLIENT_ADDRESS_HEADER", "")
    raw = request.META.get(header, "") if header else ""
    raw = (raw or request.META.get("REMOTE_ADDR", "")).split(",")[0].strip()
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


class AuditContextMiddleware:
    """Remember the client's address for the audit entries written during the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            _address.reset(token)
