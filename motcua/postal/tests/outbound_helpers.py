"""Results going by post, for the tests: processed dossiers, a tariff, a post serving the unit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from motcua.catalog.models import FeeDue, FeeKind, Procedure
from motcua.dossiers.models import (
    STATE_STATUS,
    Delivery,
    Dossier,
    DossierFee,
    DossierResult,
    DossierState,
)
from motcua.postal.models import Order, PostalUnit, PostalWorker, Service, Tariff
from motcua.testing import (
    Cast,
    DossierFactory,
    PostalUnitFactory,
    PostalWorkerFactory,
    ProcedureFactory,
    UserFactory,
    pdf_upload,
)
from motcua.workflow import services

CHARGE = 25_000
ADDRESS = "Số 12 Lê Duẩn, phường Hải Châu, thành phố Đà Nẵng"


@dataclass
class Post:
    """The post office serving the cast's one-stop unit, and its worker who picks up."""

    unit: PostalUnit
    worker: PostalWorker


def post_serving(cast: Cast) -> Post:
    unit = PostalUnitFactory(serves=[cast.unit], name="Bưu cục Hải Châu")
    worker = PostalWorkerFactory(
        unit=unit, user=UserFactory(username="buutaB", first_name="Bưu tá", last_name="Lê")
    )
    return Post(unit=unit, worker=worker)


def tariff_add(amount: int = CHARGE, *, valid_from: dt.date | None = None) -> Tariff:
    return Tariff.objects.create(
        service=Service.DELIVERY,
        zone=Tariff.Zone.PROVINCE,
        amount=amount,
        valid_from=valid_from or dt.date(2020, 1, 1),
        basis="Thông tư 22/2017/TT-BTTTT",
    )


def processed(
    cast: Cast,
    *,
    procedure: Procedure | None = None,
    delivery: str = Delivery.POST,
    fee: int | None = 0,
    id_number: str = "001090000001",
) -> Dossier:
    """A dossier taken through the workflow to processed (status 9), result recorded.

    ``fee``: an "after" fee (thu sau) of that amount, unpaid (0: none; None: uncounted).
    With one, the workflow's automatic payment request is switched off by the caller.
    """
    now = timezone.now()
    dossier: Dossier = DossierFactory(
        procedure=procedure or ProcedureFactory(agency=cast.agency),
        receiving_unit=cast.unit,
        submitted_at=now,
        intake_due_at=now + dt.timedelta(days=1),
        delivery=delivery,
        delivery_address=ADDRESS if delivery == Delivery.POST else "",
        applicant_id_number=id_number,
    )
    if fee != 0:
        DossierFee.objects.create(
            dossier=dossier,
            code="LP",
            kind=FeeKind.CHARGE,
            name="Lệ phí",
            basis="fixed",
            due=FeeDue.AFTER,
            amount=fee,
            base_amount=fee,
            rule_text="Mức thu",
            computed_at=now,
        )
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    services.dossier_result_record(
        dossier=dossier, actor=cast.specialist, name="Giấy khai sinh", upload=pdf_upload()
    )
    services.dossier_forward(dossier=dossier, actor=cast.specialist)
    services.dossier_mark_processed(dossier=dossier, actor=cast.leader)
    dossier.refresh_from_db()
    return dossier


def processed_fast(cast: Cast, n: int, *, due_at: dt.datetime | None = None) -> list[Dossier]:
    """``n`` dossiers put straight in the processed state with a result (no workflow): for
    counts of queries and the benchmark's sizes."""
    procedure = ProcedureFactory(agency=cast.agency)
    now = timezone.now()
    dossiers: list[Dossier] = DossierFactory.create_batch(
        n,
        procedure=procedure,
        receiving_unit=cast.unit,
        delivery=Delivery.POST,
        delivery_address=ADDRESS,
        state=DossierState.PROCESSED,
        status=STATE_STATUS[DossierState.PROCESSED],
        due_at=due_at or now - dt.timedelta(hours=1),
    )
    DossierResult.objects.bulk_create(
        DossierResult(
            dossier=d,
            number=1,
            code=f"{d.code}-KQ1",
            name="Kết quả",
            file="results/x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            recorded_by=cast.specialist,
            recorded_at=now,
        )
        for d in dossiers
    )
    return dossiers


def set_state(order: Order, state: str, **fields: Any) -> Order:
    """Move ``order`` as the post's events would (the carrier's code does it in the app)."""
    Order.objects.filter(pk=order.pk).update(state=state, changed_at=timezone.now(), **fields)
    order.refresh_from_db()
    return order
