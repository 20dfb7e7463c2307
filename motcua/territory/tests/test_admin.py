"""The territory admin: Vietnamese labels, predecessors and successors shown, audited saves."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from motcua.audit.models import AuditEntry
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel
from motcua.territory.services import SUCCESSOR_NOT_CURRENT, units_load_legacy

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("admin", "admin@example.vn", "x"))
    return client


def test_a_current_ward_shows_the_former_wards_it_was_formed_from(admin_client_: Client) -> None:
    units_load_legacy(provinces=["48"])
    ward = AdministrativeUnit.objects.get(era=UnitEra.CURRENT, code="20242")

    html = admin_client_.get(f"/admin/territory/administrativeunit/{ward.pk}/change/").content
    page = html.decode()

    assert "Phường Phước Ninh (20242)" in page and "Phường Thạch Thang (20233)" in page
    with translation.override("vi"):
        assert "Thay đổi đơn vị hành chính" in page  # the admin speaks Vietnamese
        assert capfirst(str(_("formed from"))) in page
    old = AdministrativeUnit.objects.get(era=UnitEra.LEGACY, level=UnitLevel.DISTRICT, code="492")
    html = admin_client_.get(f"/admin/territory/administrativeunit/{old.pk}/change/").content
    assert "Phường Hòa Cường (20257)" in html.decode()


def test_an_admin_edit_is_audited_with_before_and_after(admin_client_: Client) -> None:
    units_load_legacy(provinces=["48"])
    old = AdministrativeUnit.objects.get(era=UnitEra.LEGACY, level=UnitLevel.COMMUNE, code="20242")
    hoa_cuong = AdministrativeUnit.objects.get(era=UnitEra.CURRENT, code="20257")
    hai_chau = AdministrativeUnit.objects.get(era=UnitEra.CURRENT, code="20242")

    response = admin_client_.post(
        f"/admin/territory/administrativeunit/{old.pk}/change/",
        {
            "code": "20242",
            "name": "Phường Phước Ninh",
            "division_type": "phường",
            "level": "commune",
            "era": "legacy",
            "parent": old.parent_id,
            "successors": [hai_chau.pk, hoa_cuong.pk],
            "default_successor": hai_chau.pk,
        },
    )

    assert response.status_code == 302
    assert set(old.successors.values_list("code", flat=True)) == {"20242", "20257"}
    entry = AuditEntry.objects.get(action="unit_save", object_id=str(old.pk))
    assert entry.actor_name == "admin"
    assert entry.before is not None and entry.after is not None
    assert (entry.before["successors"], entry.after["successors"]) == (
        [hai_chau.pk],
        sorted([hai_chau.pk, hoa_cuong.pk]),
    )


def test_an_admin_cannot_give_a_former_unit_as_a_successor(
    admin_client_: Client,
) -> None:
    units_load_legacy(provinces=["48"])
    old = AdministrativeUnit.objects.get(era=UnitEra.LEGACY, level=UnitLevel.COMMUNE, code="20242")
    other_old = AdministrativeUnit.objects.get(
        era=UnitEra.LEGACY, level=UnitLevel.COMMUNE, code="20233"
    )

    response = admin_client_.post(
        f"/admin/territory/administrativeunit/{old.pk}/change/",
        {
            "code": "20242",
            "name": "Phường Phước Ninh",
            "division_type": "phường",
            "level": "commune",
            "era": "legacy",
            "parent": old.parent_id,
            "successors": [other_old.pk],
        },
    )

    assert response.status_code == 200
    with translation.override("vi"):
        assert str(SUCCESSOR_NOT_CURRENT) in response.content.decode()
    assert list(old.successors.values_list("code", flat=True)) == ["20242"]
    assert not AuditEntry.objects.filter(action="unit_save").exists()
