"""Granting and revoking staff roles, and what the roles let a user see."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from motcua.core.testing import AgencyFactory, DossierFactory, UserFactory, cast_create
from motcua.dossiers.models import Dossier
from motcua.staff.models import Role, StaffRole
from motcua.staff.selectors import dossier_scope, user_agency_roles, user_has_role
from motcua.staff.services import staff_role_grant, staff_role_revoke

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


def test_dossier_scope_sees_own_units_and_agencies_only() -> None:
    cast = cast_create()
    mine = DossierFactory(receiving_unit=cast.unit, competent_agency=cast.agency)
    elsewhere = DossierFactory(competent_agency=cast.other_agency)

    def visible(user: object) -> set[int]:
        return set(Dossier.objects.filter(dossier_scope(user=user)).values_list("pk", flat=True))  # type: ignore[arg-type]

    assert visible(cast.receiving_officer) == {mine.pk}
    assert visible(cast.specialist) == {mine.pk}
    assert visible(cast.leader) == {mine.pk}
    assert visible(cast.outsider) == {elsewhere.pk}
    assert visible(cast.applicant) == set()
    assert visible(AnonymousUser()) == set()


def test_revoked_role_no_longer_scopes_dossiers() -> None:
    cast = cast_create()
    DossierFactory(receiving_unit=cast.unit, competent_agency=cast.agency)

    staff_role_revoke(user=cast.specialist, role=Role.SPECIALIST, agency=cast.agency)

    assert not Dossier.objects.filter(dossier_scope(user=cast.specialist)).exists()
