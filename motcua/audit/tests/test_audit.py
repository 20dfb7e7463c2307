from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from motcua.audit.models import AuditEntry
from motcua.audit.services import audit_record, snapshot
from motcua.testing import ProvinceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_entry_records_actor_object_before_and_after() -> None:
    province = ProvinceFactory()
    user = UserFactory(username="quantri")
    before = snapshot(province, ["name", "code"])
    with transaction.atomic():
        entry = audit_record(
            action="unit.rename", target=province, actor=user, before=before, after={"name": "X"}
        )
    entry.refresh_from_db()
    assert entry.actor_name == "quantri"
    assert entry.object_type == "territory.administrativeunit"
    assert entry.object_id == str(province.pk)
    assert entry.before == {"name": "Thành phố Đà Nẵng", "code": "48"}
    assert entry.after == {"name": "X"}


@pytest.mark.django_db(transaction=True)
def test_an_entry_must_be_written_inside_the_change_transaction() -> None:
    with pytest.raises(RuntimeError):
        audit_record(action="x", target=("x", "1", "x"))


def test_entries_are_append_only() -> None:
    with transaction.atomic():
        entry = audit_record(action="x", target=("x", "1", "x"))
    entry.note = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="rewritten")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


def test_the_admin_shows_entries_and_refuses_edits(admin_client: Client) -> None:
    with transaction.atomic():
        entry = audit_record(action="x.y", target=("x", "1", "thing one"))
    listing = admin_client.get("/admin/audit/auditentry/")
    assert listing.status_code == 200
    assert "thing one" in listing.content.decode()
    assert admin_client.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 200
    response = admin_client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert admin_client.get("/admin/audit/auditentry/add/").status_code == 403
