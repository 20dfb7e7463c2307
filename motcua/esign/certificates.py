"""The demo certificate authority and one signing certificate per agency (``cryptography``).

Demo only: in production the agencies' keys live in a PKCS#11 token or a
remote-signing service, issued by a licensed Vietnamese CA, and the trust
roots are the national root CA bundle. Files live under ``ESIGN_DEMO_DIR``
(``var/esign``, never committed): ``ca.pem`` (the root, also the demo's trust
bundle), ``ca-key.pem``, and ``agencies/<agency code>.p12``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils import timezone

CA_NAME = "motcua Demo Root CA"
CA_YEARS = 20
AGENCY_YEARS = 3
KEY_BITS = 2048


@dataclass(frozen=True)
class DemoCA:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey


def demo_dir() -> Path:
    return Path(settings.ESIGN_DEMO_DIR)


def agency_file_name(code: str) -> str:
    """Return the PKCS#12 file name of an agency (its code, with only safe characters)."""
    safe = "".join(c if c.isalnum() or c in ".-_" else "_" for c in code)
    return f"{safe}.p12"


def _cut(text: str, limit: int = 64) -> str:
    """Cut ``text`` to what X.520 allows (64 characters, counted as UTF-8 bytes here)."""
    return text.encode()[:limit].decode(errors="ignore").strip() or "-"


def _name(common: str, *, organisation: str, uid: str = "") -> x509.Name:
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _cut(organisation)),
        x509.NameAttribute(NameOID.COMMON_NAME, _cut(common)),
    ]
    if uid:
        parts.append(x509.NameAttribute(NameOID.USER_ID, uid))
    return x509.Name(parts)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o600)
    tmp.replace(path)


def ca_ensure(folder: Path | None = None, *, now: dt.datetime | None = None) -> DemoCA:
    """Return the demo root CA, creating it (key and self-signed certificate) if missing."""
    folder = folder or demo_dir()
    cert_path, key_path = folder / "ca.pem", folder / "ca-key.pem"
    if cert_path.is_file() and key_path.is_file():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)  # noqa: S101 - we wrote it
        return DemoCA(x509.load_pem_x509_certificate(cert_path.read_bytes()), key)
    now = now or timezone.now()
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    name = _name(CA_NAME, organisation="motcua (demo)")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return DemoCA(cert, key)


def issue_signing_certificate(
    ca: DemoCA,
    *,
    common_name: str,
    organisation: str,
    uid: str,
    now: dt.datetime | None = None,
    key: rsa.RSAPrivateKey | None = None,
) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """Issue a document-signing certificate (non-repudiation) under ``ca``."""
    now = now or timezone.now()
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation=organisation, uid=uid))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * AGENCY_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return cert, key


def agency_certificate_ensure(
    *, code: str, name: str, folder: Path | None = None, password: str | None = None
) -> tuple[Path, bool]:
    """Return the agency's PKCS#12 file, issuing it under the demo CA if missing.

    Returns ``(path, created)``; an existing file is kept as it is (idempotent).
    """
    folder = folder or demo_dir()
    path = folder / "agencies" / agency_file_name(code)
    if path.is_file():
        return path, False
    ca = ca_ensure(folder)
    cert, key = issue_signing_certificate(ca, common_name=name, organisation=name, uid=code)
    secret = (password if password is not None else settings.ESIGN_PKCS12_PASSWORD).encode()
    encryption = (
        serialization.BestAvailableEncryption(secret) if secret else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(
        name=code.encode(),
        key=key,
        cert=cert,
        cas=[ca.certificate],
        encryption_algorithm=encryption,
    )
    _write_private(path, data)
    return path, True


def fingerprint(cert: x509.Certificate) -> str:
    """Return the SHA-256 fingerprint of a certificate, hex."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def tsa_ensure(folder: Path | None = None) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """Return the demo timestamp authority's certificate and key (made once, under the demo CA)."""
    folder = folder or demo_dir()
    cert_path, key_path = folder / "tsa.pem", folder / "tsa-key.pem"
    if cert_path.is_file() and key_path.is_file():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)  # noqa: S101 - we wrote it
        return x509.load_pem_x509_certificate(cert_path.read_bytes()), key
    ca = ca_ensure(folder)
    now = timezone.now()
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("motcua Demo TSA", organisation="motcua (demo)"))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * AGENCY_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )
    _write_private(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key
