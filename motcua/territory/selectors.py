"""Reads of administrative units: today's units that took over a historic one."""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.territory.models import AdministrativeUnit, UnitEra


def unit_current_equivalents(*, unit: AdministrativeUnit) -> QuerySet[AdministrativeUnit]:
    """Return the current units covering ``unit``: itself if current, else its successors."""
    if unit.era == UnitEra.CURRENT:
        return AdministrativeUnit.objects.filter(pk=unit.pk)
    return unit.successors.filter(era=UnitEra.CURRENT).order_by("code")
