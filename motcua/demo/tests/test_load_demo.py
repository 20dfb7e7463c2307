from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from motcua.calendar.models import SpecialDay
from motcua.catalog.eforms import eform_form_class
from motcua.catalog.importing import RowStatus
from motcua.catalog.models import Component, Fee, Procedure, ProcedureVersion
from motcua.catalog.selectors import procedure_search
from motcua.catalog.services import eform_spec_errors
from motcua.organisation.models import Agency, GovernmentLevel
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel
from motcua.territory.selectors import unit_current_equivalents

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            AdministrativeUnit,
            Agency,
            Procedure,
            ProcedureVersion,
            Component,
            Fee,
            SpecialDay,
        )
    } | {"successors": AdministrativeUnit.successors.through.objects.count()}


def test_load_demo_twice_changes_nothing() -> None:
    call_command("load_demo", stdout=io.StringIO())
    first = counts()
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    assert counts() == first
    assert first["SpecialDay"] > 0
    assert f"{first['Procedure']} unchanged" in out.getvalue()


def test_demo_has_thirty_procedures_over_six_agencies_and_both_levels() -> None:
    call_command("load_demo", stdout=io.StringIO())
    published = Procedure.objects.filter(is_published=True, current_version__isnull=False)

    assert published.count() >= 30
    assert Agency.objects.annotate(n=Count("procedures")).filter(n__gt=0).count() >= 6
    assert set(published.values_list("level", flat=True)) == {
        GovernmentLevel.PROVINCE,
        GovernmentLevel.COMMUNE,
    }
    assert set(published.values_list("online_level", flat=True)) == {"full", "partial", "none"}
    for procedure in published.select_related("current_version"):
        assert procedure.current_version is not None
        assert procedure.current_version.eform, procedure.code
        assert eform_spec_errors(procedure.current_version.eform) == [], procedure.code
        assert eform_form_class(procedure.current_version.eform)().fields, procedure.code


def test_demo_procedures_are_found_by_citizens_words() -> None:
    call_command("load_demo", stdout=io.StringIO())
    assert procedure_search(q="dang ky khai sinh").count() == 3
    assert procedure_search(q="giấy phép xây dựng").count() >= 3
    birth = procedure_search(q="khai sinh").first()
    assert birth is not None and birth.current_version is not None
    assert birth.current_version.same_day_cutoff_applies


def test_demo_province_has_its_real_communes_and_historic_units_mapped() -> None:
    call_command("load_demo", stdout=io.StringIO())
    province = AdministrativeUnit.objects.get(
        level=UnitLevel.PROVINCE, era=UnitEra.CURRENT, code="48"
    )
    assert province.name == "Thành phố Đà Nẵng"
    assert province.children.count() == 94
    assert (
        AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era=UnitEra.CURRENT).count()
        == 34
    )

    hoi_an = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, code="503")
    assert "Phường Hội An" in {u.name for u in unit_current_equivalents(unit=hoi_an)}
    quang_nam = AdministrativeUnit.objects.get(
        level=UnitLevel.PROVINCE, era=UnitEra.LEGACY, code="49"
    )
    assert [u.code for u in unit_current_equivalents(unit=quang_nam)] == ["48"]


def test_demo_has_one_stop_units_at_both_levels() -> None:
    call_command("load_demo", stdout=io.StringIO())
    one_stop = Agency.objects.filter(is_one_stop_unit=True)
    assert one_stop.filter(level=GovernmentLevel.PROVINCE).count() >= 4
    assert one_stop.filter(level=GovernmentLevel.COMMUNE).count() >= 5
    assert all(a.code.endswith(".H17") for a in Agency.objects.all())


def test_demo_rows_are_all_created_on_an_empty_database() -> None:
    from motcua.demo.services import demo_load

    report = demo_load().procedures
    assert {r.status for r in report.rows} == {RowStatus.CREATED}
