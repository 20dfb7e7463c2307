"""Writes to administrative units: the current list (``vietnam-provinces``) and historic units."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any

from django.db import transaction

from motcua.core.text import fold
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel

UPDATED_FIELDS = ["name", "division_type", "parent", "search_text"]


def _divisions() -> list[dict[str, Any]]:
    data = resources.files("vietnam_provinces") / "data" / "nested-divisions.json"
    divisions: list[dict[str, Any]] = json.loads(data.read_text(encoding="utf-8"))
    return divisions


@transaction.atomic
def units_load_current(*, with_communes_of: Iterable[str] = ()) -> int:
    """Create or refresh the 34 current provinces and the communes of the provinces given.

    ``with_communes_of`` holds province codes (e.g. ``["48"]``); pass every
    code to load all ~3,300 communes. Bulk upserts keyed on (level, era,
    code), so running it again changes nothing. Returns the number of units
    written.
    """
    wanted = {str(int(code)) for code in with_communes_of}
    divisions = _divisions()
    provinces = [
        AdministrativeUnit(
            code=f"{p['code']:02d}",
            name=p["name"],
            division_type=p["division_type"],
            level=UnitLevel.PROVINCE,
            era=UnitEra.CURRENT,
            search_text=fold(p["name"]),
        )
        for p in divisions
    ]
    AdministrativeUnit.objects.bulk_create(
        provinces,
        update_conflicts=True,
        unique_fields=["level", "era", "code"],
        update_fields=UPDATED_FIELDS,
    )
    ids = dict(
        AdministrativeUnit.objects.filter(
            level=UnitLevel.PROVINCE, era=UnitEra.CURRENT
        ).values_list("code", "id")
    )
    communes = [
        AdministrativeUnit(
            code=f"{w['code']:05d}",
            name=w["name"],
            division_type=w["division_type"],
            level=UnitLevel.COMMUNE,
            era=UnitEra.CURRENT,
            parent_id=ids[f"{p['code']:02d}"],
            search_text=fold(w["name"]),
        )
        for p in divisions
        if str(p["code"]) in wanted
        for w in p["wards"]
    ]
    AdministrativeUnit.objects.bulk_create(
        communes,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["level", "era", "code"],
        update_fields=UPDATED_FIELDS,
    )
    return len(provinces) + len(communes)


@transaction.atomic
def unit_upsert_legacy(
    *,
    code: str,
    name: str,
    level: str,
    division_type: str = "",
    parent: AdministrativeUnit | None = None,
    successors: Sequence[AdministrativeUnit] = (),
) -> AdministrativeUnit:
    """Create or refresh a unit that existed before 1 July 2025 and map it to today's units."""
    unit, _created = AdministrativeUnit.objects.update_or_create(
        level=level,
        era=UnitEra.LEGACY,
        code=code,
        defaults={
            "name": name,
            "division_type": division_type,
            "parent": parent,
            "search_text": fold(name),
        },
    )
    unit.successors.set(successors)
    return unit


def unit_save(*, unit: AdministrativeUnit) -> AdministrativeUnit:
    """Save ``unit`` as edited by an administrator, refreshing its search text."""
    unit.search_text = fold(unit.name)
    unit.save()
    return unit
