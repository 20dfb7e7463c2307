"""Who may grant a role, and that a grant records who granted it, on every path."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from motcua.audit.models import AuditEntry
from motcua.core.errors import Forbidden
from motcua.staff.models import Role, StaffRole
from motcua.staff.services import NOT_TO_ONESELF, staff_role_grant, staff_role_revoke
from motcua.staff.tests.test_account_admin import change_form_data
from motcua.testing import AgencyFactory, Cast, UserFactory, cast_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def administrator(cast: Cast) -> User:
    user: User = UserFactory(username="quantri.coquan")
    StaffRole.objects.create(user=user, role=Role.AGENCY_ADMIN, agency=cast.agency)
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_service_refuses_a_grant_to_oneself_but_for_a_province_administrator(
    cast: Cast, administrator: User
) -> None:
    with pytest.raises(Forbidden) as refused:
        staff_role_grant(
            user=administrator, role=Role.LEADER, agency=cast.agency, actor=administrator
        )
    assert refused.value.message == NOT_TO_ONESELF
    assert not StaffRole.objects.filter(user=administrator, role=Role.LEADER).exists()

    province = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    grant = staff_role_grant(user=province, role=Role.LEADER, agency=cast.agency, actor=province)
    assert grant.granted_by == province


def test_a_reactivated_grant_records_its_new_granter(cast: Cast, administrator: User) -> None:
    officer = UserFactory(username="canbo")
    first = UserFactory(username="quantri", is_staff=True)
    staff_role_grant(user=officer, role=Role.SPECIALIST, agency=cast.agency, actor=first)
    staff_role_revoke(user=officer, role=Role.SPECIALIST, agency=cast.agency, actor=first)

    grant = staff_role_grant(
        user=officer, role=Role.SPECIALIST, agency=cast.agency, actor=administrator
    )

    assert grant.granted_by == administrator
    entries = AuditEntry.objects.filter(object_id=str(grant.pk)).order_by("id")
    assert [(e.action, e.actor_name) for e in entries] == [
        ("staff_role.grant", "quantri"),
        ("staff_role.revoke", "quantri"),
        ("staff_role.grant", "quantri.coquan"),
    ]


def test_an_agency_administrator_cannot_reactivate_their_own_revoked_role(
    cast: Cast, administrator: User
) -> None:
    own = StaffRole.objects.create(
        user=administrator, role=Role.LEADER, agency=cast.agency, is_active=False
    )
    client = signed_in(administrator)

    response = client.post(
        reverse("admin:staff_staffrole_change", args=[own.pk]), {"is_active": "on"}
    )

    assert response.status_code == 200
    assert str(NOT_TO_ONESELF) in response.content.decode() or "chính mình" in (
        response.content.decode()
    )
    own.refresh_from_db()
    assert own.is_active is False


def test_the_user_page_inline_grants_through_the_service_and_records_the_granter(
    cast: Cast,
) -> None:
    province = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    client = signed_in(province)
    newcomer = UserFactory(username="canbo.moi")
    agency = AgencyFactory()
    data = change_form_data(client, newcomer)
    data.update(
        {
            "staff_roles-TOTAL_FORMS": 1,
            "staff_roles-0-role": Role.RECEIVING_OFFICER,
            "staff_roles-0-agency": agency.pk,
            "staff_roles-0-is_active": "on",
            "staff_roles-0-user": newcomer.pk,
        }
    )

    response = client.post(reverse("admin:auth_user_change", args=[newcomer.pk]), data)

    assert response.status_code == 302
    grant = StaffRole.objects.get(user=newcomer)
    assert (grant.role, grant.agency, grant.granted_by) == (
        Role.RECEIVING_OFFICER,
        agency,
        province,
    )
    assert AuditEntry.objects.filter(
        action="staff_role.grant", object_id=str(grant.pk), actor=province
    ).exists()

    # Unticked on the same page, the grant is revoked (kept, inactive) and audited.
    data = change_form_data(client, newcomer)
    del data["staff_roles-0-is_active"]
    assert (
        client.post(reverse("admin:auth_user_change", args=[newcomer.pk]), data).status_code == 302
    )
    grant.refresh_from_db()
    assert grant.is_active is False
    assert AuditEntry.objects.filter(action="staff_role.revoke", object_id=str(grant.pk)).exists()
