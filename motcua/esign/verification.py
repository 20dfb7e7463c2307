"""Is a PDF an authentic electronic result of this system? Each check, and which one failed.

1. it is a PDF with a signature; 2. the signature is intact (the signed bytes
unchanged) and cryptographically valid; 3. it covers the whole file (nothing
added after signing); 4. the signer's certificate chains to the trust roots
(``ESIGN_TRUST_ROOTS``) and is one our agencies signed with; 5. the file is
on record (its SHA-256); 6. the result on record is neither revoked nor
replaced.
"""

from __future__ import annotations

import enum
import hashlib
import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from .loop import outside_event_loop
from .models import SignedResult, SignedState

logger = logging.getLogger(__name__)


class Verdict(enum.Enum):
    AUTHENTIC = "authentic"
    NOT_A_PDF = "not_a_pdf"
    NOT_SIGNED = "not_signed"
    TAMPERED = "tampered"
    CHANGED_AFTER_SIGNING = "changed_after_signing"
    UNTRUSTED = "untrusted"
    OTHER_SIGNER = "other_signer"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    REPLACED = "replaced"


SAYS = {
    Verdict.AUTHENTIC: _("Authentic: an electronic result of this system, valid."),
    Verdict.NOT_A_PDF: _("This file is not a PDF that can be read."),
    Verdict.NOT_SIGNED: _("This PDF carries no digital signature: it is not an electronic result."),
    Verdict.TAMPERED: _(
        "The signature does not match the content: the document was altered after it was signed."
    ),
    Verdict.CHANGED_AFTER_SIGNING: _(
        "Content was added to the document after it was signed: the signature does not cover "
        "the whole file."
    ),
    Verdict.UNTRUSTED: _(
        "The document is signed with a certificate that does not come from a trusted "
        "certification authority: it is not a result of this system."
    ),
    Verdict.OTHER_SIGNER: _(
        "The document is signed with a certificate that is not one of the agencies of this system."
    ),
    Verdict.UNKNOWN: _(
        "The signature is valid, but this document is not on record here: it is not a result "
        "issued by this system."
    ),
    Verdict.REVOKED: _("This result was revoked: it is no longer valid."),
    Verdict.REPLACED: _("This result was replaced by another one: it is no longer valid."),
}


@dataclass(frozen=True)
class SignatureFacts:
    """What the PDF's last signature says, whatever it is worth."""

    intact: bool
    valid: bool
    trusted: bool
    whole_file: bool
    subject: str
    issuer: str
    serial: str
    certificate_sha256: str


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    sha256: str
    facts: SignatureFacts | None = None
    record: SignedResult | None = None

    @property
    def authentic(self) -> bool:
        return self.verdict is Verdict.AUTHENTIC

    @property
    def says(self) -> str:
        return str(SAYS[self.verdict])


@lru_cache(maxsize=4)
def _roots(path: str, _mtime: int) -> tuple[asn1_x509.Certificate, ...]:
    return tuple(load_certs_from_pemder([path]))  # type: ignore[no-untyped-call]


def trust_roots() -> list[asn1_x509.Certificate]:
    """Return the certificates of ``ESIGN_TRUST_ROOTS`` (none if the bundle is missing)."""
    path = Path(settings.ESIGN_TRUST_ROOTS)
    if not path.is_file():
        return []
    return list(_roots(str(path), path.stat().st_mtime_ns))


def serial_hex(serial: int) -> str:
    return format(serial, "X")


def signature_facts(data: bytes) -> SignatureFacts | Verdict:
    """Validate the last signature of a PDF against the trust roots (pyHanko)."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return Verdict.NOT_A_PDF
    except Exception:  # a file crafted to break the reader: still not a PDF we can read
        logger.info("unreadable PDF uploaded for verification", exc_info=True)
        return Verdict.NOT_A_PDF
    if not signatures:
        return Verdict.NOT_SIGNED
    embedded = signatures[-1]
    context = ValidationContext(
        trust_roots=trust_roots(), allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        status = outside_event_loop(validate_pdf_signature, embedded, context)
    except Exception:  # a malformed signature of any kind: it proves nothing
        logger.info("signature validation failed", exc_info=True)
        return Verdict.TAMPERED
    cert = status.signing_cert
    return SignatureFacts(
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        serial=serial_hex(cert.serial_number),
        certificate_sha256=hashlib.sha256(cert.dump()).hexdigest(),
    )


def pdf_verify(data: bytes) -> Verification:
    """Tell whether ``data`` is an authentic electronic result of this system, or why not."""
    sha256 = hashlib.sha256(data).hexdigest()
    facts = signature_facts(data)
    if isinstance(facts, Verdict):
        return Verification(facts, sha256)
    if not (facts.intact and facts.valid):
        return Verification(Verdict.TAMPERED, sha256, facts)
    if not facts.whole_file:
        return Verification(Verdict.CHANGED_AFTER_SIGNING, sha256, facts)
    if not facts.trusted:
        return Verification(Verdict.UNTRUSTED, sha256, facts)
    if not SignedResult.objects.filter(certificate_sha256=facts.certificate_sha256).exists():
        return Verification(Verdict.OTHER_SIGNER, sha256, facts)
    record = (
        SignedResult.objects.select_related(
            "result__dossier__procedure", "agency", "replaced_by__result"
        )
        .filter(sha256=sha256)
        .first()
    )
    if record is None:
        return Verification(Verdict.UNKNOWN, sha256, facts)
    if record.state == SignedState.REVOKED:
        return Verification(Verdict.REVOKED, sha256, facts, record)
    if record.state == SignedState.REPLACED:
        return Verification(Verdict.REPLACED, sha256, facts, record)
    return Verification(Verdict.AUTHENTIC, sha256, facts, record)
