"""Writes to agencies and one-stop units: codes checked against the national structure, audited."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import audit_record, snapshot
from motcua.core.errors import ValidationFailed
from motcua.organisation.codes import AgencyCode, agency_code_parse
from motcua.organisation.models import Agency, AgencyKind
from motcua.territory.models import AdministrativeUnit

AGENCY_PARENT_MISMATCH = _("The code {code} places the agency under the agency coded {parent}.")
AGENCY_PARENT_MISSING = _(
    "The code {code} places the agency under {parent}, which must be its parent agency."
)
AGENCY_TOP_HAS_PARENT = _("The code {code} names a ministry or province: it has no parent agency.")
AGENCY_KIND_DEPTH = _(
    "A {kind} is a unit at level {expected} of its province's code tree; {code} is at level "
    "{depth}."
)
AGENCY_KIND_LOCAL = _(
    "A {kind} is coded under its province (a level-1 code starting with H), not under {issuer}."
)
AGENCY_KIND_CENTRAL = _(
    "An agency of a ministry located in the province is coded under its ministry's level-1 "
    "code (e.g. G01), not under the province's {issuer}."
)

# The level (1-4) of the province's code tree at which each kind of local agency sits. After
# 1 July 2025 commune committees are level-2 units of the province, their centres level 3.
KIND_DEPTHS: dict[str, frozenset[int]] = {
    AgencyKind.PEOPLES_COMMITTEE: frozenset({1}),
    AgencyKind.DEPARTMENT: frozenset({2, 3}),
    AgencyKind.SERVICE_CENTRE: frozenset({2}),
    AgencyKind.CENTRE_BRANCH: frozenset({3}),
    AgencyKind.COMMUNE_COMMITTEE: frozenset({2}),
    AgencyKind.COMMUNE_CENTRE: frozenset({3}),
}
AUDITED_FIELDS = [
    "code",
    "name",
    "short_name",
    "notation",
    "kind",
    "level",
    "parent",
    "administrative_unit",
    "is_one_stop_unit",
    "address",
    "phone",
    "email",
    "is_active",
    "successor",
]
AGENCY_SUCCESSOR_LOOP = _("An agency cannot succeed itself, directly or through its successors.")


def agency_validate(*, agency: Agency) -> AgencyCode:
    """Check ``agency``'s code, kind and parent against each other; return the parsed code.

    Raises ``ValidationFailed`` with every problem per field.
    """
    code = agency_code_parse(agency.code)
    errors: dict[str, list[str | Promise]] = defaultdict(list)
    kind = AgencyKind(agency.kind)
    if kind == AgencyKind.MINISTRY_BRANCH:
        if code.is_local:
            errors["code"].append(AGENCY_KIND_CENTRAL.format(issuer=code.level1))
    else:
        if not code.is_local:
            errors["code"].append(AGENCY_KIND_LOCAL.format(kind=kind.label, issuer=code.level1))
        depths = KIND_DEPTHS[kind]
        if code.depth not in depths:
            errors["code"].append(
                AGENCY_KIND_DEPTH.format(
                    kind=kind.label,
                    expected=" / ".join(str(d) for d in sorted(depths)),
                    code=code,
                    depth=code.depth,
                )
            )
    expected = code.parent
    parent = agency.parent
    if expected is None:
        if parent is not None:
            errors["parent"].append(AGENCY_TOP_HAS_PARENT.format(code=code))
    elif parent is not None:
        if parent.code != str(expected):
            errors["parent"].append(AGENCY_PARENT_MISMATCH.format(code=code, parent=expected))
    elif Agency.objects.filter(code=str(expected)).exclude(pk=agency.pk).exists():
        # The parent named by the code is known here: it must be the parent.
        errors["parent"].append(AGENCY_PARENT_MISSING.format(code=code, parent=expected))
    successor, seen = agency.successor, set()
    while successor is not None and successor.pk not in seen:
        if successor is agency or (agency.pk is not None and successor.pk == agency.pk):
            errors["successor"].append(AGENCY_SUCCESSOR_LOOP)
            break
        seen.add(successor.pk)
        successor = successor.successor
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, field_errors=errors)
    return code


@transaction.atomic
def agency_upsert(
    *,
    code: str,
    name: str,
    kind: str,
    level: str,
    administrative_unit: AdministrativeUnit,
    parent: Agency | None = None,
    short_name: str = "",
    is_one_stop_unit: bool = False,
    address: str = "",
    phone: str = "",
    email: str = "",
    notation: str = "",
    is_active: bool | None = None,
    successor: Agency | None = None,
    actor: Any = None,
) -> Agency:
    """Create the agency with official code ``code``, or bring it up to date.

    A former agency (merged away) is kept inactive (``is_active=False``) with
    ``successor`` the agency that took over its work, so statistics read it
    under today's name; None keeps what is stored (a new agency is active).

    Locks the existing row (``select_for_update``). Raises ``ValidationFailed``
    (nothing written) if the code is malformed or does not fit the kind or
    the parent. Writes an audit entry when something changed.
    """
    agency = Agency.objects.select_for_update().filter(code=code.strip()).first()
    before = snapshot(agency, AUDITED_FIELDS) if agency is not None else None
    if agency is None:
        agency = Agency(code=code.strip())
    agency.name = name
    agency.short_name = short_name
    agency.notation = notation
    agency.kind = kind
    agency.level = level
    agency.parent = parent
    agency.administrative_unit = administrative_unit
    agency.is_one_stop_unit = is_one_stop_unit
    agency.address = address
    agency.phone = phone
    agency.email = email
    if is_active is not None:
        agency.is_active = is_active
    if successor is not None:
        agency.successor = successor
    agency_validate(agency=agency)
    after = snapshot(agency, AUDITED_FIELDS)
    if before != after:
        agency.save()
        audit_record(
            action="agency_upsert",
            target=agency,
            actor=actor,
            before=before,
            after=snapshot(agency, AUDITED_FIELDS),
        )
    return agency


@transaction.atomic
def agency_save(*, agency: Agency, actor: Any = None) -> Agency:
    """Save ``agency`` as edited by an administrator, with an audit entry of the change.

    Locks the stored row (``select_for_update``) to read the state before the
    change. Raises ``ValidationFailed`` (nothing written) if the code is
    malformed or does not fit the kind or the parent.
    """
    stored = (
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        if agency.pk is not None
        else None
    )
    before = snapshot(stored, AUDITED_FIELDS) if stored is not None else None
    agency.code = agency.code.strip()
    agency_validate(agency=agency)
    agency.save()
    audit_record(
        action="agency_save" if before is not None else "agency_create",
        target=agency,
        actor=actor,
        before=before,
        after=snapshot(agency, AUDITED_FIELDS),
    )
    return agency
