"""Sign-in events: audit entries, the second factor's failures, and the lockout answer.

django-axes (``axes.backends.AxesStandaloneBackend`` and ``AxesMiddleware``)
counts failed sign-ins per account and per client address and refuses an
account or address that reached ``AXES_FAILURE_LIMIT`` until the cool-off
has passed. Django's sign-in signals are the one place every sign-in path
passes (the staff page, ``POST /api/v1/auth/token``, the admin, tests'
``force_login``), so the audit entries are written from them here.
"""

from __future__ import annotations

import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.audit.models import AuditKind
from motcua.audit.services import audit_record

LOCKED_OUT = gettext_lazy(
    "Too many failed sign-ins: this account or address is locked for now. "
    "Try again later or ask an administrator to unlock it."
)
SECOND_FACTOR = "second factor"


def _account_target(username: str) -> tuple[str, str, str]:
    # The username as typed: it may name no account, so no id is looked up.
    return ("auth.user", "", username)


def _record(action: str, *, username: str, actor: Any = None, note: str = "") -> None:
    with transaction.atomic():
        audit_record(
            action=action,
            kind=AuditKind.ACCESS,
            target=_account_target(username) if actor is None else actor,
            actor=actor,
            note=note,
        )


def on_signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    _record("auth.sign_in", username=user.get_username(), actor=user)


def on_signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        _record("auth.sign_out", username=user.get_username(), actor=user)


def on_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Record a failure, noting when axes refused it because of a lockout."""
    notes = [str(kwargs.get("reason", ""))]
    if _refused(request):
        notes.append("refused: locked out")
    _record(
        "auth.sign_in_failed",
        username=str(credentials.get("username") or "")[:150],
        note="; ".join(n for n in notes if n),
    )


def _refused(request: HttpRequest | None) -> bool:
    """Tell whether axes refused the attempt because it was already locked out.

    Its backend marks such a request locked before any count (which stays
    None); a failure that reaches the limit is counted first.
    """
    return bool(
        request is not None
        and getattr(request, "axes_locked_out", False)
        and getattr(request, "axes_failures_since_start", None) is None
    )


def on_locked_out(sender: Any, request: HttpRequest | None, username: Any, **kwargs: Any) -> None:
    """Record the failure that locked an account or address (not each refusal afterwards)."""
    if _refused(request):
        return  # the failure entry says it was refused
    _record("auth.lockout", username=str(username or "")[:150])


class SignInLimitBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """django-axes' lockout check, for sign-ins that come with their request.

    Every sign-in over the web passes its request (the staff page, the API
    token, the admin); code that calls ``authenticate`` without one (Django's
    test client ``login``, a shell) has no client address to count and is
    left to the next backend instead of failing.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)  # type: ignore[no-any-return]


def connect() -> None:
    """Connect the audit receivers (``StaffConfig.ready``)."""
    from axes.signals import user_locked_out

    user_logged_in.connect(on_signed_in, dispatch_uid="motcua.staff.signin.in")
    user_logged_out.connect(on_signed_out, dispatch_uid="motcua.staff.signin.out")
    user_login_failed.connect(on_sign_in_failed, dispatch_uid="motcua.staff.signin.failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="motcua.staff.signin.locked")


def second_factor_failed(*, request: HttpRequest, username: str) -> None:
    """Count a wrong or missing TOTP code as a failed sign-in (axes and the audit log)."""
    user_login_failed.send(
        sender=__name__,
        credentials={"username": username},
        request=request,
        reason=SECOND_FACTOR,
    )


def locked_out(request: HttpRequest) -> bool:
    """Tell whether axes refused this request's sign-in (or locked it out just now)."""
    return bool(getattr(request, "axes_locked_out", False))


def retry_after_seconds() -> int | None:
    """Return the cool-off in seconds (an upper bound of the wait), None when locks are lasting."""
    cool_off = settings.AXES_COOLOFF_TIME
    return math.ceil(cool_off.total_seconds()) if cool_off else None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """Answer a locked-out sign-in (``AXES_LOCKOUT_CALLABLE``): 429, JSON in the API.

    The API body has the shape of every API error
    (``{"error": {"code": "locked_out", ...}}``); pages show the staff
    sign-in layout with the message. ``Retry-After`` is the cool-off.
    """
    from motcua.api.errors import error_body

    wait = retry_after_seconds()
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body("locked_out", str(LOCKED_OUT)), status=429)
    else:
        minutes = math.ceil(wait / 60) if wait else None
        response = render(
            request,
            "staff/locked_out.html",
            {"message": LOCKED_OUT, "minutes": minutes, "title": _("Sign-in locked")},
            status=429,
        )
    if wait:
        response["Retry-After"] = str(wait)
    return response
