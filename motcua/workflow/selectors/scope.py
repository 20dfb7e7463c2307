"""Who may see a dossier, and who answers for it now.

``dossier_scope`` is what a person may see: the dossiers their one-stop units
received, those their agencies decide, and those a step of which went to one
of their agencies (the ``DossierAccess`` rows the services keep).
``answerable_scope`` is what their agencies answer for now: received,
decided, or holding the open step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import Forbidden
from motcua.dossiers.models import DossierAccess
from motcua.staff.models import Role
from motcua.staff.selectors import AnyUser, user_agency_roles

NOT_YOURS = _("This dossier belongs to agencies you do not work for.")
DOSSIER_NOT_FOUND = _("No dossier has this code.")
NOTHING = Q(pk__in=[])  # the scope of someone without an agency


def dossier_scope(*, user: AnyUser, roles: dict[int, set[str]] | None = None) -> Q:
    """Return a filter on Dossier for the dossiers ``user`` may see."""
    agencies = sorted(roles if roles is not None else user_agency_roles(user=user))
    if not agencies:
        return NOTHING
    return received_or_decided(agencies) | Q(
        Exists(DossierAccess.objects.filter(dossier=OuterRef("pk"), agency_id__in=agencies))
    )


def answerable_scope(*, user: AnyUser, roles: dict[int, set[str]] | None = None) -> Q:
    """Return a filter on Dossier for the running dossiers ``user``'s agencies answer for now.

    Those their one-stop units received, those their agencies decide, and
    those whose open step is in one of their agencies. Three plain column
    tests, each led by an index with ``status`` and the due time, so
    PostgreSQL combines three index scans and reads only matching rows.
    """
    agencies = sorted(roles if roles is not None else user_agency_roles(user=user))
    if not agencies:
        return NOTHING
    return received_or_decided(agencies) | Q(current_agency_id__in=agencies)


def received_or_decided(agencies: Iterable[int]) -> Q:
    agencies = list(agencies)
    return Q(receiving_unit_id__in=agencies) | Q(competent_agency_id__in=agencies)


def agencies_with(roles: Mapping[int, set[str]], role: Role) -> list[int]:
    """Return the agencies where ``roles`` hold ``role``."""
    return sorted(a for a, held in roles.items() if role in held)


def check_may_see(
    roles: Mapping[int, set[str]],
    *,
    receiving_unit_id: int,
    competent_agency_id: int,
    step_agency_ids: Iterable[int],
) -> None:
    """Raise Forbidden unless one of ``roles``' agencies may see the dossier: ``dossier_scope``
    for one dossier already loaded (its receiving unit, deciding agency and steps' agencies).
    """
    agencies = set(roles)
    if not (
        receiving_unit_id in agencies
        or competent_agency_id in agencies
        or any(agency_id in agencies for agency_id in step_agency_ids)
    ):
        raise Forbidden(NOT_YOURS)


def role_holders(*, role: str, agency_id: int) -> QuerySet[Any]:
    """Return the active users holding ``role`` in the agency ``agency_id``, by name."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            staff_roles__role=role,
            staff_roles__agency_id=agency_id,
            staff_roles__is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
