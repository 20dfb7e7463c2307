"""The local national identity provider: discovery, keys, the pick page, and only when on."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import clear_url_caches
from oauth2_provider.models import get_application_model

from motcua.applicants.tests import idp
from motcua.identity_sim.identities import demo_identities
from motcua.identity_sim.services import portal_client_ensure, simulator_key_ensure


@pytest.mark.usefixtures("identity_provider")
def test_discovery_names_the_endpoints_and_rs256(client: Client) -> None:
    config = client.get("/mo-phong-vneid/.well-known/openid-configuration").json()
    assert config["issuer"] == idp.ISSUER
    assert config["authorization_endpoint"] == f"{idp.ISSUER}/authorize/"
    assert config["token_endpoint"] == f"{idp.ISSUER}/token/"
    assert config["userinfo_endpoint"] == f"{idp.ISSUER}/userinfo/"
    assert config["jwks_uri"] == f"{idp.ISSUER}/.well-known/jwks.json"
    assert config["end_session_endpoint"] == f"{idp.ISSUER}/logout/"
    assert "RS256" in config["id_token_signing_alg_values_supported"]


@pytest.mark.usefixtures("identity_provider")
def test_jwks_publishes_the_public_key_only(client: Client) -> None:
    keys = client.get("/mo-phong-vneid/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA"
    assert "d" not in keys[0]


@pytest.mark.usefixtures("identity_provider")
def test_the_pick_page_says_it_is_a_simulator(client: Client) -> None:
    page = client.get("/mo-phong-vneid/dang-nhap/?next=/mo-phong-vneid/authorize/%3Fx%3D1")
    text = page.content.decode()
    assert "MÔ PHỎNG" in text
    for identity in demo_identities():
        assert identity.name in text


@pytest.mark.usefixtures("identity_provider")
def test_the_pick_page_returns_only_to_the_simulator(client: Client) -> None:
    answer = client.post(
        "/mo-phong-vneid/dang-nhap/",
        {"identity": "cong-dan-muc-2", "next": "https://evil.example/"},
    )
    assert answer.status_code == 400
    answer = client.post(
        "/mo-phong-vneid/dang-nhap/", {"identity": "nobody", "next": "/mo-phong-vneid/authorize/"}
    )
    assert answer.status_code == 400


@pytest.mark.usefixtures("identity_provider")
def test_authorization_without_a_pick_goes_to_the_pick_page(client: Client) -> None:
    answer = client.get("/mo-phong-vneid/authorize/?client_id=x")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/mo-phong-vneid/dang-nhap/?next=")


def test_the_demo_identities_are_valid_and_cover_the_cases() -> None:
    from motcua.applicants.claims import IdentityRefused, identity_from_claims

    levels = {}
    for identity in demo_identities():
        claims = identity.claims() | {"sub": identity.subject}
        try:
            levels[identity.key] = identity_from_claims(claims).kind
        except IdentityRefused:
            levels[identity.key] = "refused"
    assert levels == {
        "cong-dan-muc-2": "person",
        "cong-dan-muc-2-b": "person",
        "cong-dan-muc-1": "refused",
        "doanh-nghiep": "organisation",
    }


def test_the_key_is_made_once(tmp_path: Path) -> None:
    key = tmp_path / "var" / "sim.pem"
    assert simulator_key_ensure(key)
    first = key.read_bytes()
    assert b"PRIVATE KEY" in first
    assert key.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert not simulator_key_ensure(key)
    assert key.read_bytes() == first


def test_the_command_makes_the_key_and_registers_the_client(
    db: None, tmp_path: Path, settings: Any
) -> None:
    settings.MOTCUA_IDENTITY_SIMULATOR_KEY = tmp_path / "sim.pem"
    call_command("identity_simulator")
    call_command("identity_simulator")
    app = get_application_model().objects.get()
    assert (tmp_path / "sim.pem").is_file()
    assert app.client_id == settings.OIDC_RP_CLIENT_ID
    assert app.algorithm == "RS256"
    assert "http://127.0.0.1:8000/dang-nhap/vneid/xac-thuc/" in app.redirect_uris.split()
    assert "http://localhost:8000/dang-nhap/vneid/xac-thuc/" in app.redirect_uris.split()


def test_registering_again_changes_nothing_but_the_addresses(db: None) -> None:
    assert portal_client_ensure(site_urls=["http://127.0.0.1:8000"])
    assert not portal_client_ensure(site_urls=["https://demo.example"])
    app = get_application_model().objects.get()
    assert app.redirect_uris == "https://demo.example/dang-nhap/vneid/xac-thuc/"


def test_the_simulators_urls_do_not_exist_when_it_is_off(client: Client, settings: Any) -> None:
    import config.urls

    settings.MOTCUA_IDENTITY_SIMULATOR = False
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        assert client.get("/mo-phong-vneid/dang-nhap/").status_code == 404
        assert client.get("/mo-phong-vneid/.well-known/openid-configuration").status_code == 404
    finally:
        settings.MOTCUA_IDENTITY_SIMULATOR = True
        importlib.reload(config.urls)
        clear_url_caches()
    assert client.get("/mo-phong-vneid/dang-nhap/").status_code == 200


def test_the_simulator_is_off_by_default_outside_debug() -> None:
    import subprocess
    import sys

    code = (
        "import os; os.environ['DEBUG']='false'; os.environ['SECRET_KEY']='x'*50; "
        "os.environ.pop('MOTCUA_IDENTITY_SIMULATOR', None); "
        "import config.settings as s; "
        "print(s.MOTCUA_IDENTITY_SIMULATOR, 'oauth2_provider' in s.INSTALLED_APPS, "
        "s.MOTCUA_ANONYMOUS_SUBMISSION, s.MOTCUA_SUBMIT_MIN_LOA)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False", "False", "2"]


def test_the_csp_lets_sign_out_reach_a_provider_elsewhere() -> None:
    import subprocess
    import sys

    code = (
        "import os; os.environ['DEBUG']='false'; os.environ['SECRET_KEY']='x'*50; "
        "os.environ['MOTCUA_IDENTITY_ISSUER']='https://sso.dichvucong.example'; "
        "os.environ['OIDC_OP_LOGOUT_ENDPOINT']='https://sso.dichvucong.example/logout'; "
        "import config.settings as s; "
        "print(*s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["'self'", "https://sso.dichvucong.example"]
