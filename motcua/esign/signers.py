"""Where an agency's signing key lives: the small interface every signing backend offers.

``ESIGN_SIGNER`` names the backend in use:

- ``pkcs12`` (demo): one PKCS#12 file per agency, ``ESIGN_PKCS12_DIR/<agency code>.p12``;
- ``pkcs11``: a hardware token or HSM through its PKCS#11 module (pyHanko's ``PKCS11Signer``);
  the key and certificate labelled with the agency's code;
- ``smartca``: VNPT SmartCA's remote-signing API (``motcua.esign.smartca``): the service signs
  the hash, the key never leaves it.

Each gives, for an agency, a pyHanko ``Signer`` (its certificate and a way to sign) for
the time of one signature (a token's session is closed afterwards).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from motcua.core.errors import Conflict

from . import certificates

NO_CERTIFICATE = _(
    "The agency %(agency)s has no signing certificate here: the electronic result cannot be "
    "signed. Ask the administrator to install the agency's certificate."
)
SIGNING_FAILED = _(
    "The electronic result could not be signed (%(reason)s). Nothing was changed: try again, "
    "or ask the administrator."
)


class SigningUnavailable(Conflict):
    """The agency's key cannot sign now (no certificate, token absent, service refused)."""


class AgencySigner(Protocol):
    """A signing backend: the pyHanko signer of an agency, for the time of one signature."""

    backend: str

    def signer(self, *, code: str, name: str) -> AbstractContextManager[Signer]: ...


class Pkcs12Signers:
    """One PKCS#12 file per agency (the demo); missing ones issued by the demo CA if allowed."""

    backend = "pkcs12"

    def __init__(self) -> None:
        self.folder = Path(settings.ESIGN_PKCS12_DIR)
        self.password = settings.ESIGN_PKCS12_PASSWORD.encode() or None
        self.issue = bool(settings.ESIGN_DEMO_ISSUE_ON_DEMAND)

    @contextmanager
    def signer(self, *, code: str, name: str) -> Iterator[Signer]:
        path = self.folder / certificates.agency_file_name(code)
        if not path.is_file() and self.issue:
            certificates.agency_certificate_ensure(code=code, name=name)
        if not path.is_file():
            raise SigningUnavailable(NO_CERTIFICATE % {"agency": name})
        loaded = _load_pkcs12(str(path), path.stat().st_mtime_ns, self.password)
        if loaded is None:
            raise SigningUnavailable(SIGNING_FAILED % {"reason": path.name})
        yield loaded


class KeptKeySigner(SimpleSigner):
    """pyHanko's in-memory signer, with its RSA key parsed once instead of at every signature.

    ``SimpleSigner`` reads the key from DER for each raw signature (twice per
    PDF: a dry run sizes the signature first), which costs more than the rest
    of a one-page signature; the dry run here needs no key at all.
    """

    _kept: rsa.RSAPrivateKey | None = None

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        key = self._key()
        if dry_run and key is not None:
            return bytes(key.key_size // 8)
        return self.sign_raw(data, digest_algorithm)

    def _key(self) -> rsa.RSAPrivateKey | None:
        if self._kept is None:
            loaded = serialization.load_der_private_key(self.signing_key.dump(), password=None)
            self._kept = loaded if isinstance(loaded, rsa.RSAPrivateKey) else None
        return self._kept

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        key = self._key()
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if key is None or mechanism != "rsassa_pkcs1v15":
            signature: bytes = super().sign_raw(data, digest_algorithm)
            return signature
        return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


@lru_cache(maxsize=256)
def _load_pkcs12(path: str, _mtime: int, password: bytes | None) -> SimpleSigner | None:
    """Read a PKCS#12 file once per process (its key derivation is slow on purpose)."""
    loaded: SimpleSigner | None = SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
        path, passphrase=password
    )
    if loaded is None:
        return None
    return KeptKeySigner(
        signing_key=loaded.signing_key,
        signing_cert=loaded.signing_cert,
        cert_registry=loaded.cert_registry,
    )


class Pkcs11Signers:
    """A PKCS#11 token: ``ESIGN_PKCS11_MODULE``, token label, PIN; key labelled by agency code."""

    backend = "pkcs11"

    @contextmanager
    def signer(self, *, code: str, name: str) -> Iterator[Signer]:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11

        label = settings.ESIGN_PKCS11_KEY_LABEL.format(code=code)
        try:
            session = pkcs11.open_pkcs11_session(
                settings.ESIGN_PKCS11_MODULE,
                token_criteria=TokenCriteria(label=settings.ESIGN_PKCS11_TOKEN_LABEL or None),
                user_pin=settings.ESIGN_PKCS11_PIN,
            )
        except Exception as exc:  # the module's errors are its own types
            raise SigningUnavailable(SIGNING_FAILED % {"reason": type(exc).__name__}) from exc
        try:
            yield pkcs11.PKCS11Signer(session, key_label=label, cert_label=label)
        finally:
            session.close()


def agency_signers() -> AgencySigner:
    """Return the backend named by ``ESIGN_SIGNER`` (a short name or a dotted class path)."""
    known: dict[str, str | type[AgencySigner]] = {
        "pkcs12": Pkcs12Signers,
        "pkcs11": Pkcs11Signers,
        "smartca": "motcua.esign.smartca.SmartCASigners",
    }
    chosen = known.get(settings.ESIGN_SIGNER, settings.ESIGN_SIGNER)
    cls: type[AgencySigner] = import_string(chosen) if isinstance(chosen, str) else chosen
    return cls()
