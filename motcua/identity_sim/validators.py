"""The simulator's claims: the identity the tester picked, as the national identity gives them."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from .identities import identity_by_username


class SimulatorValidator(OAuth2Validator):  # type: ignore[misc]
    """django-oauth-toolkit's validator, with the demo identity's claims and its subject."""

    # Every claim with the openid scope: the portal asks for them all.
    oidc_claim_scope = None

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        identity = identity_by_username(request.user.get_username())
        if identity is None:
            return {}
        return identity.claims()

    def get_claim_dict(self, request: Any) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_claim_dict(request)
        identity = identity_by_username(request.user.get_username())
        if identity is not None:
            claims["sub"] = identity.subject
        return claims
