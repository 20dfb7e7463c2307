"""The simulator's setup: its signing key and the portal's client registration."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import transaction
from oauth2_provider.models import get_application_model


def simulator_key_ensure(path: Path) -> bool:
    """Write a new RSA-2048 signing key (PEM) at ``path`` unless one is there; True if written.

    The key is only the simulator's; it lives under ``var/`` and is never committed.
    """
    if path.is_file():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.touch(mode=0o600)
    path.write_bytes(pem)
    return True


def portal_redirect_uris(site_urls: Sequence[str]) -> tuple[str, str]:
    """Return the callback and post-sign-out URIs of the portal served at ``site_urls``."""
    callbacks = [f"{url.rstrip('/')}/dang-nhap/vneid/xac-thuc/" for url in site_urls]
    homes = [f"{url.rstrip('/')}/" for url in site_urls]
    return " ".join(callbacks), " ".join(homes)


def portal_client_ensure(*, site_urls: Sequence[str]) -> bool:
    """Register (or refresh) the portal as the simulator's OIDC client; True if created.

    Confidential, authorization code, RS256, no consent screen (the picked
    identity signs in at once), redirect URIs of every address the portal is
    served at. Its id and secret are ``OIDC_RP_CLIENT_ID`` / ``OIDC_RP_CLIENT_SECRET``.
    Running it again changes nothing but the addresses.
    """
    application_model = get_application_model()
    redirects, post_logout = portal_redirect_uris(site_urls)
    with transaction.atomic():
        app = application_model.objects.filter(client_id=settings.OIDC_RP_CLIENT_ID).first()
        created = app is None
        if app is None:
            app = application_model(
                client_id=settings.OIDC_RP_CLIENT_ID,
                client_secret=settings.OIDC_RP_CLIENT_SECRET,
                hash_client_secret=True,
            )
        app.name = "Cổng dịch vụ công (demo)"
        app.client_type = application_model.CLIENT_CONFIDENTIAL
        app.authorization_grant_type = application_model.GRANT_AUTHORIZATION_CODE
        app.algorithm = application_model.RS256_ALGORITHM
        app.skip_authorization = True
        app.redirect_uris = redirects
        app.post_logout_redirect_uris = post_logout
        app.save()
    return created


def demo_site_urls() -> list[str]:
    """Return the addresses the demo portal answers at: SITE_URL, and localhost for 127.0.0.1."""
    site: str = settings.SITE_URL.rstrip("/")
    urls = [site]
    if "://127.0.0.1" in site:
        urls.append(site.replace("://127.0.0.1", "://localhost"))
    return urls
