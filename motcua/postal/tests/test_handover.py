"""Hand-over records: numbering, lines and totals, recount, both signatures, the PDF."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, ValidationFailed
from motcua.postal.handover import (
    ALREADY_LISTED,
    ALREADY_SIGNED,
    NO_WORKER_SIGNATURE,
    NOT_COLLECTED,
    NOT_RECOUNTED,
    NOT_SERVED,
    WRONG_POSTAL_UNIT,
    handover_context,
    handover_open,
    handover_pdf,
    handover_recount,
    handover_sign,
    handover_worker_confirm,
)
from motcua.postal.models import Direction, Handover, Order, OrderItem, OrderState, Service
from motcua.testing import (
    OneStopUnitFactory,
    PostalOrderFactory,
    PostalUnitFactory,
    PostalWorkerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)


def _collected(unit: Any, postal_unit: Any, **kwargs: Any) -> Order:
    order = PostalOrderFactory(
        unit=unit,
        postal_unit=postal_unit,
        state=OrderState.COLLECTED,
        fees_collected=8000,
        charge_collected=25000,
        seal_number="NP-1",
        **kwargs,
    )
    OrderItem.objects.create(order=order, name="Tờ khai theo mẫu", originals=1, copies=0)
    OrderItem.objects.create(order=order, name="Giấy chứng sinh", originals=1, copies=1)
    return order


@pytest.fixture
def scene() -> dict[str, Any]:
    unit = OneStopUnitFactory(name="Trung tâm Phục vụ hành chính công", code="000.01.01.H15")
    postal_unit = PostalUnitFactory(serves=[unit], name="Bưu cục Hải Châu")
    worker = PostalWorkerFactory(
        unit=postal_unit, user=UserFactory(username="buu", last_name="Trần", first_name="Bưu")
    )
    officer = UserFactory(username="binh", last_name="Lê", first_name="Bình")
    orders = [_collected(unit, postal_unit) for _ in range(3)]
    return {
        "unit": unit,
        "postal_unit": postal_unit,
        "worker": worker,
        "officer": officer,
        "orders": orders,
    }


def _open(scene: dict[str, Any], **kwargs: Any) -> Handover:
    args = {
        "direction": Direction.TO_UNIT,
        "unit": scene["unit"],
        "postal_unit": scene["postal_unit"],
        "worker": scene["worker"],
        "officer": scene["officer"],
        "orders": scene["orders"],
        "now": NOW,
    }
    args.update(kwargs)
    return handover_open(**args)


def _recount_all(handover: Handover) -> None:
    for line in handover.lines.all():
        handover_recount(line=line, counted=line.listed, now=NOW)


def test_open_numbers_per_unit_and_year_lists_components_and_totals(
    scene: dict[str, Any],
) -> None:
    first = _open(scene, orders=scene["orders"][:2])
    second = _open(scene, orders=scene["orders"][2:])
    assert first.number == "BBGN-000.01.01.H15-2026-00001"
    assert second.number == "BBGN-000.01.01.H15-2026-00002"
    assert (first.packages, first.fees_total, first.charges_total) == (2, 16000, 50000)
    assert first.worker_name == "Trần Bưu"
    line = first.lines.get(order=scene["orders"][0])
    assert [(p["name"], p["originals"], p["copies"]) for p in line.listed] == [
        ("Tờ khai theo mẫu", 1, 0),
        ("Giấy chứng sinh", 1, 1),
    ]
    assert AuditEntry.objects.filter(action="postal.handover.open").count() == 2


def test_number_starts_again_each_year(scene: dict[str, Any]) -> None:
    _open(scene, orders=scene["orders"][:1])
    later = _open(scene, orders=scene["orders"][1:], now=NOW + dt.timedelta(days=30))
    assert later.number.endswith("-2027-00001")


def test_open_refuses_orders_not_collected_or_of_another_postal_unit(
    scene: dict[str, Any],
) -> None:
    requested = PostalOrderFactory(unit=scene["unit"], postal_unit=scene["postal_unit"])
    with pytest.raises(ValidationFailed) as caught:
        _open(scene, orders=[*scene["orders"], requested])
    assert caught.value.message == NOT_COLLECTED
    other = _collected(scene["unit"], PostalUnitFactory(serves=[scene["unit"]]))
    with pytest.raises(ValidationFailed) as caught:
        _open(scene, orders=[other])
    assert caught.value.message == WRONG_POSTAL_UNIT
    with pytest.raises(ValidationFailed) as caught:
        _open(scene, unit=OneStopUnitFactory(), orders=[])
    with pytest.raises(ValidationFailed) as caught:
        _open(scene, unit=OneStopUnitFactory())
    assert caught.value.message == NOT_SERVED
    assert not Handover.objects.exists()


def test_an_order_is_on_one_record_only_and_the_refusal_gives_the_number_back(
    scene: dict[str, Any],
) -> None:
    _open(scene, orders=scene["orders"][:1])
    with pytest.raises(Conflict) as caught:
        _open(scene, orders=scene["orders"][:2])
    assert caught.value.message == ALREADY_LISTED
    assert _open(scene, orders=scene["orders"][1:]).number.endswith("-00002")


def test_recount_that_differs_is_flagged_with_what_differs(scene: dict[str, Any]) -> None:
    handover = _open(scene)
    line = handover.lines.get(order=scene["orders"][0])
    counted = [dict(p) for p in line.listed]
    counted[1]["copies"] = 0
    line = handover_recount(line=line, counted=counted, now=NOW)
    assert line.recounted and not line.matches
    assert "Giấy chứng sinh" in line.discrepancy and "0 bản sao" in line.discrepancy
    handover.refresh_from_db()
    assert handover.discrepancies == 1
    same = handover.lines.get(order=scene["orders"][1])
    same = handover_recount(line=same, counted=same.listed, now=NOW)
    assert same.matches and same.discrepancy == ""
    noted = handover.lines.get(order=scene["orders"][2])
    noted = handover_recount(line=noted, counted=noted.listed, discrepancy="Niêm phong rách")
    assert not noted.matches and noted.discrepancy == "Niêm phong rách"
    handover.refresh_from_db()
    assert handover.discrepancies == 2


def test_recount_refuses_bad_counts(scene: dict[str, Any]) -> None:
    handover = _open(scene)
    line = handover.lines.first()
    assert line is not None
    with pytest.raises(ValidationFailed):
        handover_recount(line=line, counted=[{"name": "x", "originals": -1, "copies": 0}])
    with pytest.raises(ValidationFailed):
        handover_recount(line=line, counted=[{"name": "x", "originals": "a", "copies": 0}])
    line.refresh_from_db()
    assert not line.recounted


def test_sign_needs_the_recount_and_the_workers_signature(scene: dict[str, Any]) -> None:
    handover = _open(scene)
    with pytest.raises(ValidationFailed) as caught:
        handover_sign(handover=handover, officer=scene["officer"], now=NOW)
    assert caught.value.message == NO_WORKER_SIGNATURE
    with pytest.raises(ValidationFailed) as caught:
        handover_sign(handover=handover, officer=scene["officer"], now=NOW, worker_on_paper=True)
    assert caught.value.message == NOT_RECOUNTED
    handover.refresh_from_db()
    assert handover.signed_at is None and handover.worker_signed_at is None
    assert not Order.objects.filter(state=OrderState.HANDED_OVER).exists()


def test_sign_on_paper_hands_the_orders_over_and_keeps_the_pdf(scene: dict[str, Any]) -> None:
    handover = _open(scene)
    _recount_all(handover)
    signed = handover_sign(
        handover=handover,
        officer=scene["officer"],
        now=NOW,
        worker_on_paper=True,
        worker_name="Trần Văn Bưu",
    )
    assert signed.signed_at == NOW and signed.worker_signature == "paper"
    assert signed.worker_name == "Trần Văn Bưu"
    data = handover_pdf(signed)
    assert data.startswith(b"%PDF")
    assert signed.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert set(Order.objects.values_list("state", "handed_over_at")) == {
        (OrderState.HANDED_OVER, NOW)
    }
    with pytest.raises(Conflict) as caught:
        handover_sign(handover=signed, officer=scene["officer"], now=NOW, worker_on_paper=True)
    assert caught.value.message == ALREADY_SIGNED
    line = signed.lines.first()
    assert line is not None
    with pytest.raises(Conflict):
        handover_recount(line=line, counted=[])
    assert AuditEntry.objects.filter(action="postal.handover.sign").count() == 1


def test_worker_confirms_on_their_phone(scene: dict[str, Any]) -> None:
    handover = _open(scene)
    stranger = PostalWorkerFactory()
    with pytest.raises(ValidationFailed):
        handover_worker_confirm(handover=handover, worker=stranger, now=NOW)
    handover_worker_confirm(handover=handover, worker=scene["worker"], now=NOW)
    _recount_all(handover)
    signed = handover_sign(handover=handover, officer=scene["officer"], now=NOW)
    assert signed.worker_signature == "phone"
    assert signed.pdf_sha256


def test_to_post_lists_deliveries_with_cash_on_delivery(scene: dict[str, Any]) -> None:
    deliveries = [
        PostalOrderFactory(
            unit=scene["unit"],
            service=Service.DELIVERY,
            state=OrderState.REGISTERED,
            tracking_number=f"EV{n:09d}VN",
            fees_amount=50000,
            charge_amount=30000,
        )
        for n in range(2)
    ]
    handover = _open(scene, direction=Direction.TO_POST, orders=deliveries)
    assert (handover.fees_total, handover.charges_total) == (100000, 60000)
    with pytest.raises(ValidationFailed):
        _open(scene, direction=Direction.TO_POST, orders=scene["orders"])
    signed = handover_sign(
        handover=handover, officer=scene["officer"], now=NOW, worker_on_paper=True
    )
    assert handover_pdf(signed).startswith(b"%PDF")


def test_context_reads_in_a_fixed_number_of_queries(scene: dict[str, Any]) -> None:
    more = [_collected(scene["unit"], scene["postal_unit"]) for _ in range(10)]
    handover = _open(scene, orders=[*scene["orders"], *more])
    with CaptureQueriesContext(connection) as few:
        context = handover_context(handover)
        [line.order.procedure.name for line in context["lines"]]
    assert len(few) <= 3
    assert timezone.is_aware(NOW)


def test_a_long_record_lists_packages_as_paragraphs(
    scene: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from pypdf import PdfReader

    from motcua.postal import handover as module

    monkeypatch.setattr(module, "COMPACT_FROM", 1)
    handover = _open(scene)
    assert handover_context(handover)["compact"]
    text = PdfReader(io.BytesIO(module.handover_pdf_bytes(handover))).pages[0].extract_text()
    assert "niêm phong NP-1" in text and "chưa kiểm đếm" in text
