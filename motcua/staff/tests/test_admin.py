"""The admin pages for staff roles and for users with their roles."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motcua.staff.models import Role, StaffRole
from motcua.staff.services import staff_role_grant
from motcua.testing import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged_in(client: Client) -> Client:
    admin = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_staff_role_admin_adds_a_grant(admin_client_logged_in: Client) -> None:
    user, agency = UserFactory(), AgencyFactory()

    response = admin_client_logged_in.post(
        reverse("admin:staff_staffrole_add"),
        {"user": user.pk, "role": Role.LEADER, "agency": agency.pk, "is_active": "on"},
    )

    assert response.status_code == 302
    assert StaffRole.objects.filter(
        user=user, role=Role.LEADER, agency=agency, is_active=True
    ).exists()


def test_staff_role_admin_lists_and_user_page_shows_the_inline(
    admin_client_logged_in: Client,
) -> None:
    user, agency = UserFactory(), AgencyFactory()
    staff_role_grant(user=user, role=Role.SPECIALIST, agency=agency)

    assert (
        admin_client_logged_in.get(reverse("admin:staff_staffrole_changelist")).status_code == 200
    )
    page = admin_client_logged_in.get(reverse("admin:auth_user_change", args=[user.pk]))
    assert page.status_code == 200
    assert b"staff_roles-TOTAL_FORMS" in page.content
