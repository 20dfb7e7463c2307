"""Granting and revoking staff roles, and what the roles let a user see."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.staff.models import Role, StaffRole
from motcua.staff.selectors import user_agency_roles, user_has_role
from motcua.staff.services import staff_role_grant, staff_role_revoke
from motcua.testing import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_grant_gives_the_role_in_that_agency_only() -> None:
    user, agency, other = UserFactory(), AgencyFactory(), AgencyFactory()

    staff_role_grant(user=user, role=Role.SPECIALIST, agency=agency)

    assert user_has_role(user=user, roles=[Role.SPECIALIST], agency_id=agency.pk)
    assert not user_has_role(user=user, roles=[Role.LEADER], agency_id=agency.pk)
    assert not user_has_role(user=user, roles=[Role.SPECIALIST], agency_id=other.pk)
    assert user_agency_roles(user=user) == {agency.pk: {"specialist"}}


def test_granting_twice_makes_one_row() -> None:
    user, agency = UserFactory(), AgencyFactory()

    first = staff_role_grant(user=user, role=Role.LEADER, agency=agency)
    second = staff_role_grant(user=user, role=Role.LEADER, agency=agency)

    assert first.pk == second.pk
    assert StaffRole.objects.filter(user=user).count() == 1


def test_revoke_deactivates_and_grant_reactivates() -> None:
    user, agency = UserFactory(), AgencyFactory()
    staff_role_grant(user=user, role=Role.LEADER, agency=agency)

    assert staff_role_revoke(user=user, role=Role.LEADER, agency=agency) is True
    assert not user_has_role(user=user, roles=[Role.LEADER], agency_id=agency.pk)
    assert StaffRole.objects.filter(user=user, is_active=False).count() == 1
    assert staff_role_revoke(user=user, role=Role.LEADER, agency=agency) is False

    staff_role_grant(user=user, role=Role.LEADER, agency=agency)
    assert user_has_role(user=user, roles=[Role.LEADER], agency_id=agency.pk)
    assert StaffRole.objects.filter(user=user).count() == 1


def test_roles_are_read_once_per_user_object_and_forgotten_on_change(
    django_assert_num_queries: Any,
) -> None:
    user, agency = UserFactory(), AgencyFactory()
    staff_role_grant(user=user, role=Role.SPECIALIST, agency=agency)
    with django_assert_num_queries(1):
        first = user_agency_roles(user=user)
        first[agency.pk].add("leader")  # the caller's copy: the remembered roles stay
        assert user_agency_roles(user=user) == {agency.pk: {"specialist"}}

    staff_role_grant(user=user, role=Role.LEADER, agency=agency)
    assert user_agency_roles(user=user) == {agency.pk: {"specialist", "leader"}}
    staff_role_revoke(user=user, role=Role.SPECIALIST, agency=agency)
    assert user_agency_roles(user=user) == {agency.pk: {"leader"}}
    # A fresh object of the same user (the next request) reads the database again.
    StaffRole.objects.filter(user=user).update(is_active=False)
    assert user_agency_roles(user=type(user).objects.get(pk=user.pk)) == {}
