"""VNPT SmartCA remote signing (the "SP769" integration API): the agency's key stays at VNPT.

Protocol, as VNPT's integration guide describes it and public integrations
use it (assumed where the guide was not available to us): JSON over HTTPS,
every request carries the integrator's ``sp_id`` and ``sp_password`` and
the signer's SmartCA account ``user_id``; answers are ``{"status_code",
"message", "data"}`` with ``status_code`` 0 for success.

- ``POST {base}/v1/credentials/get_certificate`` ``{sp_id, sp_password, user_id,
  serial_number, transaction_id}`` -> ``data.user_certificates``: a list of
  ``{serial_number, cert_subject, cert_valid_from, cert_valid_to, cert_status,
  cert_data}`` (``cert_data``: the certificate, DER in base64).
- ``POST {base}/v1/signatures/sign`` ``{sp_id, sp_password, user_id,
  transaction_id, transaction_desc, serial_number, sign_files: [{data_to_be_signed,
  doc_id, file_type, sign_type: "hash"}]}``, ``data_to_be_signed`` the hex of
  the SHA-256 digest to sign -> ``data.transaction_id`` (and ``tran_code``).
  The account holder confirms the transaction in the SmartCA app.
- ``POST {base}/v1/signatures/sign/{transaction_id}/status`` ``{}`` ->
  ``data.signatures``: null while waiting, else ``[{doc_id, signature_value}]``
  (the raw RSA PKCS#1 v1.5 signature, base64). A ``status_code`` other than 0
  means refused or expired (assumed; the message says which).

``SmartCASigners`` gives pyHanko a ``Signer`` whose raw signature is asked of
the service: pyHanko builds the PAdES signed attributes, we send their
digest, poll until the holder confirms (``ESIGN_SMARTCA_POLL`` seconds apart,
at most ``ESIGN_SMARTCA_TIMEOUT``), and embed the answer.
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .signers import SIGNING_FAILED, SigningUnavailable

OK = 0
CERTIFICATE_PATH = "v1/credentials/get_certificate"
SIGN_PATH = "v1/signatures/sign"
STATUS_PATH = "v1/signatures/sign/{transaction_id}/status"


class SmartCAError(Exception):
    """The service refused, failed or did not answer in time."""


class SmartCAClient:
    """The HTTP side of the protocol (one client kept open for a signature's calls)."""

    def __init__(
        self,
        *,
        base_url: str,
        sp_id: str,
        sp_password: str,
        timeout: float = 60,
        poll: float = 1,
        http: httpx.Client | None = None,
    ) -> None:
        self.account = {"sp_id": sp_id, "sp_password": sp_password}
        self.timeout = timeout
        self.poll = poll
        self.http = http or httpx.Client(base_url=base_url.rstrip("/") + "/", timeout=30)

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.http.post(path, json=body)
            response.raise_for_status()
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise SmartCAError(f"{path}: {type(exc).__name__}") from exc
        if not isinstance(answer, dict):
            raise SmartCAError(f"{path}: not a JSON object")
        return answer

    def certificate(self, *, user_id: str) -> tuple[asn1_x509.Certificate, str]:
        """Return the account's valid certificate and its serial number."""
        answer = self._post(
            CERTIFICATE_PATH,
            {
                **self.account,
                "user_id": user_id,
                "serial_number": "",
                "transaction_id": uuid.uuid4().hex,
            },
        )
        if answer.get("status_code") != OK:
            raise SmartCAError(str(answer.get("message") or answer.get("status_code")))
        certs = (answer.get("data") or {}).get("user_certificates") or []
        valid = [c for c in certs if str(c.get("cert_status", "VALID")).upper() in {"VALID", "1"}]
        if not valid:
            raise SmartCAError("no valid certificate for this account")
        chosen = valid[0]
        der = base64.b64decode(chosen["cert_data"])
        return asn1_x509.Certificate.load(der), str(chosen.get("serial_number", ""))

    def sign_hash(
        self, *, user_id: str, serial: str, digest: bytes, doc_id: str, description: str
    ) -> str:
        """Ask for a signature of ``digest`` (SHA-256); return the transaction id to poll."""
        answer = self._post(
            SIGN_PATH,
            {
                **self.account,
                "user_id": user_id,
                "transaction_id": uuid.uuid4().hex,
                "transaction_desc": description[:200],
                "serial_number": serial,
                "sign_files": [
                    {
                        "data_to_be_signed": digest.hex(),
                        "doc_id": doc_id,
                        "file_type": "pdf",
                        "sign_type": "hash",
                    }
                ],
            },
        )
        transaction = (answer.get("data") or {}).get("transaction_id")
        if answer.get("status_code") != OK or not transaction:
            raise SmartCAError(str(answer.get("message") or answer.get("status_code")))
        return str(transaction)

    def status(self, transaction_id: str) -> bytes | None:
        """Return the signature once confirmed, None while waiting; raise if refused."""
        answer = self._post(STATUS_PATH.format(transaction_id=transaction_id), {})
        if answer.get("status_code") != OK:
            raise SmartCAError(str(answer.get("message") or answer.get("status_code")))
        signatures = (answer.get("data") or {}).get("signatures")
        if not signatures:
            return None
        return base64.b64decode(signatures[0]["signature_value"])

    def sign(
        self, *, user_id: str, serial: str, digest: bytes, doc_id: str, description: str
    ) -> bytes:
        """Ask for a signature and wait for it (``poll`` apart, at most ``timeout``)."""
        transaction = self.sign_hash(
            user_id=user_id, serial=serial, digest=digest, doc_id=doc_id, description=description
        )
        deadline = time.monotonic() + self.timeout
        while True:
            signature = self.status(transaction)
            if signature is not None:
                return signature
            if time.monotonic() >= deadline:
                raise SmartCAError("the signature was not confirmed in time")
            time.sleep(self.poll)


class SmartCASigner(Signer):
    """A pyHanko signer whose raw signature comes from SmartCA (RSA PKCS#1 v1.5, SHA-256)."""

    def __init__(
        self, *, client: SmartCAClient, user_id: str, cert: asn1_x509.Certificate, serial: str
    ) -> None:
        registry = SimpleCertificateStore.from_certs([cert])  # type: ignore[no-untyped-call]
        super().__init__(signing_cert=cert, cert_registry=registry)
        self.client = client
        self.user_id = user_id
        self.serial = serial
        self.description = "motcua"

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        size = self.signing_cert.public_key.byte_size if self.signing_cert else 256
        if dry_run:
            return bytes(size)
        digest = hashlib.new(digest_algorithm, data).digest()
        try:
            return self.client.sign(
                user_id=self.user_id,
                serial=self.serial,
                digest=digest,
                doc_id=uuid.uuid4().hex,
                description=self.description,
            )
        except SmartCAError as exc:
            raise SigningUnavailable(SIGNING_FAILED % {"reason": str(exc)}) from exc


class SmartCASigners:
    """The SmartCA backend: each agency signs with its SmartCA account (``ESIGN_SMARTCA_*``)."""

    backend = "smartca"

    def client(self) -> SmartCAClient:
        return SmartCAClient(
            base_url=settings.ESIGN_SMARTCA_URL,
            sp_id=settings.ESIGN_SMARTCA_SP_ID,
            sp_password=settings.ESIGN_SMARTCA_SP_PASSWORD,
            timeout=settings.ESIGN_SMARTCA_TIMEOUT,
            poll=settings.ESIGN_SMARTCA_POLL,
        )

    @contextmanager
    def signer(self, *, code: str, name: str) -> Iterator[Signer]:
        user_id = settings.ESIGN_SMARTCA_USER_IDS.get(code, code)
        client = self.client()
        try:
            try:
                cert, serial = client.certificate(user_id=user_id)
            except SmartCAError as exc:
                raise SigningUnavailable(SIGNING_FAILED % {"reason": str(exc)}) from exc
            signer = SmartCASigner(client=client, user_id=user_id, cert=cert, serial=serial)
            signer.description = f"Ký kết quả điện tử - {name}"
            yield signer
        finally:
            client.http.close()
