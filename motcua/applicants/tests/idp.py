"""The identity simulator in unit tests: its back-channel served by Django's test client.

The portal's OIDC client (mozilla-django-oidc) calls the provider with
``requests``; here those calls go to the simulator through Django's test
client (``DjangoAdapter``), so every token is a real RS256 token the
simulator signed, checked against its real JWKS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

ISSUER = "http://testserver/mo-phong-vneid"
CLIENT_ID = "motcua-test-portal"
CLIENT_SECRET = "test-secret-of-the-portal"
CALLBACK = "http://testserver/dang-nhap/vneid/xac-thuc/"


def rsa_pem() -> str:
    """Return a new RSA-2048 private key in PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


class DjangoAdapter(BaseAdapter):
    """A ``requests`` transport that answers from this Django project (the simulator's views)."""

    def send(self, request: Any, *args: Any, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        extra: dict[str, Any] = {}
        if "Authorization" in request.headers:
            extra["HTTP_AUTHORIZATION"] = request.headers["Authorization"]
        client = Client()
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        if request.method == "POST":
            answer = client.post(
                path,
                data=body,
                content_type=request.headers.get("Content-Type", ""),
                **extra,
            )
        else:
            answer = client.generic(request.method, path, **extra)
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(dict(answer.items()))
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        return None


class RequestsShim:
    """Stands for the ``requests`` module in mozilla-django-oidc: calls go to ``DjangoAdapter``."""

    def __init__(self) -> None:
        self.session = requests.Session()
        self.session.mount("http://testserver/", DjangoAdapter())

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.session.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.session.post(url, **kwargs)


@dataclass
class Flow:
    """The browser's side of one sign-in, stopped before the callback."""

    callback_url: str

    @property
    def params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.callback_url).query).items()}

    def with_params(self, **changes: str) -> str:
        return f"{urlsplit(self.callback_url).path}?{urlencode(self.params | changes)}"


def start_flow(client: Client, identity: str, next_url: str = "") -> Flow:
    """Walk a browser through the portal's sign-in and the simulator up to the callback."""
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    answer = client.get(f"/dang-nhap/vneid/{query}")
    assert answer.status_code == 302, answer
    authorize = answer["Location"]
    assert authorize.startswith(f"{ISSUER}/authorize/"), authorize
    answer = client.get(authorize)  # no identity picked yet: the simulator's page
    assert answer.status_code == 302, answer
    pick = answer["Location"]
    next_param = parse_qs(urlsplit(pick).query)["next"][0]
    answer = client.post("/mo-phong-vneid/dang-nhap/", {"identity": identity, "next": next_param})
    assert answer.status_code == 302, answer
    answer = client.get(answer["Location"])
    assert answer.status_code == 302, answer
    assert answer["Location"].startswith(CALLBACK), answer["Location"]
    return Flow(answer["Location"])


def sign_in(client: Client, identity: str, next_url: str = "") -> Any:
    """Sign in through the simulator; return the callback's answer."""
    flow = start_flow(client, identity, next_url)
    return client.get(flow.callback_url)


def signing_kid(client: Client) -> str:
    """Return the key id the simulator publishes in its JWKS."""
    keys = client.get("/mo-phong-vneid/.well-known/jwks.json").json()["keys"]
    return str(keys[0]["kid"])


def signed(payload: dict[str, Any], pem: str, kid: str) -> str:
    """Return ``payload`` signed RS256 with ``pem`` under ``kid``."""
    return jwt.encode(payload, pem, algorithm="RS256", headers={"kid": kid})


def id_token_payload(nonce: str, subject: str, **changes: Any) -> dict[str, Any]:
    now = dt.datetime.now(tz=dt.UTC)
    payload = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": subject,
        "nonce": nonce,
        "iat": int(now.timestamp()),
        "exp": int((now + dt.timedelta(minutes=5)).timestamp()),
    }
    return payload | changes
