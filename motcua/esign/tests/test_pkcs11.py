"""The PKCS#11 backend against SoftHSM (Debian's softhsm2), when it is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from motcua.esign import certificates
from motcua.esign.models import SignedResult
from motcua.esign.verification import Verdict, pdf_verify
from motcua.workflow import services

from .conftest import AtLeader

MODULE = next(
    (
        p
        for p in (
            "/usr/lib/softhsm/libsofthsm2.so",
            "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        )
        if Path(p).is_file()
    ),
    "",
)
UTIL = shutil.which("softhsm2-util") or ""
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not (MODULE and UTIL), reason="softhsm2 is not installed"),
]
PIN = "1234"


@pytest.fixture
def token(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    conf = tmp_path / "softhsm2.conf"
    (tmp_path / "tokens").mkdir()
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run(  # noqa: S603 - a fixed command line
        [UTIL, "--init-token", "--free", "--label", "motcua", "--pin", PIN, "--so-pin", "5678"],
        check=True,
        capture_output=True,
        env={**os.environ, "SOFTHSM2_CONF": str(conf)},
    )
    settings.ESIGN_SIGNER = "pkcs11"
    settings.ESIGN_PKCS11_MODULE = MODULE
    settings.ESIGN_PKCS11_TOKEN_LABEL = "motcua"
    settings.ESIGN_PKCS11_PIN = PIN
    return str(conf)


def _import(conf: str, *, code: str, name: str) -> None:
    """Put an agency's key and certificate (issued by the demo CA) on the token."""
    ca = certificates.ca_ensure()
    cert, key = certificates.issue_signing_certificate(
        ca, common_name=name, organisation=name, uid=code
    )
    pem = Path(conf).parent / "key.pem"
    pem.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    env = {**os.environ, "SOFTHSM2_CONF": conf}
    subprocess.run(  # noqa: S603 - a fixed command line
        [
            UTIL,
            "--import",
            str(pem),
            "--token",
            "motcua",
            "--label",
            code,
            "--id",
            "01",
            "--pin",
            PIN,
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    import pkcs11
    from pkcs11.util.x509 import decode_x509_certificate

    lib = pkcs11.lib(MODULE)
    tok = lib.get_token(token_label="motcua")
    with tok.open(user_pin=PIN, rw=True) as session:
        attrs = decode_x509_certificate(cert.public_bytes(Encoding.DER))
        attrs[pkcs11.Attribute.LABEL] = code
        attrs[pkcs11.Attribute.ID] = b"\x01"
        attrs[pkcs11.Attribute.TOKEN] = True
        session.create_object(attrs)


def test_the_approval_signs_with_a_key_on_a_pkcs11_token(token: str, leader_step: AtLeader) -> None:
    agency = leader_step.cast.agency
    _import(token, code=agency.code, name=agency.name)
    services.dossier_mark_processed(dossier=leader_step.dossier, actor=leader_step.cast.leader)
    signed = SignedResult.objects.get(result__dossier=leader_step.dossier)
    assert signed.backend == "pkcs11"
    assert pdf_verify(signed.file.read()).verdict is Verdict.AUTHENTIC
