"""The identity provider of the applicant tests: the simulator, with a key made for the run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from oauth2_provider.models import get_application_model

from . import idp


@pytest.fixture(scope="session")
def simulator_pem() -> str:
    return idp.rsa_pem()


@pytest.fixture
def identity_provider(
    settings: Any, db: None, simulator_pem: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """Serve the simulator at http://testserver/mo-phong-vneid; point the portal at it."""
    settings.MOTCUA_ANONYMOUS_SUBMISSION = False
    settings.MOTCUA_IDENTITY_ISSUER = idp.ISSUER
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{idp.ISSUER}/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{idp.ISSUER}/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{idp.ISSUER}/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{idp.ISSUER}/.well-known/jwks.json"
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{idp.ISSUER}/logout/"
    settings.OIDC_RP_CLIENT_ID = idp.CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = idp.CLIENT_SECRET
    settings.OAUTH2_PROVIDER = settings.OAUTH2_PROVIDER | {
        "OIDC_RSA_PRIVATE_KEY": simulator_pem,
        "OIDC_ISS_ENDPOINT": idp.ISSUER,
    }
    monkeypatch.setattr("mozilla_django_oidc.auth.requests", idp.RequestsShim())
    application_model = get_application_model()
    application_model.objects.create(
        name="portal",
        client_id=idp.CLIENT_ID,
        client_secret=idp.CLIENT_SECRET,
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
        algorithm=application_model.RS256_ALGORITHM,
        redirect_uris=idp.CALLBACK,
        post_logout_redirect_uris="http://testserver/",
        skip_authorization=True,
    )
    yield settings
