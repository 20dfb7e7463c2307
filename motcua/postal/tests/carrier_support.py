"""What the tests of the post's adapter, events and webhooks share (postcarrier, issue 12)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from motcua.dossiers.models import Delivery, Dossier
from motcua.postal.carriers.base import (
    CarrierError,
    CarrierEvent,
    EventPage,
    Registered,
    Shipment,
)
from motcua.postal.carriers.vnpost import CODE_OF_STATE, STATE_OF_CODE
from motcua.postal.models import Order, OrderState, Service
from motcua.testing import (
    Cast,
    DossierFactory,
    PostalOrderFactory,
    ProcedureFactory,
    pdf_upload,
)
from motcua.workflow import services

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_9 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=HCM)
_ids = itertools.count(1)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=HCM)


def processed_dossier(cast: Cast) -> Dossier:
    """A dossier of the cast's agency, accepted, processed with its result, not returned."""
    procedure = ProcedureFactory(agency=cast.agency, returns_by_post=True)
    dossier = DossierFactory(
        procedure=procedure,
        receiving_unit=cast.unit,
        submitted_at=MONDAY_9,
        intake_due_at=at(6, 9),
        delivery=Delivery.POST,
    )
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=MONDAY_9)
    services.dossier_claim(dossier=dossier, actor=cast.specialist, now=at(5, 10))
    services.dossier_result_record(
        dossier=dossier,
        actor=cast.specialist,
        name="Trích lục",
        upload=pdf_upload(),
        is_electronic=False,  # a paper result: no agency certificate needed
        now=at(6, 9),
    )
    services.dossier_forward(dossier=dossier, actor=cast.specialist, now=at(6, 10))
    services.dossier_mark_processed(dossier=dossier, actor=cast.leader, now=at(7, 9))
    dossier.refresh_from_db()
    return dossier


def delivery_order(dossier: Dossier | None, **fields: Any) -> Order:
    """A delivery of ``dossier``'s result, registered with the post."""
    extra: dict[str, Any] = {"state": OrderState.REGISTERED, **fields}
    if dossier is not None:
        extra.setdefault("procedure", dossier.procedure)
        extra.setdefault("unit", dossier.receiving_unit)
    order: Order = PostalOrderFactory(service=Service.DELIVERY, dossier=dossier, **extra)
    return order


def event(
    order: Order | str,
    state: str,
    when: dt.datetime,
    *,
    notes: str = "",
    external_id: str = "",
    code: str = "",
) -> CarrierEvent:
    number = order if isinstance(order, str) else order.number
    code = code or str(CODE_OF_STATE[state])
    return CarrierEvent(
        external_id=external_id or f"{next(_ids):024x}",
        order_number=number,
        code=code,
        state=STATE_OF_CODE.get(int(code), "") if code.isdigit() else "",
        happened_at=when,
        message=f"status {code}",
        notes=notes,
        raw={"OrderNumber": number, "StatusCode": code},
    )


def rh_doc(e: CarrierEvent) -> dict[str, Any]:
    """The event as VNPost sends it (``rh:doc``)."""
    return {
        "_id": {"$oid": e.external_id},
        "CustomerCode": "MOTCUA",
        "OrderNumber": e.order_number,
        "EventTime": int(e.happened_at.timestamp() * 1000),
        "POSID": "550000",
        "ItemCode": "EB000000001VN",
        "StatusCode": int(e.code),
        "StatusMessage": e.message,
        "Notes": e.notes,
    }


def signed_body(events: list[CarrierEvent], secret: str | None = None) -> tuple[bytes, str]:
    body = json.dumps({"_embedded": {"rh:doc": [rh_doc(e) for e in events]}}).encode()
    key = (secret if secret is not None else settings.VNPOST_WEBHOOK_SECRET).encode()
    return body, hmac.new(key, body, hashlib.sha256).hexdigest()


@dataclass
class FakeCarrier:
    """A carrier in memory: what was registered and cancelled, events served in pages."""

    code: str = "vnpost"
    name: str = "fake"
    registered: list[Shipment] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    feed: list[CarrierEvent] = field(default_factory=list)
    fail: CarrierError | None = None
    asked: list[str] = field(default_factory=list)

    def register(self, shipment: Shipment) -> Registered:
        if self.fail is not None:
            raise self.fail
        already = any(s.order_number == shipment.order_number for s in self.registered)
        self.registered.append(shipment)
        return Registered(tracking_number=f"EB{len(self.registered):09d}VN", already=already)

    def cancel(self, order_number: str) -> None:
        if self.fail is not None:
            raise self.fail
        self.cancelled.append(order_number)

    def events(self, *, after: str, size: int) -> EventPage:
        self.asked.append(after)
        if self.fail is not None:
            raise self.fail
        later = [e for e in self.feed if e.external_id > (after or "")]
        return EventPage(events=later[:size])

    def read_webhook(self, request: Any) -> list[CarrierEvent]:  # pragma: no cover
        raise NotImplementedError


def now() -> dt.datetime:
    return timezone.now()
