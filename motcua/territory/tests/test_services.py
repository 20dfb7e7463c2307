from __future__ import annotations

import pytest

from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel
from motcua.territory.selectors import unit_current_equivalents
from motcua.territory.services import unit_upsert_legacy, units_load_current

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
