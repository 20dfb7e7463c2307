from __future__ import annotations

import pytest

from motcua.organisation.models import Agency, AgencyKind, GovernmentLevel
from motcua.organisation.services import agency_upsert
from motcua.testing import ProvinceFactory

pytestmark = pytest.mark.django_db


def test_agency_upsert_creates_then_updates_by_official_code() -> None:
    province = ProvinceFactory()
    ubnd = agency_upsert(
        code="000.00.00.H17",
        name="UBND",
        kind=AgencyKind.PEOPLES_COMMITTEE,
        level=GovernmentLevel.PROVINCE,
        administrative_unit=province,
    )
    agency_upsert(
        code="000.00.00.H17",
        name="Ủy ban nhân dân thành phố Đà Nẵng",
        kind=AgencyKind.PEOPLES_COMMITTEE,
        level=GovernmentLevel.PROVINCE,
        administrative_unit=province,
    )
    ubnd.refresh_from_db()
    assert ubnd.name == "Ủy ban nhân dân thành phố Đà Nẵng"
    assert Agency.objects.count() == 1
