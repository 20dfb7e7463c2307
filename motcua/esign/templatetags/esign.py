"""Template tags: the signed results of a dossier, and its result secret (the receipt)."""

from __future__ import annotations

from django import template

from motcua.dossiers.models import Dossier, Status

from ..secrets import result_secret as _secret
from ..selectors import SignedRow, dossier_signed_results

register = template.Library()


# A dossier not yet processed has no signed result: its pages read none.
_BEFORE_RESULTS = frozenset(
    {
        Status.NEW,
        Status.ACCEPTED,
        Status.NOT_ACCEPTED,
        Status.IN_PROCESS,
        Status.SUPPLEMENT_REQUESTED,
    }
)


@register.simple_tag
def signed_results(dossier: Dossier | int) -> list[SignedRow]:
    """Return the dossier's signed electronic results (one query, none before processing)."""
    if isinstance(dossier, Dossier) and dossier.status in _BEFORE_RESULTS:
        return []
    return dossier_signed_results(dossier)


@register.simple_tag
def result_secret(dossier: Dossier) -> str:
    """Return the dossier's result secret, for its receipt."""
    return _secret(dossier)
