"""The applicants' admin: province administrators only, read-only, every opening audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from motcua.applicants.models import Applicant
from motcua.applicants.services import applicant_sign_in
from motcua.audit.models import AuditChannel, AuditEntry, AuditKind, ReadAction
from motcua.staff.models import Role
from motcua.testing import DossierFactory, StaffRoleFactory, cast_create

from .factories import BINH, HOA

pytestmark = pytest.mark.django_db
LIST = reverse("admin:applicants_applicant_changelist")


def change_url(applicant: Applicant) -> str:
    return reverse("admin:applicants_applicant_change", args=[applicant.pk])


def province_admin(*permissions: str, username: str = "tinh") -> User:
    user = User.objects.create_user(username, f"{username}@example.vn", "x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    return user


@pytest.fixture
def hoa() -> Applicant:
    return applicant_sign_in(identity=HOA)


def reads() -> Any:
    return AuditEntry.objects.filter(kind=AuditKind.READ, action=ReadAction.APPLICANT)


def test_the_list_finds_an_applicant_by_number_or_name(client: Client, hoa: Applicant) -> None:
    applicant_sign_in(identity=BINH)
    client.force_login(province_admin("view_applicant"))

    by_number = client.get(LIST, {"q": HOA.id_number})
    by_name = client.get(LIST, {"q": "Bình"})

    assert [a.pk for a in by_number.context["cl"].result_list] == [hoa.pk]
    assert [a.name for a in by_name.context["cl"].result_list] == [BINH.name]
    assert not reads().exists()  # the list is not an opening of anyone's details


def test_opening_an_applicant_shows_the_details_and_dossiers_and_is_an_audited_read(
    client: Client, hoa: Applicant
) -> None:
    mine = DossierFactory(applicant_id_number=HOA.id_number)
    other = DossierFactory(applicant_id_number=BINH.id_number)
    admin = province_admin("view_applicant")
    client.force_login(admin)

    response = client.get(change_url(hoa))

    assert response.status_code == 200
    html = response.content.decode()
    assert HOA.name in html
    assert HOA.id_number in html
    assert reverse("admin:dossiers_dossier_change", args=[mine.pk]) in html
    assert other.code not in html
    assert 'name="_save"' not in html  # read-only
    entry = reads().get()
    assert (entry.actor_id, entry.object_type, entry.object_id, entry.channel) == (
        admin.pk,
        "applicants.applicant",
        str(hoa.pk),
        AuditChannel.ADMIN,
    )
    assert HOA.name not in entry.object_repr  # the log names the applicant by id only
    client.get(change_url(hoa))
    assert reads().count() == 2


def test_nothing_can_be_changed_added_or_deleted_here(client: Client, hoa: Applicant) -> None:
    client.force_login(
        User.objects.create_superuser("root", "root@example.vn", "x")  # every permission
    )
    response = client.post(change_url(hoa), {"name": "Người khác"})
    assert response.status_code == 403
    hoa.refresh_from_db()
    assert hoa.name == HOA.name
    assert client.get(reverse("admin:applicants_applicant_add")).status_code == 403
    delete = reverse("admin:applicants_applicant_delete", args=[hoa.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Applicant.objects.filter(pk=hoa.pk).exists()


def test_staff_without_the_view_permission_see_nothing_and_nothing_is_audited(
    client: Client, hoa: Applicant
) -> None:
    client.force_login(province_admin())
    assert client.get(LIST).status_code == 403
    assert client.get(change_url(hoa)).status_code == 403
    assert not reads().exists()


def test_an_agency_administrator_may_not_see_applicants(client: Client, hoa: Applicant) -> None:
    cast = cast_create()
    agency_admin = User.objects.create_user("coso", "coso@example.vn", "x")
    StaffRoleFactory(user=agency_admin, role=Role.AGENCY_ADMIN, agency=cast.agency)
    client.force_login(agency_admin)
    assert client.get(LIST).status_code == 403
    assert client.get(change_url(hoa)).status_code == 403
    index = client.get(reverse("admin:index"))
    assert "applicants" not in index.content.decode().lower()
    assert not reads().exists()


def test_an_applicant_cannot_open_the_admin(client: Client, hoa: Applicant) -> None:
    client.force_login(hoa.user, backend="motcua.applicants.oidc.IdentityBackend")
    response = client.get(change_url(hoa))
    assert response.status_code == 302
    assert not reads().exists()


def test_an_unknown_applicant_is_not_found_and_not_audited(client: Client, db: None) -> None:
    client.force_login(province_admin("view_applicant"))
    response = client.get(reverse("admin:applicants_applicant_change", args=[999]))
    assert response.status_code == 302  # Django's admin: back to the list with a message
    assert not reads().exists()
