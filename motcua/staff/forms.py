"""Staff login and second-factor forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from django_otp.models import Device

from .selectors import user_has_confirmed_device
from .signin import second_factor_failed

OTP_REQUIRED = _("Enter the 6-digit code from your authenticator app.")
OTP_INVALID = _("That code is wrong or has expired. Enter the current 6-digit code.")


def otp_field(*, required: bool) -> forms.CharField:
    """Return a field for a 6-digit code, with the hints phones need."""
    return forms.CharField(
        label=_("Authentication code"),
        required=required,
        min_length=6,
        max_length=6,
        strip=True,
        help_text=_("Six digits from your authenticator app."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
            }
        ),
    )


class StaffLoginForm(AuthenticationForm):
    """Username and password, then the TOTP code when the user enrolled a device."""

    otp_token = otp_field(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.otp_device: Device | None = None
        self.otp_asked = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        if user is None or not user_has_confirmed_device(user=user):
            return cleaned
        self.otp_asked = True
        token = cleaned.get("otp_token") or ""
        if not token:
            raise forms.ValidationError(OTP_REQUIRED, code="otp_required")
        self.otp_device = match_token(user, token)
        if self.otp_device is None:
            if self.request is not None:
                second_factor_failed(request=self.request, username=user.get_username())
            raise forms.ValidationError(OTP_INVALID, code="otp_invalid")
        return cleaned


class TotpConfirmForm(forms.Form):
    """The first code from a newly enrolled authenticator app."""

    otp_token = otp_field(required=True)
