"""Reads of signed results: for the workflow's forms, the pages, and the public verification."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound
from motcua.dossiers.models import Dossier

from .models import SignedResult, SignedState

NO_SUCH_RESULT = _("No electronic result has this code.")


def verification_url(code: str) -> str:
    """Return the absolute URL of a result's public verification page (from ``SITE_URL``)."""
    return settings.SITE_URL.rstrip("/") + reverse("esign:verify", kwargs={"code": code})


@dataclass(frozen=True)
class SignedFacts:
    """What the staff API says of a result's signed copy."""

    signed_at: dt.datetime
    signer: str
    signer_username: str
    sha256: str
    state: str
    replaced_by: str
    verification_url: str


# Read along with a ``dossiers.DossierResult`` row (``values(*RESULT_SIGNED_VALUES)``): one join.
RESULT_SIGNED_VALUES = (
    "signed__signed_at",
    "signed__signed_by_name",
    "signed__signed_by__username",
    "signed__sha256",
    "signed__state",
    "signed__replaced_by__result__code",
)


def signed_facts(code: str, values: Mapping[str, Any]) -> SignedFacts | None:
    """Return the signed facts of the result ``code`` from its row's ``RESULT_SIGNED_VALUES``.

    None for a result with no signed copy (on paper, or recorded before signing).
    """
    if values.get("signed__signed_at") is None:
        return None
    return SignedFacts(
        signed_at=values["signed__signed_at"],
        signer=values["signed__signed_by_name"],
        signer_username=values["signed__signed_by__username"] or "",
        sha256=values["signed__sha256"],
        state=values["signed__state"],
        replaced_by=values["signed__replaced_by__result__code"] or "",
        verification_url=verification_url(code),
    )


def signed_valid_exists(*, dossier_id: int) -> bool:
    """Tell whether the dossier has a signed electronic result neither revoked nor replaced."""
    return SignedResult.objects.filter(
        result__dossier_id=dossier_id, state=SignedState.VALID
    ).exists()


def signed_valid_results(*, dossier_id: int) -> list[tuple[str, str]]:
    """Return ``(code, name)`` of the dossier's valid signed results, in order."""
    return list(
        SignedResult.objects.filter(result__dossier_id=dossier_id, state=SignedState.VALID)
        .order_by("result__number")
        .values_list("result__code", "result__name")
    )


@dataclass(frozen=True)
class SignedRow:
    """A signed result as the pages list it."""

    code: str
    name: str
    state: str
    state_label: str
    signed_at: dt.datetime
    replaced_by: str

    @property
    def valid(self) -> bool:
        return self.state == SignedState.VALID


def dossier_signed_results(dossier: Dossier | int) -> list[SignedRow]:
    """Return the dossier's signed results, oldest first, in one query."""
    dossier_id = dossier if isinstance(dossier, int) else dossier.pk
    rows = (
        SignedResult.objects.filter(result__dossier_id=dossier_id)
        .order_by("result__number")
        .values_list(
            "result__code", "result__name", "state", "signed_at", "replaced_by__result__code"
        )
    )
    labels = dict(SignedState.choices)
    return [
        SignedRow(code, name, state, str(labels[state]), at, replaced or "")
        for code, name, state, at, replaced in rows
    ]


def signed_result_of(*, dossier: Dossier, code: str) -> SignedResult:
    """Return ``dossier``'s signed result coded ``code``, or raise NotFound."""
    found = (
        SignedResult.objects.select_related("result")
        .filter(result__dossier_id=dossier.pk, result__code=code)
        .first()
    )
    if found is None:
        raise NotFound(NO_SUCH_RESULT)
    return found


def signed_public(*, code: str) -> SignedResult:
    """Return the signed result coded ``code`` with what its public page shows, or NotFound.

    Only public facts are loaded: the document, its procedure and agency,
    the signature, its state; nothing of the applicant.
    """
    found = (
        SignedResult.objects.select_related(
            "result", "agency", "replaced_by__result", "result__dossier__procedure"
        )
        .only(
            "sha256",
            "size",
            "signed_at",
            "state",
            "changed_at",
            "certificate_subject",
            "certificate_issuer",
            "certificate_serial",
            "timestamped",
            "result__code",
            "result__name",
            "result__dossier__code",
            "result__dossier__procedure__name",
            "agency__name",
            "replaced_by__result__code",
        )
        .filter(result__code=code.strip())
        .first()
    )
    if found is None:
        raise NotFound(NO_SUCH_RESULT)
    return found


def replacing(signed: SignedResult) -> str:
    """Return the code of the result ``signed`` replaced, if any (one query)."""
    return (
        SignedResult.objects.filter(replaced_by_id=signed.pk)
        .values_list("result__code", flat=True)
        .first()
        or ""
    )
