"""The formulas of report columns: measure names and open-dossier counts joined by ``+``.

``carried_over + received`` is the dossiers carried over from before the
period plus those received in it. Besides the rollups' measures
(``motcua.statistics.measures``) a formula may name the counts of open
dossiers at the end of the period (``OPEN_TERMS``) and ``carried_over``.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.statistics.measures import BY_NAME

CARRIED_OVER = "carried_over"
# The open-dossier terms and the column of ``selectors.Open`` (the daily count) each reads.
OPEN_TERMS: dict[str, str] = {
    "open": "open",
    "open_within": "within",
    "open_past": "past",
    "paused_supplement": "paused_supplement",
    "paused_payment": "paused_payment",
}
EMPTY_FORMULA = _("Enter a formula: measure names joined by +.")
UNKNOWN_TERM = _("Unknown term in the formula: %(term)s.")


def terms_of(expression: str) -> tuple[str, ...]:
    """Return the terms of ``expression`` (not checked)."""
    return tuple(t.strip() for t in expression.split("+"))


def expression_error(expression: str) -> str | Promise | None:
    """Return why ``expression`` is not a valid formula, or None when it is."""
    terms = terms_of(expression)
    if not expression.strip() or any(not t for t in terms):
        return EMPTY_FORMULA
    for term in terms:
        if term not in BY_NAME and term != CARRIED_OVER and term not in OPEN_TERMS:
            return UNKNOWN_TERM % {"term": term}
    return None
