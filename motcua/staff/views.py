"""Staff login, logout and enrolment of a TOTP second factor."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import services
from .forms import OTP_INVALID, StaffLoginForm, TotpConfirmForm
from .redirects import safe_next_url
from .selectors import user_has_confirmed_device, user_needs_otp


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    return safe_next_url(request, candidate, settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password", "otp_token")
@csrf_protect
@never_cache
def login(request: HttpRequest) -> HttpResponse:
    """Sign a staff member in with password, and the TOTP code if they enrolled one."""
    form = StaffLoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        auth.login(request, form.get_user())
        if form.otp_device is not None:
            otp_login(request, form.otp_device)
        return HttpResponseRedirect(_next_url(request))
    return render(
        request,
        "staff/login.html",
        {"form": form, "next": _next_url(request), "otp_asked": form.otp_asked},
    )


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Sign out and go back to the login page."""
    auth.logout(request)
    return redirect("staff:login")


@login_required
@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    """Show the second-factor status, or enrol an authenticator app with a QR code."""
    if user_has_confirmed_device(user=request.user):
        if user_needs_otp(request=request):
            auth.logout(request)
            return redirect("staff:login")
        return render(request, "staff/two_factor.html", {"enrolled": True})
    device = services.totp_device_start(user=request.user)  # type: ignore[arg-type]
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(device=device, token=form.cleaned_data["otp_token"]):
            otp_login(request, device)
            return redirect("staff:two-factor")
        form.add_error("otp_token", OTP_INVALID)
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "staff/two_factor.html",
        {
            "enrolled": False,
            "form": form,
            # segno writes the SVG from the device URL only: nothing user-typed in it.
            "qr_svg": mark_safe(qr.svg_inline(scale=4)),  # noqa: S308
            "secret": base64.b32encode(device.bin_key).decode(),
        },
    )
