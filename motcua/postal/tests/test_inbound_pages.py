"""Collection pages: the applicant's order, the worker's phone pages, the officer's receipt; API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.dossiers.models import Channel, Dossier
from motcua.postal.models import Handover, Order, OrderState, Service, Tariff
from motcua.staff.models import Role
from motcua.testing import (
    OneStopUnitFactory,
    PostalUnitFactory,
    PostalWorkerFactory,
    ProcedureFactory,
    StaffRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene() -> dict[str, Any]:
    unit = OneStopUnitFactory(name="Trung tâm Phục vụ hành chính công")
    procedure = ProcedureFactory(name="Đăng ký khai sinh")
    Tariff.objects.create(
        service=Service.COLLECTION, zone="province", amount=25000, valid_from=dt.date(2026, 1, 1)
    )
    postal_unit = PostalUnitFactory(serves=[unit])
    worker = PostalWorkerFactory(unit=postal_unit)
    officer = UserFactory(username="binh")
    StaffRoleFactory(user=officer, role=Role.RECEIVING_OFFICER, agency=unit)
    return {
        "unit": unit,
        "procedure": procedure,
        "worker": worker,
        "officer": officer,
    }


ORDER = {
    "name": "Nguyễn Văn An",
    "id_number": "001090000001",
    "phone": "0905123456",
    "address": "Số 12 Lê Duẩn",
}


def test_order_page_shows_the_charge_before_confirming(
    client: Client, scene: dict[str, Any]
) -> None:
    url = reverse("postal:order")
    code = scene["procedure"].code
    page = client.get(url, {"procedure": code})
    assert page.status_code == 200 and 'name="id_number"' in page.content.decode()
    preview = client.post(url, {"procedure": code, **ORDER, "action": "preview"})
    assert preview.status_code == 200
    assert "25.000" in preview.content.decode() and not Order.objects.exists()
    done = client.post(url, {"procedure": code, **ORDER, "action": "confirm"})
    order = Order.objects.get()
    assert done.status_code == 302 and order.number in done["Location"]
    assert order.number in client.get(done["Location"]).content.decode()


def test_order_page_refuses_bad_input_and_procedures_the_post_may_not_carry(
    client: Client, scene: dict[str, Any]
) -> None:
    url = reverse("postal:order")
    bad = client.post(url, {"procedure": scene["procedure"].code, "action": "confirm"})
    assert bad.status_code == 400 and not Order.objects.exists()
    not_carried = ProcedureFactory(accepts_post=False)
    page = client.get(url, {"procedure": not_carried.code})
    assert page.status_code == 400
    assert "không được" in page.content.decode() or "may not carry" in page.content.decode()


def test_api_orders_a_collection(client: Client, scene: dict[str, Any], settings: Any) -> None:
    settings.MOTCUA_ANONYMOUS_SUBMISSION = True
    url = "/api/v1/postal/collections"
    answer = client.post(
        url, {"procedure": scene["procedure"].code, **ORDER}, content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["charge_amount"] == 25000
    bad = client.post(url, {"procedure": scene["procedure"].code}, content_type="application/json")
    assert bad.status_code == 400
    settings.MOTCUA_ANONYMOUS_SUBMISSION = False
    assert client.post(url, {}, content_type="application/json").status_code == 401


def test_worker_pages_are_for_postal_workers_only(client: Client, scene: dict[str, Any]) -> None:
    client.force_login(UserFactory(username="someone"))
    assert client.get(reverse("postal:worker-home")).status_code == 403


def _order(scene: dict[str, Any]) -> Order:
    return Order.objects.create(
        service=Service.COLLECTION,
        number="TG260000001",
        unit=scene["unit"],
        procedure=scene["procedure"],
        person_name="Nguyễn Văn An",
        id_number="001090000001",
        phone="0905123456",
        address="Số 12",
        fees_amount=8000,
        charge_amount=25000,
        created_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        changed_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )


def test_the_whole_journey_through_the_pages(client: Client, scene: dict[str, Any]) -> None:
    order = _order(scene)
    stranger = PostalWorkerFactory()
    client.force_login(stranger.user)
    assert order.number not in client.get(reverse("postal:worker-home")).content.decode()
    assert client.post(reverse("postal:worker-take", args=[order.number])).status_code == 403
    client.force_login(scene["worker"].user)
    assert order.number in client.get(reverse("postal:worker-home")).content.decode()
    client.post(reverse("postal:worker-take", args=[order.number]))
    components = list(scene["procedure"].current_version.components.order_by("order"))
    form = {f"component-{c.pk}-originals": "1" for c in components}
    form.update(seal_number="NP-1", receipt_number="BL-1", fees_collected="8000")
    form["charge_collected"] = "25000"
    answer = client.post(reverse("postal:worker-order", args=[order.number]), form)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    order.refresh_from_db()
    assert order.state == OrderState.COLLECTED

    other_officer = UserFactory(username="giang")
    StaffRoleFactory(user=other_officer, role=Role.RECEIVING_OFFICER, agency=OneStopUnitFactory())
    client.force_login(scene["officer"])
    url = reverse("postal_staff:receive")
    page = client.get(url, {"worker": scene["worker"].pk})
    assert order.number in page.content.decode()
    client.post(url, {"worker": scene["worker"].pk, "orders": [order.pk]})
    handover = Handover.objects.get()
    line = handover.lines.get()
    page_url = reverse("postal_staff:handover", args=[handover.number])
    recount = {"line": line.pk, "action": "recount"}
    for i, part in enumerate(line.listed):
        recount[f"l{line.pk}-{i}-originals"] = part["originals"]
        recount[f"l{line.pk}-{i}-copies"] = part["copies"]
    client.post(page_url, recount)
    signed = client.post(page_url, {"action": "sign", "worker_on_paper": "1"})
    assert signed.status_code == 302
    pdf = client.get(reverse("postal_staff:handover-pdf", args=[handover.number]))
    assert pdf.content.startswith(b"%PDF")

    client.force_login(other_officer)
    assert client.get(page_url).status_code == 403
    assert client.get(reverse("postal_staff:intake", args=[line.pk])).status_code == 403

    client.force_login(scene["officer"])
    intake_url = reverse("postal_staff:intake", args=[line.pk])
    page = client.get(intake_url)
    assert "Nguyễn Văn An" in page.content.decode()
    values = {
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "001090000001",
        "applicant_phone": "0905123456",
        "applicant_address": "Số 12",
        "delivery": "counter",
    }
    for c in components:
        values[f"component-{c.pk}-originals"] = "1"
    done = client.post(intake_url, values)
    assert done.status_code == 302, done.content.decode()[:3000]
    dossier = Dossier.objects.get()
    assert dossier.channel == Channel.POST
    order.refresh_from_db()
    assert order.state == OrderState.RECEIVED and order.dossier == dossier


def test_the_worker_signs_a_hand_over_record_on_their_phone(
    client: Client, scene: dict[str, Any]
) -> None:
    from motcua.postal.handover import handover_open

    order = _order(scene)
    Order.objects.filter(pk=order.pk).update(
        state=OrderState.COLLECTED, postal_unit=scene["worker"].unit, worker=scene["worker"]
    )
    handover = handover_open(
        direction="to_unit",
        unit=scene["unit"],
        postal_unit=scene["worker"].unit,
        worker=scene["worker"],
        officer=scene["officer"],
        orders=[order],
        now=dt.datetime(2026, 12, 2, tzinfo=dt.UTC),
    )
    url = reverse("postal:worker-sign", args=[handover.number])
    client.force_login(PostalWorkerFactory().user)
    assert client.post(url).status_code == 404
    client.force_login(scene["worker"].user)
    assert handover.number in client.get(reverse("postal:worker-home")).content.decode()
    assert client.post(url).status_code == 302
    handover.refresh_from_db()
    assert handover.worker_signature == "phone" and handover.worker_signed_at is not None
