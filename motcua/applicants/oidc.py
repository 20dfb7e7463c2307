"""Sign-in with the national identity: mozilla-django-oidc's code flow, our checks on top.

The library does the protocol (state, nonce and PKCE kept in the session, the
token request, the ID token's RS256 signature checked against the provider's
JWKS). ``IdentityBackend`` adds what it leaves out: the ID token's issuer,
audience and expiry; the userinfo's subject must be the ID token's; the
claims must make an acceptable applicant (``claims.identity_from_claims``:
number, name, level of assurance). Every refusal is kept on the request with
the message the person sees (``REFUSAL_ATTR``), and nothing is created.
The same backend checks the bearer token of the public API
(``ApplicantBearerAuthentication``): the provider's userinfo endpoint
validates the access token.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.contrib.drf import OIDCAuthentication
from rest_framework import exceptions
from rest_framework.request import Request

from .claims import IdentityRefused, identity_from_claims
from .services import applicant_sign_in

logger = logging.getLogger(__name__)

REFUSAL_ATTR = "identity_refusal"
TOKEN_REFUSED = _(
    "The national identity's answer could not be verified (it may be forged, expired or "
    "already used): you were not signed in. Please sign in again."
)
BEARER_REFUSED = _(
    "The access token was refused by the national identity provider (forged, expired or "
    "revoked). Sign in again to get a new one."
)


# What the library raises on a token that is not what it should be (a header without a key
# id makes it look the key up by a missing name).
_MALFORMED = (
    SuspiciousOperation,
    jwt.PyJWTError,
    requests.RequestException,
    ValueError,
    KeyError,
    TypeError,
)


def refuse(request: HttpRequest | None, message: str | Promise) -> None:
    """Note on ``request`` why the sign-in was refused (the first reason wins)."""
    if request is not None and getattr(request, REFUSAL_ATTR, None) is None:
        setattr(request, REFUSAL_ATTR, message)


class IdentityBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """Authenticate an applicant from the national identity's code flow or access token."""

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """Check the ID token's signature and nonce (the library), then issuer, audience, expiry."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        issuer: str = settings.MOTCUA_IDENTITY_ISSUER
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("ID token from another issuer")
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client")
        if "exp" not in payload or not payload.get("sub"):
            raise SuspiciousOperation("ID token without expiry or subject")
        return payload

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        """Run the library's code flow; a failure of any check refuses with a message."""
        try:
            return super().authenticate(request, **kwargs)
        except _MALFORMED as exc:
            # Forged, expired or replayed tokens, a wrong nonce, a code already used or
            # a wrong PKCE verifier (the token endpoint refuses it): nothing is created.
            logger.info("identity sign-in refused: %s", type(exc).__name__)
            refuse(request, TOKEN_REFUSED)
            return None

    def get_or_create_user(
        self, access_token: str, id_token: str | None, payload: dict[str, Any] | None
    ) -> AbstractBaseUser | None:
        """Return the applicant's user, or None (the reason is kept on the request)."""
        try:
            return self.user_for(access_token, payload)
        except IdentityRefused as exc:
            refuse(getattr(self, "request", None), exc.message)
            return None
        except SuspiciousOperation:
            refuse(getattr(self, "request", None), TOKEN_REFUSED)
            return None

    def user_for(self, access_token: str, payload: dict[str, Any] | None) -> AbstractBaseUser:
        """Return the user of the identity behind ``access_token``, or raise IdentityRefused."""
        claims = self.get_userinfo(access_token, None, payload)
        if not isinstance(claims, dict):
            raise SuspiciousOperation("userinfo is not an object")
        subject_claim = settings.MOTCUA_IDENTITY_CLAIMS["subject"]
        if payload is not None and str(claims.get(subject_claim)) != str(payload.get("sub")):
            # The userinfo must describe the person the ID token was issued for.
            raise SuspiciousOperation("userinfo of another subject")
        identity = identity_from_claims(claims)
        return applicant_sign_in(identity=identity).user


def end_session_url(request: HttpRequest) -> str:
    """Return where sign-out sends the browser: the provider's end-session endpoint, or home.

    Called by the library's logout view before the session ends, so the ID
    token is still there to give as ``id_token_hint``.
    """
    home = request.build_absolute_uri(reverse("portal:home"))
    endpoint: str = settings.OIDC_OP_LOGOUT_ENDPOINT
    if not endpoint:
        return home
    params = {"post_logout_redirect_uri": home, "client_id": settings.OIDC_RP_CLIENT_ID}
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}?{urlencode(params)}"


class ApplicantBearerAuthentication(OIDCAuthentication):  # type: ignore[misc]
    """``Authorization: Bearer <access token>`` of the national identity, for the public API."""

    www_authenticate_realm = "motcua"

    def __init__(self) -> None:
        super().__init__(backend=IdentityBackend())

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, str] | None:
        token = self.get_access_token(request)
        if not token:
            return None
        try:
            user = self.backend.user_for(token, None)
        except IdentityRefused as exc:
            raise exceptions.AuthenticationFailed(str(exc.message)) from exc
        except _MALFORMED as exc:
            raise exceptions.AuthenticationFailed(str(BEARER_REFUSED)) from exc
        return user, token


class ApplicantBearerScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The bearer token of the national identity, in the OpenAPI schema."""

    target_class = ApplicantBearerAuthentication
    name = "nationalIdentity"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An access token of the national identity (VNeID through the national "
                "public-service portal; the identity simulator in the demo)."
            ),
        }
