import pytest
from django.core.management import call_command

from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel


@pytest.mark.django_db
def test_load_units_all_loads_every_current_commune_once() -> None:
    call_command("load_units", "--all", stdout=None)
    call_command("load_units", "--all", stdout=None)
    current = AdministrativeUnit.objects.filter(era=UnitEra.CURRENT)
    assert current.filter(level=UnitLevel.PROVINCE).count() == 34
    communes = current.filter(level=UnitLevel.COMMUNE)
    assert communes.count() > 3000
    assert communes.filter(parent__code="48").exists()
