from __future__ import annotations

import pytest

from motcua.audit.models import AuditEntry
from motcua.core.errors import ValidationFailed
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel
from motcua.territory.selectors import unit_current_equivalents
from motcua.territory.services import (
    SUCCESSOR_NOT_CURRENT,
    UNKNOWN_LEGACY_PROVINCE,
    unit_upsert_legacy,
    units_load_current,
    units_load_legacy,
)

pytestmark = pytest.mark.django_db


def test_loading_current_units_is_idempotent_and_folds_names() -> None:
    assert units_load_current(with_communes_of=["48"]) == 34 + 94
    assert units_load_current(with_communes_of=["48"]) == 34 + 94
    assert AdministrativeUnit.objects.count() == 128
    ward = AdministrativeUnit.objects.get(level=UnitLevel.COMMUNE, code="20242")
    assert (ward.name, ward.search_text, ward.parent.code if ward.parent else None) == (
        "Phường Hải Châu",
        "phuong hai chau",
        "48",
    )


def test_a_legacy_unit_may_reuse_a_current_code_and_maps_to_its_successors() -> None:
    units_load_current(with_communes_of=["48"])
    hai_chau = AdministrativeUnit.objects.get(level=UnitLevel.COMMUNE, code="20242")
    old = unit_upsert_legacy(
        code="20242", name="Phường Phước Ninh", level=UnitLevel.COMMUNE, successors=[hai_chau]
    )
    assert old.era == UnitEra.LEGACY
    assert list(unit_current_equivalents(unit=old)) == [hai_chau]
    assert list(unit_current_equivalents(unit=hai_chau)) == [hai_chau]
    assert list(hai_chau.predecessors.all()) == [old]


def test_loading_two_provinces_loads_their_successors_first() -> None:
    load = units_load_legacy(provinces=["48", "49"])

    assert (load.provinces, load.districts) == (2, 8 + 17)
    assert load.communes == 47 + 233
    assert (
        AdministrativeUnit.objects.filter(era=UnitEra.CURRENT, level=UnitLevel.COMMUNE).count()
        == 94
    )
    assert load.match.unmatched == []
    # A wrongly set link is put right by the next load.
    commune = AdministrativeUnit.objects.filter(era=UnitEra.LEGACY, level=UnitLevel.COMMUNE)[0]
    commune.successors.set([])
    assert units_load_legacy(provinces=["48"]).links_added == 1


def test_an_unknown_former_province_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(ValidationFailed) as error:
        units_load_legacy(provinces=["48", "99"])

    assert error.value.message == UNKNOWN_LEGACY_PROVINCE.format(codes="99")
    assert not AdministrativeUnit.objects.exists()


def test_a_legacy_unit_with_a_former_unit_as_successor_is_refused_and_not_written() -> None:
    units_load_current(with_communes_of=["48"])
    old = unit_upsert_legacy(code="492", name="Quận Hải Châu", level=UnitLevel.DISTRICT)

    with pytest.raises(ValidationFailed) as error:
        unit_upsert_legacy(
            code="20242", name="Phường Phước Ninh", level=UnitLevel.COMMUNE, successors=[old]
        )

    assert error.value.field_errors["successors"] == [SUCCESSOR_NOT_CURRENT]
    assert not AdministrativeUnit.objects.filter(era=UnitEra.LEGACY, code="20242").exists()


def test_upserting_a_legacy_unit_is_audited_once_per_change() -> None:
    units_load_current(with_communes_of=["48"])
    hai_chau = AdministrativeUnit.objects.get(level=UnitLevel.COMMUNE, code="20242")
    for _ in range(2):
        unit_upsert_legacy(
            code="20242", name="Phường Phước Ninh", level=UnitLevel.COMMUNE, successors=[hai_chau]
        )

    entries = AuditEntry.objects.filter(action="unit_upsert_legacy")
    assert entries.count() == 1
    assert entries[0].after is not None and entries[0].after["successors"] == [hai_chau.pk]
