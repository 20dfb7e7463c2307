"""The audit log in the admin: filters and search for province administrators, not for others."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.audit.models import AuditChannel, AuditEntry, AuditKind, ReadAction
from motcua.audit.services import audit_read
from motcua.staff.models import Role
from motcua.testing import AgencyFactory, StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = "/admin/audit/auditentry/"


@pytest.fixture
def log() -> dict[str, User]:
    """Reads by two officers through two channels, a change, and an old read."""
    chi, giang = UserFactory(username="chi"), UserFactory(username="giang")
    audit_read(
        action=ReadAction.DOSSIER,
        target=("dossiers.dossier", 11, "H15-261201-0001"),
        actor=chi,
        channel=AuditChannel.PAGE,
    )
    audit_read(
        action=ReadAction.FILE,
        target=("dossiers.dossier", 12, "H15-261201-0002"),
        actor=giang,
        channel=AuditChannel.API,
        note="file 5",
    )
    AuditEntry.objects.create(
        at=timezone.now(), kind=AuditKind.CHANGE, action="role.grant", object_type="staff.staffrole"
    )
    AuditEntry.objects.create(
        at=timezone.now() - dt.timedelta(days=100),
        kind=AuditKind.READ,
        action=ReadAction.DOSSIER,
        actor=chi,
        actor_name="chi",
        object_type="dossiers.dossier",
        object_id="13",
        object_repr="H15-250901-0003",
    )
    return {"chi": chi, "giang": giang}


def listed(client: Client, query: str) -> set[str]:
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    return {entry.object_repr or entry.action for entry in response.context["cl"].result_list}


@pytest.fixture
def province_admin() -> Client:
    user = User.objects.create_user("tinh", "", "x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_auditentry"))
    client = Client()
    client.force_login(user)
    return client


def test_filters_by_kind_channel_user_object_and_date(
    province_admin: Client, log: dict[str, User]
) -> None:
    # The administrator's own sign-in is an entry too.
    everything = {"H15-261201-0001", "H15-261201-0002", "role.grant", "H15-250901-0003", "tinh"}
    assert listed(province_admin, "") == everything
    assert listed(province_admin, "kind__exact=change") == {"role.grant"}
    assert listed(province_admin, "channel__exact=api") == {"H15-261201-0002"}
    assert listed(province_admin, "user=chi") == {"H15-261201-0001", "H15-250901-0003"}
    assert listed(province_admin, "user=nobody") == set()
    assert listed(province_admin, "object_type=staff.staffrole") == {"role.grant"}
    assert listed(province_admin, "object_type=dossiers.dossier&object_id=12") == {
        "H15-261201-0002"
    }
    assert listed(province_admin, "action=dossier.file") == {"H15-261201-0002"}
    # As the date filter's "Past 7 days" writes it.
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    since = urlencode(
        {"at__gte": str(today - dt.timedelta(days=7)), "at__lt": str(today + dt.timedelta(days=1))}
    )
    assert listed(province_admin, f"{since}&kind__exact=read&user=chi") == {"H15-261201-0001"}


def test_searches_by_dossier_code_object_id_and_username(
    province_admin: Client, log: dict[str, User]
) -> None:
    assert listed(province_admin, "q=261201-0002") == {"H15-261201-0002"}
    assert listed(province_admin, "q=giang") == {"H15-261201-0002"}
    assert listed(province_admin, "q=13") == {"H15-250901-0003"}


def test_the_text_filter_keeps_the_other_filters_in_its_form(
    province_admin: Client, log: dict[str, User]
) -> None:
    html = province_admin.get(f"{LIST}?kind__exact=read&user=chi").content.decode()
    assert '<input type="hidden" name="kind__exact" value="read">' in html
    assert 'name="user" value="chi"' in html


def test_the_list_reads_no_distinct_values_of_the_log(
    province_admin: Client, log: dict[str, User]
) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert province_admin.get(LIST).status_code == 200
    audit = [q["sql"] for q in queries.captured_queries if "audit_auditentry" in q["sql"]]
    assert audit
    assert not [sql for sql in audit if "DISTINCT" in sql.upper()]


def test_an_entry_shows_its_channel_and_note(province_admin: Client, log: dict[str, User]) -> None:
    entry = AuditEntry.objects.get(note="file 5")
    html = province_admin.get(f"{LIST}{entry.pk}/change/").content.decode()
    assert "file 5" in html
    assert "Staff API" in html or "API" in html


def test_agency_administrators_and_officers_do_not_see_the_log(log: dict[str, User]) -> None:
    agency = AgencyFactory()
    admin = UserFactory(username="qtcq")
    StaffRoleFactory(user=admin, role=Role.AGENCY_ADMIN, agency=agency)
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200  # they administer their agency
    assert client.get(LIST).status_code == 403
    assert LIST not in client.get("/admin/").content.decode()

    staff_without = User.objects.create_user("nv", "", "x", is_staff=True)
    client.force_login(staff_without)
    assert client.get(LIST).status_code == 403
    client.force_login(log["chi"])
    assert client.get(LIST).status_code == 302  # not staff: to the sign-in page
