"""Domain errors: what a user can cause, with a message that says why.

Interfaces map them to HTTP responses in one place (``motcua.api.errors`` for
the API, the views' form errors for pages).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise


class DomainError(Exception):
    """A request the domain refuses; ``status`` is the HTTP status it maps to."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str | Promise,
        *,
        field_errors: Mapping[str, Sequence[str | Promise]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.field_errors = dict(field_errors or {})


class ValidationFailed(DomainError):
    status = 400
    code = "invalid"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class PayloadTooLarge(DomainError):
    status = 413
    code = "too_large"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
