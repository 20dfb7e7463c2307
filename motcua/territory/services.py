"""Writes to administrative units: today's, those before 1 July 2025, and their successors."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import audit_record, snapshot
from motcua.core.errors import ValidationFailed
from motcua.core.text import fold
from motcua.territory import sources
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel

UPDATED_FIELDS = ["name", "division_type", "parent", "search_text"]
LEGACY_UPDATED_FIELDS = [*UPDATED_FIELDS, "default_successor"]
AUDITED_FIELDS = ["code", "name", "division_type", "level", "era", "parent", "default_successor"]

UNKNOWN_LEGACY_PROVINCE = _("No province before 1 July 2025 has the code {codes}.")
SUCCESSOR_NOT_CURRENT = _("A successor must be a current unit (from 1 July 2025).")
SUCCESSOR_OF_CURRENT = _("Only a unit that existed before 1 July 2025 has successors.")
DEFAULT_NOT_A_SUCCESSOR = _("The main successor must be one of the successors.")
PARENT_WRONG_LEVEL = _("A {level} is part of a {parent}.")
PARENT_OTHER_ERA = _("A unit is part of a unit of its own era.")
DISTRICT_IS_LEGACY = _("Districts exist only before 1 July 2025.")


def _successor_ids(unit: AdministrativeUnit) -> list[int]:
    if unit.pk is None:
        return []
    return sorted(unit.successors.values_list("pk", flat=True))


def _audit_state(unit: AdministrativeUnit) -> dict[str, Any]:
    return snapshot(unit, AUDITED_FIELDS) | {"successors": _successor_ids(unit)}


@transaction.atomic
def units_load_current(*, with_communes_of: Iterable[str] = ()) -> int:
    """Create or refresh the 34 current provinces and the communes of the provinces given.

    ``with_communes_of`` holds province codes (e.g. ``["48"]``); pass every
    code to load all ~3,300 communes. Bulk upserts keyed on (level, era,
    code), so running it again changes nothing. Returns the number of units
    written.
    """
    wanted = {str(int(code)) for code in with_communes_of}
    divisions = sources.current_divisions()
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


@dataclass(frozen=True)
class LegacyLoad:
    """What ``units_load_legacy`` wrote."""

    provinces: int
    districts: int
    communes: int
    links_added: int
    links_removed: int
    match: sources.CurrentWardMatch

    @property
    def units(self) -> int:
        return self.provinces + self.districts + self.communes


def _main(counts: Counter[int]) -> int | None:
    """Return the id counted most often (the lowest id on a tie)."""
    if not counts:
        return None
    return min(counts, key=lambda pk: (-counts[pk], pk))


@transaction.atomic
def units_load_legacy(*, provinces: Collection[str] | None = None, actor: Any = None) -> LegacyLoad:
    """Create or refresh the units before 1 July 2025 and map each to today's units.

    ``provinces`` holds codes of the 63 former provinces (e.g. ``["48", "49"]``);
    ``None`` loads all of them (63 provinces, ~700 districts, ~10,000
    communes). A former commune's successors are the current communes that
    took its territory; a former district's, the union of its communes'; a
    former province's, the current provinces of those. Today's communes
    needed as successors are loaded first when missing. Bulk upserts keyed on
    (level, era, code) and a diff of the successor links: a second run
    changes nothing. Writes one audit entry for the load.
    """
    rows = sources.legacy_rows()
    if provinces is not None:
        wanted = {f"{int(code):02d}" for code in provinces}
        unknown = wanted - {r.province_code for r in rows}
        if unknown:
            raise ValidationFailed(UNKNOWN_LEGACY_PROVINCE.format(codes=", ".join(sorted(unknown))))
        rows = tuple(r for r in rows if r.province_code in wanted)
    mapping = sources.legacy_successors()
    successors_of = {r.key: mapping.by_key.get(r.key, ()) for r in rows}
    current = _current_communes(
        {mapping.province_of[c] for codes in successors_of.values() for c in codes}
    )

    by_province: dict[str, sources.LegacyRow] = {}
    by_district: dict[str, sources.LegacyRow] = {}
    for r in rows:
        by_province.setdefault(r.province_code, r)
        by_district.setdefault(r.district_code, r)
    # Successor ids and their weights (how many former communes went into each).
    district_to: dict[str, Counter[int]] = defaultdict(Counter)
    commune_to: dict[str, list[int]] = {}
    for r in rows:
        ids = [current[c] for c in successors_of[r.key]]
        if r.commune_code:
            commune_to[r.commune_code] = ids
        district_to[r.district_code].update(ids)
    parent_of_current = dict(
        AdministrativeUnit.objects.filter(pk__in=set(current.values())).values_list(
            "pk", "parent_id"
        )
    )
    province_to: dict[str, Counter[int]] = defaultdict(Counter)
    for district, counts in district_to.items():
        province = by_district[district].province_code
        for pk, n in counts.items():
            province_to[province][parent_of_current[pk]] += n

    legacy_provinces = _upsert(
        [
            AdministrativeUnit(
                code=code,
                name=r.province_name,
                division_type=_province_type(r.province_name),
                level=UnitLevel.PROVINCE,
                era=UnitEra.LEGACY,
                search_text=fold(r.province_name),
                default_successor_id=_main(province_to[code]),
            )
            for code, r in by_province.items()
        ],
        UnitLevel.PROVINCE,
    )
    legacy_districts = _upsert(
        [
            AdministrativeUnit(
                code=code,
                name=r.district_name,
                division_type=r.district_type,
                level=UnitLevel.DISTRICT,
                era=UnitEra.LEGACY,
                parent_id=legacy_provinces[r.province_code],
                search_text=fold(r.district_name),
                default_successor_id=_main(district_to[code]),
            )
            for code, r in by_district.items()
        ],
        UnitLevel.DISTRICT,
    )
    legacy_communes = _upsert(
        [
            AdministrativeUnit(
                code=r.commune_code,
                name=r.commune_name,
                division_type=r.commune_type,
                level=UnitLevel.COMMUNE,
                era=UnitEra.LEGACY,
                parent_id=legacy_districts[r.district_code],
                search_text=fold(r.commune_name),
                default_successor_id=commune_to[r.commune_code][0]
                if commune_to[r.commune_code]
                else None,
            )
            for r in rows
            if r.commune_code
        ],
        UnitLevel.COMMUNE,
    )
    wanted_links = {
        *((legacy_provinces[c], pk) for c, counts in province_to.items() for pk in counts),
        *((legacy_districts[c], pk) for c, counts in district_to.items() for pk in counts),
        *((legacy_communes[c], pk) for c, ids in commune_to.items() for pk in ids),
    }
    added, removed = _sync_links(
        wanted_links,
        {*legacy_provinces.values(), *legacy_districts.values(), *legacy_communes.values()},
    )
    load = LegacyLoad(
        provinces=len(legacy_provinces),
        districts=len(legacy_districts),
        communes=len(legacy_communes),
        links_added=added,
        links_removed=removed,
        match=mapping.match,
    )
    audit_record(
        action="units_load_legacy",
        target=(AdministrativeUnit._meta.label_lower, "", "units before 1 July 2025"),
        actor=actor,
        after={
            "provinces": sorted(by_province),
            "units": load.units,
            "links_added": added,
            "links_removed": removed,
        },
    )
    return load


def _province_type(name: str) -> str:
    return "thành phố trung ương" if name.startswith("Thành phố") else "tỉnh"


def _current_communes(province_codes: set[str]) -> dict[str, int]:
    """Return today's commune ids by code, loading the communes of ``province_codes`` if missing."""
    present = set(
        AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE, era=UnitEra.CURRENT, parent__code__in=province_codes
        )
        .values_list("parent__code", flat=True)
        .distinct()
    )
    if province_codes - present:
        units_load_current(with_communes_of=province_codes - present)
    return dict(
        AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE, era=UnitEra.CURRENT, parent__code__in=province_codes
        ).values_list("code", "id")
    )


def _upsert(units: list[AdministrativeUnit], level: str) -> dict[str, int]:
    AdministrativeUnit.objects.bulk_create(
        units,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["level", "era", "code"],
        update_fields=LEGACY_UPDATED_FIELDS,
    )
    codes = [u.code for u in units]
    found: dict[str, int] = {}
    for start in range(0, len(codes), 900):  # SQLite's limit of bound parameters
        found |= dict(
            AdministrativeUnit.objects.filter(
                level=level, era=UnitEra.LEGACY, code__in=codes[start : start + 900]
            ).values_list("code", "id")
        )
    return found


def _sync_links(wanted: set[tuple[int, int]], sources_ids: set[int]) -> tuple[int, int]:
    """Make the successor links of ``sources_ids`` exactly ``wanted``; return (added, removed)."""
    through = AdministrativeUnit.successors.through
    ids = sorted(sources_ids)
    have: dict[tuple[int, int], int] = {}
    for start in range(0, len(ids), 900):
        have |= {
            (f, t): pk
            for pk, f, t in through.objects.filter(
                from_administrativeunit_id__in=ids[start : start + 900]
            ).values_list("pk", "from_administrativeunit_id", "to_administrativeunit_id")
        }
    extra = [pk for link, pk in have.items() if link not in wanted]
    for start in range(0, len(extra), 900):
        through.objects.filter(pk__in=extra[start : start + 900]).delete()
    missing = sorted(wanted - have.keys())
    through.objects.bulk_create(
        [through(from_administrativeunit_id=f, to_administrativeunit_id=t) for f, t in missing],
        batch_size=1000,
    )
    return len(missing), len(extra)


def unit_validate(*, unit: AdministrativeUnit, successors: Sequence[AdministrativeUnit]) -> None:
    """Raise ``ValidationFailed`` if ``unit``'s level, parent or successors do not fit."""
    errors: dict[str, list[Any]] = defaultdict(list)
    if unit.level == UnitLevel.DISTRICT and unit.era != UnitEra.LEGACY:
        errors["era"].append(DISTRICT_IS_LEGACY)
    parent = unit.parent
    if parent is not None:
        expected = {
            UnitLevel.COMMUNE: {UnitLevel.DISTRICT}
            if unit.era == UnitEra.LEGACY
            else {UnitLevel.PROVINCE},
            UnitLevel.DISTRICT: {UnitLevel.PROVINCE},
            UnitLevel.PROVINCE: set(),
        }[UnitLevel(unit.level)]
        if parent.level not in expected:
            errors["parent"].append(
                PARENT_WRONG_LEVEL.format(
                    level=UnitLevel(unit.level).label,
                    parent=", ".join(str(UnitLevel(e).label) for e in sorted(expected)) or "-",
                )
            )
        if parent.era != unit.era:
            errors["parent"].append(PARENT_OTHER_ERA)
    if successors and unit.era != UnitEra.LEGACY:
        errors["successors"].append(SUCCESSOR_OF_CURRENT)
    if any(s.era != UnitEra.CURRENT for s in successors):
        errors["successors"].append(SUCCESSOR_NOT_CURRENT)
    main = unit.default_successor
    if main is not None and main.pk not in {s.pk for s in successors}:
        errors["default_successor"].append(DEFAULT_NOT_A_SUCCESSOR)
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, field_errors=errors)


@transaction.atomic
def unit_upsert_legacy(
    *,
    code: str,
    name: str,
    level: str,
    division_type: str = "",
    parent: AdministrativeUnit | None = None,
    successors: Sequence[AdministrativeUnit] = (),
    default_successor: AdministrativeUnit | None = None,
    actor: Any = None,
) -> AdministrativeUnit:
    """Create or refresh a unit that existed before 1 July 2025 and map it to today's units.

    ``default_successor`` defaults to the first successor. Raises
    ``ValidationFailed`` (nothing written) if the parent or a successor does
    not fit. Writes an audit entry when something changed.
    """
    unit = (
        AdministrativeUnit.objects.select_for_update()
        .filter(level=level, era=UnitEra.LEGACY, code=code)
        .first()
    )
    before = _audit_state(unit) if unit is not None else None
    if unit is None:
        unit = AdministrativeUnit(level=level, era=UnitEra.LEGACY, code=code)
    unit.name = name
    unit.division_type = division_type
    unit.parent = parent
    unit.search_text = fold(name)
    unit.default_successor = default_successor or (successors[0] if successors else None)
    unit_validate(unit=unit, successors=successors)
    unit.save()
    unit.successors.set(successors)
    after = _audit_state(unit)
    if before != after:
        audit_record(
            action="unit_upsert_legacy", target=unit, actor=actor, before=before, after=after
        )
    return unit


@transaction.atomic
def unit_save(
    *,
    unit: AdministrativeUnit,
    successors: Sequence[AdministrativeUnit] | None = None,
    actor: Any = None,
) -> AdministrativeUnit:
    """Save ``unit`` as edited by an administrator, refreshing its search text.

    ``successors`` replaces the unit's successors when given. Locks the stored
    row (``select_for_update``) to read the state before the change for the
    audit entry. Raises ``ValidationFailed`` (nothing written) if the level,
    parent or successors do not fit.
    """
    stored = (
        AdministrativeUnit.objects.select_for_update().filter(pk=unit.pk).first()
        if unit.pk is not None
        else None
    )
    before = _audit_state(stored) if stored is not None else None
    chosen = (
        list(successors)
        if successors is not None
        else list(unit.successors.all())
        if unit.pk
        else []
    )
    unit_validate(unit=unit, successors=chosen)
    unit.search_text = fold(unit.name)
    unit.save()
    if successors is not None:
        unit.successors.set(successors)
    audit_record(
        action="unit_save" if before is not None else "unit_create",
        target=unit,
        actor=actor,
        before=before,
        after=_audit_state(unit),
    )
    return unit
