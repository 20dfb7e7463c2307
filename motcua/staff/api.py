"""API for staff: exchange a password (and TOTP code) for an API token."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .forms import OTP_INVALID, OTP_REQUIRED
from .selectors import user_agency_roles, user_has_confirmed_device
from .signin import locked_out, lockout_response, second_factor_failed

BAD_CREDENTIALS = _("The username or password is wrong.")
NOT_STAFF = _("This account holds no active staff role.")


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp = serializers.RegexField(
        r"^[0-9]{6}$", required=False, allow_blank=True, help_text=str(OTP_REQUIRED)
    )


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(source="key", help_text="Send as `Authorization: Token <token>`.")
    expires = serializers.DateTimeField(
        help_text="When the token stops being accepted (`MOTCUA_API_TOKEN_HOURS` after it "
        "was issued); ask for a token again then."
    )


LOCKED_OUT_RESPONSE = OpenApiResponse(
    response={"$ref": "#/components/schemas/Error"},
    description="Too many failed sign-ins for this account or address (code `locked_out`); "
    "`Retry-After` gives the seconds to wait.",
)


class TokenObtainView(APIView):
    """Issue the API token of a staff member (the same token until it expires)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_obtain",
        tags=["auth"],
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Wrong credentials or code, or no staff role"),
            429: LOCKED_OUT_RESPONSE,
        },
        summary="Obtain a staff API token",
        description=(
            "Exchange a staff member's username and password, plus the 6-digit TOTP code "
            "when they enrolled an authenticator app, for a token. Wrong credentials, a "
            "missing or wrong code and accounts without a staff role are 400. Failed "
            "sign-ins are counted per account and per address: past the limit the account "
            "or address is locked for a while (429)."
        ),
    )
    def post(self, request: Request) -> Response | HttpResponse:
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        # django-axes counts a failure (Django's user_login_failed) and refuses a locked
        # account or address here; the same 429 comes back from AxesMiddleware otherwise.
        django_request = request._request
        user = authenticate(django_request, username=data["username"], password=data["password"])
        if user is None and locked_out(django_request):
            return lockout_response(django_request)
        if user is None:
            raise serializers.ValidationError({"non_field_errors": [BAD_CREDENTIALS]})
        if user_has_confirmed_device(user=user):
            otp = data.get("otp") or ""
            if not otp:
                raise serializers.ValidationError({"otp": [OTP_REQUIRED]})
            if not services.totp_token_verify(user=user, token=otp):
                second_factor_failed(request=django_request, username=user.get_username())
                if locked_out(django_request):
                    return lockout_response(django_request)
                raise serializers.ValidationError({"otp": [OTP_INVALID]})
        if not user_agency_roles(user=user):
            raise serializers.ValidationError({"non_field_errors": [NOT_STAFF]})
        token = services.staff_token_obtain(user=user)
        return Response(
            TokenSerializer({"key": token.key, "expires": services.token_expires_at(token)}).data
        )
