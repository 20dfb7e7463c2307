"""Reads on dossiers: public tracking and the links that open a dossier's documents."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Protocol
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound

from .models import Dossier, DossierEvent, DossierFile, DossierResult

DOSSIER_NOT_FOUND = _("No dossier has this code.")
_RECEIPT_SALT = "motcua.dossiers.receipt"
_PUBLIC_FIELDS = (
    "code",
    "status",
    "channel",
    "delivery",
    "received_at",
    "due_at",
    "procedure__code",
    "procedure__name",
    "procedure_version__name",
    "competent_agency__code",
    "competent_agency__name",
)


def dossier_public_get(*, code: str) -> Dossier:
    """Return the dossier with ``code`` and its public timeline, or raise NotFound.

    Loads only the public fields (a hot path: anyone may track any dossier):
    no applicant data leaves the database here.
    """
    dossier = (
        Dossier.objects.select_related("procedure", "procedure_version", "competent_agency")
        .only(*_PUBLIC_FIELDS)
        .prefetch_related(
            Prefetch(
                "events",
                queryset=DossierEvent.objects.filter(is_public=True)
                .only("dossier_id", "at", "kind", "to_status", "actor_label")
                .order_by("at", "id"),
                to_attr="public_events",
            )
        )
        .filter(code=code.strip())
        .order_by()
        .first()
    )
    if dossier is None:
        raise NotFound(DOSSIER_NOT_FOUND)
    return dossier


def dossier_get(*, code: str) -> Dossier:
    """Return the whole dossier with ``code`` (applicant data included), or raise NotFound.

    Callers check that the requester may see it (the receipt's token, a staff role).
    """
    dossier = (
        Dossier.objects.select_related(
            "procedure",
            "procedure_version",
            "competent_agency",
            "receiving_unit__parent",
            # The place-and-date line names the unit's province; the receipt prints its book.
            "receiving_unit__administrative_unit__parent",
            "register_book",
        )
        .prefetch_related("components__files", "procedure_version__fees")
        .filter(code=code.strip())
        .order_by()
        .first()
    )
    if dossier is None:
        raise NotFound(DOSSIER_NOT_FOUND)
    return dossier


class Coded(Protocol):
    """Anything with a dossier's code: the model, or a read of it."""

    @property
    def code(self) -> str: ...


def _receipt_signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=_RECEIPT_SALT, sep=".")


def dossier_receipt_token(dossier: Coded) -> str:
    """Return a token that opens the dossier's receipt for a while; given only to the applicant.

    The code is public (anyone may track a dossier), the receipt holds personal
    data, so the receipt's link carries a signature of the code and of the time
    it was made: it opens the receipt for ``MOTCUA_RECEIPT_LINK_HOURS``, so a
    link read later from an access log, a proxy or a browser's history opens
    nothing.
    """
    return _receipt_signer().sign(dossier.code)[len(dossier.code) + 1 :]


class ReceiptLink(enum.Enum):
    """What a receipt token is worth for a dossier."""

    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"


def dossier_receipt_token_check(dossier: Coded, token: str) -> ReceiptLink:
    """Tell whether ``token`` opens ``dossier``'s receipt now, has expired, or never did."""
    if not token:
        return ReceiptLink.INVALID
    hours = settings.MOTCUA_RECEIPT_LINK_HOURS
    try:
        _receipt_signer().unsign(f"{dossier.code}.{token}", max_age=dt.timedelta(hours=hours))
    except signing.SignatureExpired:
        return ReceiptLink.EXPIRED
    except signing.BadSignature:
        return ReceiptLink.INVALID
    return ReceiptLink.VALID


def dossier_receipt_url(dossier: Coded, *, token: str | None = None) -> str:
    """Return the path of the dossier's receipt PDF, with ``token`` or a new one."""
    path = reverse("dossiers:receipt", kwargs={"code": dossier.code})
    return f"{path}?{urlencode({'token': token or dossier_receipt_token(dossier)})}"


def dossier_tracking_url(dossier: Coded) -> str:
    """Return the path of the dossier's public tracking page."""
    return reverse("portal:track-detail", kwargs={"code": dossier.code})


NO_SUCH_FILE = _("This dossier has no such file.")
NO_SUCH_RESULT = _("This dossier has no such result.")


def dossier_file_of(*, dossier: Dossier, file_id: int) -> DossierFile:
    """Return the file ``file_id`` of one of ``dossier``'s components, or raise NotFound."""
    stored = DossierFile.objects.filter(pk=file_id, component__dossier=dossier).first()
    if stored is None:
        raise NotFound(NO_SUCH_FILE)
    return stored


def dossier_result_of(
    *, dossier: Dossier, result_id: int | None = None, code: str | None = None
) -> DossierResult:
    """Return ``dossier``'s result document of id ``result_id`` or of ``code``, or raise NotFound.

    A result's code is the dossier's code and ``-KQ<n>``, as the API shows it.
    """
    results = DossierResult.objects.filter(dossier=dossier)
    if result_id is not None:
        results = results.filter(pk=result_id)
    if code is not None:
        results = results.filter(code=code)
    stored = results.first() if result_id is not None or code is not None else None
    if stored is None:
        raise NotFound(NO_SUCH_RESULT)
    return stored
