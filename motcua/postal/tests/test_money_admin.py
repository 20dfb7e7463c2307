"""The postal admin: configuration audited (served units too), records read only."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.audit.models import AuditEntry
from motcua.postal.models import PostalUnit, PostalWorker, Tariff
from motcua.testing import (
    OneStopUnitFactory,
    PostalOrderFactory,
    PostalUnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="quantri", is_staff=True, is_superuser=True))
    return client


def test_a_postal_unit_and_the_units_it_serves_are_audited(admin_client: Client) -> None:
    first, second = OneStopUnitFactory(), OneStopUnitFactory()

    response = admin_client.post(
        "/admin/postal/postalunit/add/",
        {"code": "BC-1", "name": "Bưu cục 1", "serves": [first.pk, second.pk], "is_active": "on"},
    )

    assert response.status_code == 302
    unit = PostalUnit.objects.get(code="BC-1")
    assert AuditEntry.objects.filter(action="postal.postalunit.save", object_id=unit.pk).exists()
    served = AuditEntry.objects.get(action="postal.postalunit.serves")
    assert served.after == {"serves": sorted([first.pk, second.pk])}


def test_adding_a_postal_worker_makes_the_user_one_audited(admin_client: Client) -> None:
    post = PostalUnitFactory()
    user = UserFactory(username="buuta")

    response = admin_client.post(
        "/admin/postal/postalworker/add/",
        {"user": user.pk, "unit": post.pk, "phone": "0905000111", "is_active": "on"},
    )

    assert response.status_code == 302
    assert PostalWorker.objects.get(user=user).unit == post
    assert AuditEntry.objects.filter(action="postal.postalworker.save").exists()


def test_a_charge_is_audited(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/postal/tariff/add/",
        {
            "service": "collection",
            "zone": "province",
            "amount": "22000",
            "valid_from": "2026-01-01",
            "basis": "Thông tư 22/2017/TT-BTTTT",
        },
    )

    assert response.status_code == 302
    assert Tariff.objects.get().amount == 22_000
    assert AuditEntry.objects.filter(action="postal.tariff.save").exists()


def test_orders_are_shown_never_changed_nor_their_applicant(admin_client: Client) -> None:
    order = PostalOrderFactory(person_name="Nguyễn Văn Riêng")

    page = admin_client.get(f"/admin/postal/order/{order.pk}/change/")

    assert page.status_code == 200
    assert "Nguyễn Văn Riêng" not in page.content.decode()
    assert admin_client.get("/admin/postal/order/add/").status_code == 403
    assert admin_client.post(f"/admin/postal/order/{order.pk}/delete/").status_code == 403
