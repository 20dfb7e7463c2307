"""Turn every API error into one JSON shape, in the request's language.

``{"error": {"code": "invalid", "message": "...", "fields": {"name": ["..."]}}}``

Domain errors (``motcua.core.errors``) and DRF's own errors both land here, so
views never build error responses by hand. Messages are lazy translations;
``LocaleMiddleware`` has already activated the language from ``Accept-Language``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFilesSent,
)
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from motcua.core.errors import DomainError


def error_body(
    code: str, message: str, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """Return the JSON body of an error response."""
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten DRF's nested error details into ``{"field": [messages]}``."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "non_field_errors": [str(detail)]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map ``exc`` to a JSON response, or return None to let Django answer 500."""
    if isinstance(exc, DomainError):
        fields = {name: [str(m) for m in msgs] for name, msgs in exc.field_errors.items()}
        return Response(error_body(exc.code, str(exc.message), fields), status=exc.status)
    if isinstance(exc, RequestDataTooBig | TooManyFilesSent):
        # Raised by Django's request parsing, before any view code ran.
        return Response(
            error_body("too_large", _("The request is too large: too many or too large parts.")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        return Response(
            error_body("invalid", _("The request could not be read.")),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        return Response(error_body("not_found", _("Not found.")), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            error_body("invalid", _("The data sent is not valid."), _flatten(exc.detail)),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        # A 401 says how to authenticate (DRF sets the scheme of the view's authentication).
        auth_header = getattr(exc, "auth_header", None)
        headers = {"WWW-Authenticate": auth_header} if auth_header else None
        return Response(
            error_body(str(code), str(exc.detail)), status=exc.status_code, headers=headers
        )
    return None
