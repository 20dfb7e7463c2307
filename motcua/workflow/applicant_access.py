"""Who the applicant is, for the applicant's own pages and API.

The applicant signed in with the national identity (``motcua.applicants``):
on pages through the session, in the API only through the identity's bearer
token (``applicants.oidc.ApplicantBearerAuthentication``, the only
authentication of the applicant's endpoints, so no other site's form can act
with a browser's cookie). Every page and endpoint asks ``applicant_owns``,
and every service checks the identification number again against the
dossier under its lock.
"""

from __future__ import annotations

from typing import Any

from motcua.applicants.selectors import applicant_of
from motcua.dossiers.models import Dossier


def applicant_pin(request: Any) -> str:
    """Return the identification number of the applicant making ``request``, or ''."""
    applicant = applicant_of(request)
    return applicant.id_number if applicant is not None else ""


def applicant_owns(request: Any, dossier: Dossier) -> bool:
    """Tell whether the applicant making ``request`` submitted ``dossier`` (same ID number)."""
    pin = applicant_pin(request)
    return bool(pin) and dossier.applicant_id_number == pin
