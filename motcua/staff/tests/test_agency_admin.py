"""Agency administrators in the admin: their agency's processes and staff roles, nothing else."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.catalog.models import Procedure
from motcua.staff.models import Role, StaffRole
from motcua.testing import Cast, ProcedureFactory, StaffRoleFactory, UserFactory, cast_create
from motcua.workflow.models import Process, ProcessVersion
from motcua.workflow.processes import default_steps, process_version_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def administrator(cast: Cast) -> User:
    role = StaffRoleFactory(
        user=UserFactory(username="quantri.coquan"), role=Role.AGENCY_ADMIN, agency=cast.agency
    )
    user: User = role.user
    return user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def process_of(procedure: Procedure) -> ProcessVersion:
    return process_version_create(procedure=procedure, steps=default_steps())


def test_an_agency_administrator_sees_only_their_agencys_processes_and_staff(
    cast: Cast, administrator: User
) -> None:
    ours = process_of(ProcedureFactory(agency=cast.agency, code="TT-CUA-TOI"))
    process_of(ProcedureFactory(agency=cast.other_agency, code="TT-NOI-KHAC"))
    client = signed_in(administrator)

    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    page = index.content.decode()
    assert reverse("admin:workflow_process_changelist") in page
    assert reverse("admin:staff_staffrole_changelist") in page
    assert reverse("admin:dossiers_dossier_changelist") not in page
    assert reverse("admin:calendar_specialday_changelist") not in page

    processes = client.get(reverse("admin:workflow_process_changelist")).content.decode()
    assert "TT-CUA-TOI" in processes and "TT-NOI-KHAC" not in processes
    versions = client.get(reverse("admin:workflow_processversion_changelist")).content.decode()
    assert "TT-CUA-TOI" in versions and "TT-NOI-KHAC" not in versions
    assert (
        client.get(reverse("admin:workflow_processversion_change", args=[ours.pk])).status_code
        == 200
    )

    roles = client.get(reverse("admin:staff_staffrole_changelist")).content.decode()
    assert cast.specialist.username in roles
    assert cast.outsider.username not in roles  # a specialist of the other agency
    users = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert cast.specialist.username in users and cast.outsider.username not in users
    # Django's own settings stay with province administrators.
    assert client.get(reverse("admin:dossiers_dossier_changelist")).status_code == 403


def test_another_agencys_process_cannot_be_opened_or_revised(
    cast: Cast, administrator: User
) -> None:
    theirs = process_of(ProcedureFactory(agency=cast.other_agency))
    client = signed_in(administrator)

    opened = client.get(reverse("admin:workflow_processversion_change", args=[theirs.pk]))
    assert opened.status_code == 302  # "does not exist", back to the admin index
    revised = client.post(reverse("admin:workflow_processversion_revise", args=[theirs.pk]))
    assert revised.status_code == 404
    assert ProcessVersion.objects.filter(process=theirs.process).count() == 1


def test_an_agency_administrator_revises_and_publishes_their_process(
    cast: Cast, administrator: User
) -> None:
    ours = process_of(ProcedureFactory(agency=cast.agency))
    client = signed_in(administrator)

    revised = client.post(reverse("admin:workflow_processversion_revise", args=[ours.pk]))

    assert revised.status_code == 302
    copy = ProcessVersion.objects.get(process=ours.process, number=2)
    assert revised["Location"] == reverse("admin:workflow_processversion_change", args=[copy.pk])


def test_a_process_is_created_only_for_their_agencys_procedures(
    cast: Cast, administrator: User
) -> None:
    ours = ProcedureFactory(agency=cast.agency)
    theirs = ProcedureFactory(agency=cast.other_agency)
    client = signed_in(administrator)
    url = reverse("admin:workflow_process_add")

    refused = client.post(url, {"procedure": theirs.pk, "template": "single", "publish": "on"})
    assert refused.status_code == 200
    assert not Process.objects.filter(procedure=theirs).exists()

    created = client.post(url, {"procedure": ours.pk, "template": "single", "publish": "on"})
    assert created.status_code == 302
    assert Process.objects.get(procedure=ours).current_version is not None


def test_roles_are_granted_only_in_their_agencies(cast: Cast, administrator: User) -> None:
    newcomer = UserFactory(username="canbo.moi")
    client = signed_in(administrator)
    url = reverse("admin:staff_staffrole_add")

    refused = client.post(
        url,
        {
            "user": newcomer.pk,
            "role": Role.SPECIALIST,
            "agency": cast.other_agency.pk,
            "is_active": "on",
        },
    )
    assert refused.status_code == 200
    assert not StaffRole.objects.filter(user=newcomer).exists()

    granted = client.post(
        url,
        {"user": newcomer.pk, "role": Role.SPECIALIST, "agency": cast.agency.pk, "is_active": "on"},
    )
    assert granted.status_code == 302
    assert StaffRole.objects.get(user=newcomer).agency == cast.agency


def test_staff_without_an_administrator_role_are_sent_to_sign_in(cast: Cast) -> None:
    client = signed_in(cast.leader)

    refused = client.get(reverse("admin:index"))

    assert refused.status_code == 302
    login = client.get(refused["Location"])
    assert login.status_code == 302
    assert login["Location"].startswith(reverse("staff:login"))


def test_an_enrolled_administrator_needs_their_second_factor(administrator: User) -> None:
    TOTPDevice.objects.create(user=administrator, name="phone", confirmed=True)
    client = signed_in(administrator)  # password only: not verified this session

    assert client.get(reverse("admin:index")).status_code == 302


def test_the_admin_sign_in_page_is_the_staff_sign_in_page(client: Client) -> None:
    response = client.get(reverse("admin:login"), {"next": "/admin/workflow/process/"})

    assert response.status_code == 302
    assert response["Location"] == (reverse("staff:login") + "?next=/admin/workflow/process/")


def test_an_agency_administrator_revokes_a_role_of_their_agency_only(
    cast: Cast, administrator: User
) -> None:
    ours = StaffRole.objects.get(user=cast.specialist, agency=cast.agency)
    theirs = StaffRole.objects.filter(user=cast.outsider, agency=cast.other_agency).first()
    assert theirs is not None
    client = signed_in(administrator)

    revoked = client.post(reverse("admin:staff_staffrole_change", args=[ours.pk]), {})
    other = client.post(
        reverse("admin:staff_staffrole_change", args=[theirs.pk]), {"is_active": ""}
    )

    assert revoked.status_code == 302
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.is_active is False  # an unticked box: the role is revoked
    assert other.status_code == 302  # "does not exist", back to the admin index
    assert theirs.is_active is True


def test_a_grant_records_who_granted_it_in_the_grant_and_the_audit_log(
    cast: Cast, administrator: User
) -> None:
    from motcua.audit.models import AuditEntry

    newcomer = UserFactory(username="canbo.moi")
    client = signed_in(administrator)
    client.post(
        reverse("admin:staff_staffrole_add"),
        {"user": newcomer.pk, "role": Role.SPECIALIST, "agency": cast.agency.pk, "is_active": "on"},
    )

    grant = StaffRole.objects.get(user=newcomer)
    assert grant.granted_by == administrator and grant.granted_at is not None
    entry = AuditEntry.objects.get(action="staff_role.grant", object_id=str(grant.pk))
    assert entry.actor == administrator
    assert entry.after == {
        "user": newcomer.pk,
        "role": Role.SPECIALIST,
        "agency": cast.agency.pk,
        "is_active": True,
    }
    assert entry.address == "127.0.0.1"


def test_an_agency_administrator_cannot_grant_themselves_a_role(
    cast: Cast, administrator: User
) -> None:
    client = signed_in(administrator)

    refused = client.post(
        reverse("admin:staff_staffrole_add"),
        {
            "user": administrator.pk,
            "role": Role.LEADER,
            "agency": cast.agency.pk,
            "is_active": "on",
        },
    )

    assert refused.status_code == 200
    assert "grant a role to yourself" in refused.content.decode() or "chính mình" in (
        refused.content.decode()
    )
    assert not StaffRole.objects.filter(user=administrator, role=Role.LEADER).exists()
