"""Sign electronic results at the leader's approval; revoke and replace them.

These run inside the workflow action's transaction (``motcua.workflow.services.results``
and ``dossier_mark_processed`` call them under the dossier's lock): the
signed file is written to storage first and deleted again if the transaction
fails (``signed_files``), so an approval is either done with every result
signed, or not done at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.audit.models import AuditKind
from motcua.audit.services import DOSSIER_TYPE, audit_record, snapshot
from motcua.core.errors import Conflict, DomainError
from motcua.core.names import person_name
from motcua.dossiers.files import files_delete
from motcua.dossiers.models import Dossier, DossierResult
from motcua.organisation.models import Agency

from . import pdf, secrets
from .models import SecretFailure, SignedResult, SignedState
from .selectors import verification_url
from .signers import SIGNING_FAILED, SigningUnavailable, agency_signers

logger = logging.getLogger(__name__)

NOT_SIGNED = _("This result has no signed electronic copy.")
NOT_VALID_NOW = _("This result was already revoked or replaced.")
REASON_REQUIRED = _("Give the reason.")
TOO_MANY_SECRETS = _(
    "Too many wrong secrets were given for this dossier or from this connection. Please try "
    "again in an hour."
)
SECRET_WRONG_ACTION = "esign.result_secret_wrong"  # noqa: S105 - an audit action
SECRET_WINDOW = dt.timedelta(hours=1)
KEEP_FAILURES = dt.timedelta(days=1)


class SecretsLimited(DomainError):
    """Too many wrong result secrets for a dossier or from an address in the last hour."""

    status = 429
    code = "rate_limited"


AUDITED = (
    "result",
    "sha256",
    "agency",
    "signed_by",
    "signed_at",
    "backend",
    "certificate_subject",
    "certificate_serial",
    "state",
    "changed_at",
    "changed_by",
    "reason",
    "replaced_by",
)


@contextmanager
def signed_files() -> Iterator[list[str]]:
    """Collect the names of the signed files written in the block; delete them if it fails.

    Open the transaction that records them inside this block, so that a
    rollback also removes the files.
    """
    written: list[str] = []
    try:
        yield written
    except BaseException:
        files_delete(written)
        raise


def result_sign(
    *,
    result: DossierResult,
    agency: Agency,
    actor: Any,
    now: dt.datetime,
    written: list[str],
) -> SignedResult:
    """Sign ``result``'s PDF for ``agency`` and record it; the caller holds the dossier's lock.

    The stored file's name is appended to ``written`` (``signed_files``).
    Raises ``SigningUnavailable`` (409) when the agency's key cannot sign.
    """
    with result.file.open("rb") as handle:
        original = handle.read()
    stamp = pdf.Stamp(
        code=result.code,
        url=verification_url(result.code),
        agency=agency.name,
        person=person_name(actor),
        at=now,
    )
    backend = agency_signers()
    with backend.signer(code=agency.code, name=agency.name) as signer:
        try:
            data = pdf.sign_pdf(original, signer=signer, stamp=stamp)
        except SigningUnavailable:
            raise
        except Exception as exc:  # a token, a service or a TSA failing: refuse, change nothing
            logger.exception("signing %s failed", result.code)
            raise SigningUnavailable(SIGNING_FAILED % {"reason": type(exc).__name__}) from exc
        cert = signer.signing_cert
    if cert is None:  # every backend sets it; a signature without one proves nothing
        raise SigningUnavailable(SIGNING_FAILED % {"reason": "no certificate"})
    name = default_storage.save(f"signed/{now:%Y/%m}/{uuid.uuid4().hex}.pdf", ContentFile(data))
    written.append(name)
    signed = SignedResult.objects.create(
        result=result,
        file=name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        agency=agency,
        signed_by=actor,
        signed_by_name=stamp.person[:200],
        signed_at=now,
        backend=backend.backend,
        certificate_subject=cert.subject.human_friendly[:500],
        certificate_issuer=cert.issuer.human_friendly[:500],
        certificate_serial=format(cert.serial_number, "X"),
        certificate_sha256=hashlib.sha256(cert.dump()).hexdigest(),
        timestamped=bool(settings.ESIGN_TSA_URL),
    )
    audit_record(
        action="esign.result_signed",
        target=signed,
        actor=actor,
        after=snapshot(signed, AUDITED),
        note=result.code,
        at=now,
    )
    return signed


def dossier_results_sign(
    *, dossier: Dossier, agency: Agency, actor: Any, now: dt.datetime, written: list[str]
) -> list[SignedResult]:
    """Sign every electronic result of ``dossier`` not signed yet (at the leader's approval)."""
    pending = DossierResult.objects.filter(
        dossier_id=dossier.pk, is_electronic=True, signed__isnull=True
    ).order_by("number")
    return [
        result_sign(result=result, agency=agency, actor=actor, now=now, written=written)
        for result in pending
    ]


def _signed_of(result: DossierResult) -> SignedResult:
    signed = SignedResult.objects.select_for_update().filter(result_id=result.pk).first()
    if signed is None:
        raise Conflict(NOT_SIGNED)
    if signed.state != SignedState.VALID:
        raise Conflict(NOT_VALID_NOW)
    return signed


def result_revoke(
    *, result: DossierResult, actor: Any, reason: str, now: dt.datetime
) -> SignedResult:
    """Mark a signed result revoked, with the reason; kept on record. Locks its row."""
    signed = _signed_of(result)
    before = snapshot(signed, AUDITED)
    signed.state = SignedState.REVOKED
    signed.changed_at = now
    signed.changed_by = actor
    signed.reason = reason
    signed.save(update_fields=["state", "changed_at", "changed_by", "reason"])
    audit_record(
        action="esign.result_revoked",
        target=signed,
        actor=actor,
        before=before,
        after=snapshot(signed, AUDITED),
        note=result.code,
        at=now,
    )
    return signed


def result_replace(
    *, old: DossierResult, new: SignedResult, actor: Any, reason: str, now: dt.datetime
) -> SignedResult:
    """Mark ``old``'s signed copy replaced by ``new`` (already signed), with the reason."""
    signed = _signed_of(old)
    before = snapshot(signed, AUDITED)
    signed.state = SignedState.REPLACED
    signed.replaced_by = new
    signed.changed_at = now
    signed.changed_by = actor
    signed.reason = reason
    signed.save(update_fields=["state", "replaced_by", "changed_at", "changed_by", "reason"])
    audit_record(
        action="esign.result_replaced",
        target=signed,
        actor=actor,
        before=before,
        after=snapshot(signed, AUDITED),
        note=f"{old.code} -> {new.result.code}",
        at=now,
    )
    return signed


def _secrets_limited(*, dossier_id: int, address: str | None, now: dt.datetime) -> bool:
    recent = SecretFailure.objects.filter(at__gt=now - SECRET_WINDOW)
    per_dossier: int = settings.ESIGN_SECRET_TRIES_PER_DOSSIER_HOUR
    if recent.filter(dossier_id=dossier_id).count() >= per_dossier:
        return True
    per_address: int = settings.ESIGN_SECRET_TRIES_PER_ADDRESS_HOUR
    return address is not None and recent.filter(address=address).count() >= per_address


def result_secret_try(
    *,
    dossier: Dossier,
    result_code: str,
    given: str,
    address: str | None,
    now: dt.datetime | None = None,
) -> bool:
    """Tell whether ``given`` is the dossier's result secret, within the limits.

    Each wrong secret is recorded (``SecretFailure``, and an audit entry of
    kind access naming the result asked for). Past
    ``ESIGN_SECRET_TRIES_PER_DOSSIER_HOUR`` wrong secrets for the dossier or
    ``ESIGN_SECRET_TRIES_PER_ADDRESS_HOUR`` from ``address`` in the last
    hour, every try is refused, the right secret too: raises
    ``SecretsLimited`` (429), counted nowhere (a refusal cannot be a guess).
    """
    now = now or timezone.now()
    with transaction.atomic():
        if _secrets_limited(dossier_id=dossier.pk, address=address, now=now):
            logger.warning("result secret refused for %s: too many wrong ones", dossier.code)
            raise SecretsLimited(TOO_MANY_SECRETS)
        if secrets.result_secret_check(dossier, given):
            return True
        SecretFailure.objects.filter(at__lt=now - KEEP_FAILURES).delete()
        SecretFailure.objects.create(dossier_id=dossier.pk, address=address, at=now)
        audit_record(
            action=SECRET_WRONG_ACTION,
            target=(DOSSIER_TYPE, str(dossier.pk), dossier.code),
            kind=AuditKind.ACCESS,
            note=f"wrong result secret for {result_code[:80]}",
            at=now,
        )
    return False
