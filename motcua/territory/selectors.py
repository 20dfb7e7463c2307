"""Reads of administrative units: lookups by code or name, and today's units for a historic one."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound
from motcua.core.text import fold
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel

UNIT_NOT_FOUND = _("No administrative unit matches.")


def unit_successors(*, unit: AdministrativeUnit) -> QuerySet[AdministrativeUnit]:
    """Return the current units covering ``unit``: itself if current, else its successors."""
    if unit.era == UnitEra.CURRENT:
        return AdministrativeUnit.objects.filter(pk=unit.pk)
    return unit.successors.filter(era=UnitEra.CURRENT).order_by("code")


# The name used before the lookups were added; kept for its callers.
unit_current_equivalents = unit_successors


def unit_main_successor(*, unit: AdministrativeUnit) -> AdministrativeUnit | None:
    """Return the one current unit to count ``unit`` under (itself if current).

    For a divided commune, the commune that took most of its territory; for a
    district or province, the one most of its communes went into.
    """
    if unit.era == UnitEra.CURRENT:
        return unit
    return unit.default_successor


def units_find(
    *,
    code: str = "",
    name: str = "",
    level: str | None = None,
    era: str | None = None,
    within: AdministrativeUnit | None = None,
) -> QuerySet[AdministrativeUnit]:
    """Return the units with ``code``, or whose name is ``name`` (any case, with or without marks).

    ``name`` may leave out the division type ("Hải Châu" finds "Quận Hải
    Châu" and "Phường Hải Châu"); ``within`` keeps the units under it (its
    children and their children), as historic addresses name the district
    and province to tell apart communes of the same name.
    """
    units = AdministrativeUnit.objects.select_related("parent", "default_successor")
    if level:
        units = units.filter(level=level)
    if era:
        units = units.filter(era=era)
    if within is not None:
        units = units.filter(Q(parent=within) | Q(parent__parent=within))
    if code:
        units = units.filter(code=code.strip())
    if name:
        folded = fold(name)
        units = units.filter(Q(search_text=folded) | Q(search_text__endswith=f" {folded}"))
    return units.order_by("level", "era", "code")


def unit_get(*, level: str, code: str, era: str = UnitEra.CURRENT) -> AdministrativeUnit:
    """Return the unit of ``level`` and ``era`` with ``code``, or raise ``NotFound``."""
    unit = units_find(code=code, level=level, era=era).first()
    if unit is None:
        raise NotFound(UNIT_NOT_FOUND)
    return unit


def unit_resolve(
    *, commune: str = "", district: str = "", province: str = ""
) -> list[AdministrativeUnit]:
    """Return today's units for an address written before 1 July 2025, most precise first.

    Each part is a code or a name ("Phường Phước Ninh", "Hải Châu", "48").
    The commune is looked for in the district, the district in the province;
    when the commune is not found the district's successors are given, and
    so on. Returns ``[]`` when nothing matches, or several units when a
    name is ambiguous.
    """
    found: list[AdministrativeUnit] = []
    scope: AdministrativeUnit | None = None
    for level, text in (
        (UnitLevel.PROVINCE, province),
        (UnitLevel.DISTRICT, district),
        (UnitLevel.COMMUNE, commune),
    ):
        if not text:
            continue
        key = {"code": text} if text.strip().isdigit() else {"name": text}
        matches = list(units_find(level=level, era=UnitEra.LEGACY, within=scope, **key))
        if len(matches) != 1:
            if matches and not found:
                found = matches
            break
        scope = found_unit = matches[0]
        found = [found_unit]
    current: dict[int, AdministrativeUnit] = {}
    for unit in found:
        for successor in unit_successors(unit=unit):
            current.setdefault(successor.pk, successor)
    return list(current.values())
