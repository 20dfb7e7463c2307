"""Who the applicant is, for the applicant's own pages and API: one function to swap at merge.

Until the national-identity sign-in lands (``motcua.applicants``), the
applicant's 12-digit identification number is read from
``request.session["applicant_pin"]`` (pages) or from the request attribute
``request.applicant_pin`` that the identity's authentication sets (API:
the bearer token; never the session there, so no other site's form can act
with the applicant's cookie). At merge, ``applicant_pin`` becomes a call to
the identity's selector; nothing else changes: every page and endpoint asks
``applicant_owns``, and every service checks the number again against the
dossier under its lock.
"""

from __future__ import annotations

from typing import Any

from motcua.dossiers.models import Dossier

SESSION_KEY = "applicant_pin"
REQUEST_ATTRIBUTE = "applicant_pin"


def applicant_pin(request: Any, *, session: bool = True) -> str:
    """Return the identification number of the applicant making ``request``, or ''.

    ``session`` False (the API) reads only the attribute the identity's
    authentication set on the request.
    """
    pin = getattr(request, REQUEST_ATTRIBUTE, None)
    if not pin and session and hasattr(request, "session"):
        pin = request.session.get(SESSION_KEY)
    return str(pin).strip() if pin else ""


def applicant_owns(request: Any, dossier: Dossier, *, session: bool = True) -> bool:
    """Tell whether the applicant making ``request`` submitted ``dossier`` (same ID number)."""
    pin = applicant_pin(request, session=session)
    return bool(pin) and dossier.applicant_id_number == pin
