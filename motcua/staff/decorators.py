"""Guards for back-office views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from .selectors import user_agency_roles, user_needs_otp

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def staff_required(view: View) -> View:
    """Let through staff with an active role, OTP-verified when they enrolled a device.

    Anonymous visitors and staff who still owe their second factor go to the
    login page; signed-in users without any active role get 403.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated or user_needs_otp(request=request):
            return redirect_to_login(request.get_full_path())
        if not user_agency_roles(user=user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return cast(View, wrapped)
