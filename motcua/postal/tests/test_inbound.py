"""Collections: the applicant's order, the worker's collection or refusal, intake at the unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from motcua.dossiers.models import Channel, Dossier, DossierState
from motcua.dossiers.services import ReceivedComponent
from motcua.outbox.models import Message
from motcua.postal import inbound
from motcua.postal.handover import handover_open, handover_recount, handover_sign
from motcua.postal.models import Direction, Order, OrderItem, OrderState, Service, Tariff
from motcua.staff.models import Role
from motcua.testing import (
    OneStopUnitFactory,
    PostalUnitFactory,
    PostalWorkerFactory,
    ProcedureFactory,
    StaffRoleFactory,
    UserFactory,
    png_bytes,
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
        "postal_unit": postal_unit,
        "worker": worker,
        "officer": officer,
    }


def _data(procedure: Any, **kwargs: Any) -> dict[str, Any]:
    data = {
        "procedure": procedure.code,
        "name": "Nguyễn Văn An",
        "id_number": "001090000001",
        "phone": "0905 123 456",
        "email": "an@example.vn",
        "address": "Số 12 Lê Duẩn",
        "wanted_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
    }
    data.update(kwargs)
    return data


def _components(procedure: Any) -> list[inbound.CollectedComponent]:
    version = procedure.current_version
    return [
        inbound.CollectedComponent(component_id=c.pk, originals=1, copies=i)
        for i, c in enumerate(version.components.order_by("order"))
    ]


def _collected(scene: dict[str, Any]) -> Order:
    order = inbound.order_request(data=_data(scene["procedure"]), now=timezone.now())
    inbound.order_take(order=order, worker=scene["worker"], now=timezone.now())
    return inbound.order_collect(
        order=order,
        worker=scene["worker"],
        components=_components(scene["procedure"]),
        seal_number="NP-001",
        receipt_number="BL-9",
        fees_collected="8.000",
        charge_collected=25000,
        now=timezone.now(),
    )


def test_request_records_the_order_with_its_number_charge_and_fees(scene: dict[str, Any]) -> None:
    order = inbound.order_request(data=_data(scene["procedure"]), now=timezone.now())
    assert order.state == OrderState.REQUESTED and order.service == Service.COLLECTION
    assert order.number == f"TG{timezone.localdate().year % 100:02d}0000001"
    assert (order.charge_amount, order.fees_amount) == (25000, 8000)
    assert order.unit == scene["unit"] and order.phone == "0905123456"
    assert AuditEntry.objects.filter(action="postal.order.request").count() == 1


def test_request_refused_for_a_procedure_the_post_may_not_carry(scene: dict[str, Any]) -> None:
    procedure = ProcedureFactory(accepts_post=False)
    with pytest.raises(ValidationFailed) as caught:
        inbound.order_request(data=_data(procedure), now=timezone.now())
    assert caught.value.message == inbound.NOT_CARRIED
    with pytest.raises(NotFound):
        inbound.order_request(
            data={**_data(scene["procedure"]), "procedure": "x"}, now=timezone.now()
        )
    assert not Order.objects.exists()


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(
    scene: dict[str, Any],
) -> None:
    data = _data(
        scene["procedure"],
        name="",
        id_number="123",
        phone="12",
        email="no",
        wanted_on="2020-01-01",
        commune="999999",
    )
    with pytest.raises(ValidationFailed) as caught:
        inbound.order_request(data=data, now=timezone.now())
    assert set(caught.value.field_errors) == {
        "name",
        "id_number",
        "phone",
        "email",
        "wanted_on",
        "commune",
    }
    assert not Order.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="postal.").exists()


def test_no_tariff_no_order(scene: dict[str, Any]) -> None:
    Tariff.objects.all().delete()
    with pytest.raises(ValidationFailed) as caught:
        inbound.order_request(data=_data(scene["procedure"]), now=timezone.now())
    assert caught.value.message == inbound.NO_TARIFF


def test_a_worker_of_another_postal_unit_may_not_take_it(scene: dict[str, Any]) -> None:
    order = inbound.order_request(data=_data(scene["procedure"]), now=timezone.now())
    stranger = PostalWorkerFactory()
    with pytest.raises(Forbidden):
        inbound.order_take(order=order, worker=stranger, now=timezone.now())
    inbound.order_take(order=order, worker=scene["worker"], now=timezone.now())
    colleague = PostalWorkerFactory(unit=scene["postal_unit"])
    with pytest.raises(Conflict) as caught:
        inbound.order_take(order=order, worker=colleague, now=timezone.now())
    assert caught.value.message == inbound.TAKEN


def test_collect_needs_every_required_component(scene: dict[str, Any]) -> None:
    order = inbound.order_request(data=_data(scene["procedure"]), now=timezone.now())
    inbound.order_take(order=order, worker=scene["worker"], now=timezone.now())
    optional_only = [c for c in _components(scene["procedure"]) if c.copies]
    with pytest.raises(ValidationFailed) as caught:
        inbound.order_collect(
            order=order,
            worker=scene["worker"],
            components=optional_only,
            seal_number="NP",
            receipt_number="BL",
            fees_collected=0,
            charge_collected=0,
            now=timezone.now(),
        )
    assert caught.value.message == inbound.MISSING_REQUIRED
    assert caught.value.field_errors["missing"] == ["Tờ khai theo mẫu"]
    order.refresh_from_db()
    assert order.state == OrderState.REQUESTED and not OrderItem.objects.exists()


def test_collect_records_components_scan_seal_and_money(scene: dict[str, Any]) -> None:
    order = inbound.order_request(data=_data(scene["procedure"]), now=timezone.now())
    inbound.order_take(order=order, worker=scene["worker"], now=timezone.now())
    parts = _components(scene["procedure"])
    photo = SimpleUploadedFile("to-khai.png", png_bytes(), content_type="image/png")
    parts[0] = inbound.CollectedComponent(parts[0].component_id, 1, 0, files=[photo])
    order = inbound.order_collect(
        order=order,
        worker=scene["worker"],
        components=parts,
        seal_number="NP-001",
        receipt_number="BL-9",
        fees_collected="8.000",
        charge_collected="25000",
        now=timezone.now(),
    )
    assert order.state == OrderState.COLLECTED
    assert (order.fees_collected, order.charge_collected) == (8000, 25000)
    items = list(order.items.order_by("id"))
    assert [(i.name, i.originals, i.copies) for i in items] == [
        ("Tờ khai theo mẫu", 1, 0),
        ("Giấy chứng sinh", 1, 1),
    ]
    assert items[0].scan and not items[1].scan


def test_refusal_needs_reasons_and_tells_the_applicant(scene: dict[str, Any]) -> None:
    order = inbound.order_request(data=_data(scene["procedure"]), now=timezone.now())
    inbound.order_take(order=order, worker=scene["worker"], now=timezone.now())
    with pytest.raises(ValidationFailed):
        inbound.order_refuse(order=order, worker=scene["worker"], reasons=" ", now=timezone.now())
    order = inbound.order_refuse(
        order=order, worker=scene["worker"], reasons="Thiếu tờ khai", now=timezone.now()
    )
    assert order.state == OrderState.REFUSED
    assert {m.channel for m in Message.objects.all()} == {"sms", "email"}
    with pytest.raises(Conflict):
        inbound.order_take(order=order, worker=scene["worker"], now=timezone.now())


def _signed_line(scene: dict[str, Any], order: Order, at: dt.datetime) -> Any:
    handover = handover_open(
        direction=Direction.TO_UNIT,
        unit=scene["unit"],
        postal_unit=scene["postal_unit"],
        worker=scene["worker"],
        officer=scene["officer"],
        orders=[order],
        now=at,
    )
    line = handover.lines.get()
    handover_recount(line=line, counted=line.listed, now=at)
    handover_sign(handover=handover, officer=scene["officer"], now=at, worker_on_paper=True)
    return line


def _intake_data(order: Order) -> dict[str, Any]:
    return {
        "applicant_name": order.person_name,
        "applicant_id_number": order.id_number,
        "applicant_phone": order.phone,
        "applicant_address": order.address,
        "delivery": "counter",
    }


def test_receive_makes_a_channel_3_dossier_whose_clock_starts_at_the_handover(
    scene: dict[str, Any],
) -> None:
    order = _collected(scene)
    signed_at = timezone.now() - dt.timedelta(hours=1)
    line = _signed_line(scene, order, signed_at)
    received = [
        ReceivedComponent(component_id=i.component_id, originals=i.originals, copies=i.copies)
        for i in order.items.all()
        if i.component_id is not None
    ]
    other = UserFactory(username="giang")
    StaffRoleFactory(user=other, role=Role.RECEIVING_OFFICER, agency=OneStopUnitFactory())
    with pytest.raises(Forbidden):
        inbound.order_receive(
            line=line, unit=scene["unit"], actor=other, data=_intake_data(order), received=received
        )
    dossier = inbound.order_receive(
        line=line,
        unit=scene["unit"],
        actor=scene["officer"],
        data=_intake_data(order),
        received=received,
    )
    assert dossier.channel == Channel.POST and dossier.received_at == signed_at
    assert dossier.state == DossierState.SUBMITTED
    order.refresh_from_db()
    assert order.state == OrderState.RECEIVED and order.dossier == dossier
    line.refresh_from_db()
    assert line.dossier == dossier
    with pytest.raises(Conflict):
        inbound.order_receive(
            line=line,
            unit=scene["unit"],
            actor=scene["officer"],
            data=_intake_data(order),
            received=received,
        )
    assert Dossier.objects.count() == 1


def test_receive_with_bad_input_writes_nothing(scene: dict[str, Any]) -> None:
    order = _collected(scene)
    line = _signed_line(scene, order, timezone.now())
    with pytest.raises(ValidationFailed):
        inbound.order_receive(
            line=line,
            unit=scene["unit"],
            actor=scene["officer"],
            data={**_intake_data(order), "applicant_phone": "x"},
            received=[],
        )
    order.refresh_from_db()
    assert order.state == OrderState.HANDED_OVER and order.dossier is None
    assert not Dossier.objects.exists()
