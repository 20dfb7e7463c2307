"""Reads of signed results: for the workflow's forms, the pages, and the public verification."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound
from motcua.dossiers.models import Dossier

from .models import SignedResult, SignedState

NO_SUCH_RESULT = _("No electronic result has this code.")


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
