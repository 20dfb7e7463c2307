"""Writes to agencies and one-stop units."""

from __future__ import annotations

from django.db import transaction

from motcua.organisation.models import Agency
from motcua.territory.models import AdministrativeUnit


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
) -> Agency:
    """Create the agency with official code ``code``, or bring it up to date."""
    agency, _created = Agency.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "short_name": short_name,
            "kind": kind,
            "level": level,
            "parent": parent,
            "administrative_unit": administrative_unit,
            "is_one_stop_unit": is_one_stop_unit,
            "address": address,
            "phone": phone,
            "email": email,
        },
    )
    return agency
