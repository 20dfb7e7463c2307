"""The agency admin: codes checked against the kind and parent, changes audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from motcua.audit.models import AuditEntry
from motcua.organisation.codes import AGENCY_CODE_GAP
from motcua.organisation.models import Agency, AgencyKind, GovernmentLevel
from motcua.organisation.services import agency_upsert
from motcua.testing import ProvinceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("admin", "admin@example.vn", "x"))
    return client


@pytest.fixture
def ubnd() -> Agency:
    return agency_upsert(
        code="000.00.00.H15",
        name="Ủy ban nhân dân thành phố Đà Nẵng",
        kind=AgencyKind.PEOPLES_COMMITTEE,
        level=GovernmentLevel.PROVINCE,
        administrative_unit=ProvinceFactory(),
    )


def form(ubnd: Agency, code: str) -> dict[str, object]:
    return {
        "code": code,
        "name": "Sở Tư pháp",
        "kind": AgencyKind.DEPARTMENT,
        "level": GovernmentLevel.PROVINCE,
        "parent": ubnd.pk,
        "administrative_unit": ubnd.administrative_unit_id,
        "is_active": "on",
    }


def test_an_agency_added_in_the_admin_is_audited(admin_client_: Client, ubnd: Agency) -> None:
    response = admin_client_.post("/admin/organisation/agency/add/", form(ubnd, "000.00.11.H15"))

    assert response.status_code == 302
    agency = Agency.objects.get(code="000.00.11.H15")
    entry = AuditEntry.objects.get(action="agency_create")
    assert (entry.object_id, entry.actor_name, entry.before) == (str(agency.pk), "admin", None)
    assert admin_client_.get("/admin/organisation/agency/").status_code == 200


def test_a_code_that_skips_a_level_is_shown_and_nothing_saved(
    admin_client_: Client, ubnd: Agency
) -> None:
    response = admin_client_.post("/admin/organisation/agency/add/", form(ubnd, "000.11.00.H15"))

    assert response.status_code == 200
    with translation.override("vi"):
        assert str(AGENCY_CODE_GAP.format(level=3)) in response.content.decode()
    assert not Agency.objects.filter(code="000.11.00.H15").exists()
    assert not AuditEntry.objects.filter(action="agency_create").exists()
