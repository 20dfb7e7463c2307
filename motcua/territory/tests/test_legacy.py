"""Units before 1 July 2025, loaded from ``vietnamadminunits`` and mapped to today's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction
from pytest_django import DjangoDbBlocker

from motcua.audit.models import AuditEntry
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel
from motcua.territory.selectors import (
    unit_main_successor,
    unit_resolve,
    unit_successors,
    units_find,
)
from motcua.territory.services import (
    units_load_legacy,
)

pytestmark = pytest.mark.django_db
Through = AdministrativeUnit.successors.through


@pytest.fixture(scope="module")
def everything(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Load every unit once for the module, in a transaction rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_units", "--all", stdout=None)
        yield
        transaction.set_rollback(True)


def legacy(level: str, name: str, within: str = "") -> AdministrativeUnit:
    scope = None
    if within:
        scope = units_find(name=within, era=UnitEra.LEGACY).exclude(level=UnitLevel.COMMUNE).get()
    return units_find(level=level, era=UnitEra.LEGACY, name=name, within=scope).get()


def names(units: object) -> set[str]:
    return {u.name for u in units}  # type: ignore[attr-defined]


def test_all_former_provinces_districts_and_communes_are_loaded(everything: None) -> None:
    old = AdministrativeUnit.objects.filter(era=UnitEra.LEGACY)

    assert old.filter(level=UnitLevel.PROVINCE).count() == 63
    assert 690 <= old.filter(level=UnitLevel.DISTRICT).count() <= 710
    assert 10_000 <= old.filter(level=UnitLevel.COMMUNE).count() <= 10_100
    assert not old.filter(successors=None).exists()
    assert not old.exclude(successors__era=UnitEra.CURRENT).exists()
    assert not old.filter(default_successor=None).exists()
    current = AdministrativeUnit.objects.filter(era=UnitEra.CURRENT)
    assert current.filter(level=UnitLevel.PROVINCE).count() == 34
    # Every current commune took over some former commune (the islands: a former district).
    assert not current.filter(level=UnitLevel.COMMUNE, predecessors=None).exists()


def test_wards_of_former_hai_chau_district_went_to_hai_chau_and_hoa_cuong(everything: None) -> None:
    hai_chau = legacy(UnitLevel.DISTRICT, "Quận Hải Châu", within="Thành phố Đà Nẵng")

    assert names(unit_successors(unit=hai_chau)) == {"Phường Hải Châu", "Phường Hòa Cường"}
    assert {c.name: names(unit_successors(unit=c)) for c in hai_chau.children.all()} == {
        "Phường Thanh Bình": {"Phường Hải Châu"},
        "Phường Thuận Phước": {"Phường Hải Châu"},
        "Phường Thạch Thang": {"Phường Hải Châu"},
        "Phường Hải Châu": {"Phường Hải Châu"},
        "Phường Phước Ninh": {"Phường Hải Châu"},
        "Phường Hòa Thuận Tây": {"Phường Hòa Cường"},
        "Phường Bình Thuận": {"Phường Hòa Cường"},
        "Phường Hòa Cường Bắc": {"Phường Hòa Cường"},
        "Phường Hòa Cường Nam": {"Phường Hòa Cường"},
    }
    phuoc_ninh = legacy(UnitLevel.COMMUNE, "Phước Ninh", within="Quận Hải Châu")
    assert phuoc_ninh.code == "20242"  # reused by today's Phường Hải Châu, another row
    assert unit_main_successor(unit=phuoc_ninh) == unit_successors(unit=phuoc_ninh).get()


def test_quang_nam_and_da_nang_became_today_da_nang(everything: None) -> None:
    quang_nam = units_find(level=UnitLevel.PROVINCE, era=UnitEra.LEGACY, code="49").get()
    da_nang = units_find(level=UnitLevel.PROVINCE, era=UnitEra.CURRENT, code="48").get()

    assert quang_nam.name == "Tỉnh Quảng Nam"
    assert list(unit_successors(unit=quang_nam)) == [da_nang]
    assert unit_main_successor(unit=quang_nam) == da_nang
    assert sorted(p.name for p in da_nang.predecessors.all()) == [
        "Thành phố Đà Nẵng",
        "Tỉnh Quảng Nam",
    ]
    hoi_an = legacy(UnitLevel.DISTRICT, "Thành phố Hội An", within="Tỉnh Quảng Nam")
    assert "Phường Hội An" in names(unit_successors(unit=hoi_an))


def test_a_divided_commune_lists_all_its_successors_and_a_main_one(everything: None) -> None:
    # Xã Tân Thạnh of Thới Lai district (Cần Thơ) was split between two new communes.
    tan_thanh = legacy(UnitLevel.COMMUNE, "Xã Tân Thạnh", within="Huyện Thới Lai")
    successors = names(unit_successors(unit=tan_thanh))

    assert successors == {"Xã Tân Thạnh", "Xã Trường Thành"}
    main = unit_main_successor(unit=tan_thanh)
    assert main is not None and main.name == "Xã Trường Thành"
    several = Through.objects.values("from_administrativeunit").distinct().count()
    assert Through.objects.count() > several  # some former units have several successors


def test_island_districts_without_communes_map_to_today_special_zones(everything: None) -> None:
    hoang_sa = legacy(UnitLevel.DISTRICT, "Huyện Hoàng Sa", within="Thành phố Đà Nẵng")

    assert not hoang_sa.children.exists()
    assert names(unit_successors(unit=hoang_sa)) == {"Đặc khu Hoàng Sa"}


def test_old_addresses_resolve_to_today_units(everything: None) -> None:
    def resolve(commune: str = "", district: str = "", province: str = "") -> set[str]:
        return names(unit_resolve(commune=commune, district=district, province=province))

    assert resolve("Phước Ninh", "Hải Châu", "Đà Nẵng") == {"Phường Hải Châu"}
    assert resolve("phuong phuoc ninh", "quan hai chau", "thanh pho da nang") == {"Phường Hải Châu"}
    assert resolve("20242", "492", "48") == {"Phường Hải Châu"}
    # An unknown commune falls back on its district.
    assert resolve("Phường Không Có", "Hải Châu", "Đà Nẵng") == {
        "Phường Hải Châu",
        "Phường Hòa Cường",
    }
    assert resolve(province="Quảng Nam") == {"Thành phố Đà Nẵng"}
    assert resolve("Phước Ninh", "Không Có", "Đà Nẵng") == {"Thành phố Đà Nẵng"}
    assert resolve(province="Không Có") == set()


def test_a_second_load_changes_nothing(everything: None) -> None:
    before = (AdministrativeUnit.objects.count(), Through.objects.count())
    ids = set(Through.objects.values_list("pk", flat=True))

    again = units_load_legacy(provinces=["48", "49"])

    assert (again.links_added, again.links_removed) == (0, 0)
    assert (AdministrativeUnit.objects.count(), Through.objects.count()) == before
    assert set(Through.objects.values_list("pk", flat=True)) == ids
    entry = AuditEntry.objects.filter(action="units_load_legacy").first()
    assert entry is not None and entry.after is not None
    assert entry.after["provinces"] == ["48", "49"]
