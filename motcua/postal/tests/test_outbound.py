"""Results by post: the dispatch prepares one delivery per result, once; faults are refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, Forbidden, ValidationFailed
from motcua.dossiers.models import Delivery, DossierState, Status
from motcua.payments.models import Method, Payment, PaymentLine, PaymentState
from motcua.payments.services import new_reference
from motcua.postal import outbound
from motcua.postal.models import Order, OrderState, Service
from motcua.postal.outbound_selectors import dispatch_candidates
from motcua.testing import Cast, DossierFactory, OneStopUnitFactory, ProcedureFactory, cast_create

from .outbound_helpers import ADDRESS, CHARGE, processed, processed_fast, tariff_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(db: None) -> Cast:
    tariff_add()
    return cast_create()


def test_a_processed_result_for_the_post_gets_one_delivery_order(cast: Cast) -> None:
    dossier = processed(cast)

    prepared = outbound.dispatch_prepare(
        unit=cast.unit, dossiers=[dossier.code], officer=cast.receiving_officer
    )

    assert prepared.refused == {}
    [order] = prepared.orders
    order.refresh_from_db()
    assert order.service == Service.DELIVERY
    assert order.state == OrderState.REQUESTED
    assert order.number == f"{dossier.code}-BP1"
    assert order.dossier_id == dossier.pk
    assert order.unit_id == cast.unit.pk
    assert (order.person_name, order.phone, order.address) == (
        dossier.applicant_name,
        dossier.applicant_phone,
        ADDRESS,
    )
    assert order.id_number == dossier.applicant_id_number
    assert order.fees_amount == 0
    assert order.charge_amount == CHARGE
    entry = AuditEntry.objects.get(action="postal.order.prepare", object_id=str(order.pk))
    assert entry.actor_id == cast.receiving_officer.pk
    assert entry.after is not None and entry.after["dossier"] == dossier.code
    # The result is not returned by preparing it: the dossier stays processed.
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSED


def test_cash_on_delivery_is_what_the_dossier_still_owes(cast: Cast, settings: Any) -> None:
    settings.PAYMENTS_REQUEST_AUTOMATICALLY = False
    owing = processed(cast, fee=50_000)
    paid = processed(cast, fee=30_000)
    payment = Payment.objects.create(
        reference=new_reference(timezone.now()),
        method=Method.CASH,
        state=PaymentState.PAID,
        amount=30_000,
        collecting_agency=cast.agency,
        payer_name=paid.applicant_name,
        payer_id_number=paid.applicant_id_number,
        created_at=timezone.now(),
        paid_at=timezone.now(),
    )
    PaymentLine.objects.create(
        payment=payment,
        dossier=paid,
        fee_code="LP",
        kind="charge",
        name="Lệ phí",
        amount=30_000,
        settled=True,
    )

    prepared = outbound.dispatch_prepare(
        unit=cast.unit, dossiers=[owing.code, paid.code], officer=cast.receiving_officer
    )

    amounts = {o.dossier_id: o.fees_amount for o in prepared.orders}
    assert amounts == {owing.pk: 50_000, paid.pk: 0}


def test_a_fee_still_to_be_counted_holds_the_result_back(cast: Cast, settings: Any) -> None:
    settings.PAYMENTS_REQUEST_AUTOMATICALLY = False
    uncounted = processed(cast, fee=None)
    fine = processed(cast)

    prepared = outbound.dispatch_prepare(
        unit=cast.unit, dossiers=[uncounted.code, fine.code], officer=cast.receiving_officer
    )

    assert [o.dossier_id for o in prepared.orders] == [fine.pk]
    assert prepared.refused == {uncounted.code: str(outbound.FEES_UNCOUNTED)}


def test_a_dossier_is_not_dispatched_twice(cast: Cast) -> None:
    dossier = processed(cast)
    outbound.dispatch_prepare(
        unit=cast.unit, dossiers=[dossier.code], officer=cast.receiving_officer
    )

    again = outbound.dispatch_prepare(
        unit=cast.unit, dossiers=[dossier.code, dossier.pk], officer=cast.receiving_officer
    )

    assert again.orders == []
    assert again.refused == {dossier.code: str(outbound.ALREADY_ON_DELIVERY)}
    assert Order.objects.filter(dossier=dossier).count() == 1


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        ("no_result", outbound.NO_RESULT),
        ("not_processed", outbound.NOT_PROCESSED),
        ("counter", outbound.NOT_BY_POST),
        ("not_carried", outbound.POST_MAY_NOT_CARRY),
        ("other_unit", outbound.NOT_THIS_UNIT),
        ("returned", outbound.NOT_PROCESSED),
    ],
)
def test_results_that_cannot_go_by_post_are_refused_with_the_reason(
    cast: Cast, make: str, reason: Any
) -> None:
    if make == "no_result":
        dossier = processed_fast(cast, 1)[0]
        dossier.results.all().delete()
    elif make == "not_processed":
        dossier = DossierFactory(receiving_unit=cast.unit, delivery=Delivery.POST)
    elif make == "counter":
        dossier = processed(cast, delivery=Delivery.COUNTER)
    elif make == "not_carried":
        dossier = processed(cast, procedure=ProcedureFactory(agency=cast.agency))
        dossier.procedure.returns_by_post = False
        dossier.procedure.save()
    elif make == "other_unit":
        dossier = processed_fast(cast, 1)[0]
        dossier.receiving_unit = OneStopUnitFactory()
        dossier.save()
    else:
        dossier = processed(cast)
        dossier.state, dossier.status = DossierState.RESULT_RETURNED, Status.RESULT_RETURNED
        dossier.save()
    fine = processed_fast(cast, 1)[0]

    prepared = outbound.dispatch_prepare(
        unit=cast.unit, dossiers=[dossier.code, fine.code], officer=cast.receiving_officer
    )

    assert prepared.refused == {dossier.code: str(reason)}
    assert [o.dossier_id for o in prepared.orders] == [fine.pk]
    # The page never offers what the service refuses.
    assert dossier.pk not in {d.pk for d in dispatch_candidates(unit=cast.unit).dossiers}


def test_the_page_offers_exactly_what_the_service_accepts(cast: Cast) -> None:
    due = processed_fast(cast, 3)
    later = processed_fast(cast, 1, due_at=timezone.now() + dt.timedelta(days=3))[0]
    offered = dispatch_candidates(unit=cast.unit)
    assert {d.pk for d in offered.dossiers} == {d.pk for d in due}
    until = timezone.localdate() + dt.timedelta(days=3)
    assert later.pk in {d.pk for d in dispatch_candidates(unit=cast.unit, until=until).dossiers}

    prepared = outbound.dispatch_prepare(
        unit=cast.unit, dossiers=[d.code for d in offered.dossiers], officer=cast.receiving_officer
    )

    assert prepared.refused == {}
    after = dispatch_candidates(unit=cast.unit)
    assert after.dossiers == []
    assert {o.pk for o in after.waiting} == {o.pk for o in prepared.orders}


def test_unknown_codes_are_refused_and_nothing_ticked_is_bad_input(cast: Cast) -> None:
    prepared = outbound.dispatch_prepare(
        unit=cast.unit, dossiers=["KHONG-CO"], officer=cast.receiving_officer
    )
    assert prepared.refused == {"KHONG-CO": str(outbound.UNKNOWN_DOSSIER)}
    with pytest.raises(ValidationFailed):
        outbound.dispatch_prepare(unit=cast.unit, dossiers=[" "], officer=cast.receiving_officer)


def test_only_a_receiving_officer_of_the_unit_may_dispatch(cast: Cast) -> None:
    dossier = processed(cast)
    for who in (cast.outsider, cast.specialist, cast.leader):
        with pytest.raises(Forbidden):
            outbound.dispatch_prepare(unit=cast.unit, dossiers=[dossier.code], officer=who)
    assert not Order.objects.exists()


def test_without_a_postal_charge_in_force_nothing_is_written(cast: Cast) -> None:
    dossier = processed(cast)
    from motcua.postal.models import Tariff

    Tariff.objects.all().delete()
    tariff_add(40_000, valid_from=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(Conflict) as caught:
        outbound.dispatch_prepare(
            unit=cast.unit, dossiers=[dossier.code], officer=cast.receiving_officer
        )
    assert caught.value.message == outbound.NO_TARIFF
    assert not Order.objects.exists()
    assert not AuditEntry.objects.filter(action="postal.order.prepare").exists()


def test_the_charge_is_the_tariff_in_force_today(cast: Cast) -> None:
    tariff_add(30_000, valid_from=timezone.localdate())
    tariff_add(99_000, valid_from=timezone.localdate() + dt.timedelta(days=1))
    dossier = processed_fast(cast, 1)[0]
    [order] = outbound.dispatch_prepare(
        unit=cast.unit, dossiers=[dossier.code], officer=cast.receiving_officer
    ).orders
    assert order.charge_amount == 30_000


def test_a_batch_costs_the_same_queries_whatever_its_size(cast: Cast) -> None:
    def run(n: int) -> list[dict[str, Any]]:
        codes = [d.code for d in processed_fast(cast, n)]
        officer = cast_create_officer(cast)
        with CaptureQueriesContext(connection) as queries:
            prepared = outbound.dispatch_prepare(unit=cast.unit, dossiers=codes, officer=officer)
        assert len(prepared.orders) == n
        return list(queries)

    # Rows are inserted in batches (500; fewer on SQLite, which limits a statement's
    # parameters): everything else is the same for 2 dossiers as for 20.
    small, large = run(2), run(20)
    assert len(small) == len(large), "\n".join(q["sql"][:150] for q in large)


def cast_create_officer(cast: Cast) -> Any:
    """The receiving officer afresh (their roles are read once per user object)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=cast.receiving_officer.pk)
