"""The hand-over of results to the post: the record with the postal worker, signed, printed."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, Forbidden, ValidationFailed
from motcua.dossiers.models import Dossier, Status
from motcua.postal import outbound
from motcua.postal.models import Direction, Handover, Order, OrderState, TrackingEvent
from motcua.postal.outbound_selectors import dispatch_candidates
from motcua.staff.models import Role
from motcua.testing import (
    Cast,
    OneStopUnitFactory,
    PostalUnitFactory,
    PostalWorkerFactory,
    StaffRoleFactory,
    cast_create,
)

from .outbound_helpers import Post, post_serving, processed_fast, tariff_add

pytestmark = pytest.mark.django_db
DISPATCH = "/can-bo/buu-chinh/gui/"


@pytest.fixture
def cast(db: None) -> Cast:
    tariff_add()
    return cast_create()


@pytest.fixture
def post(cast: Cast) -> Post:
    return post_serving(cast)


def _prepared(cast: Cast, n: int = 2) -> list[Order]:
    dossiers = processed_fast(cast, n)
    return outbound.dispatch_prepare(
        unit=cast.unit, dossiers=[d.code for d in dossiers], officer=cast.receiving_officer
    ).orders


def test_the_results_are_handed_over_against_a_signed_record(cast: Cast, post: Post) -> None:
    orders = _prepared(cast)

    record = outbound.dispatch_hand_over(
        unit=cast.unit, orders=orders, worker=post.worker, officer=cast.receiving_officer
    )

    assert record.direction == Direction.TO_POST
    assert record.packages == 2
    assert record.charges_total == 2 * 25_000
    assert dispatch_candidates(unit=cast.unit).waiting == []  # on a record: not offered again
    assert set(Order.objects.values_list("state", flat=True)) == {OrderState.REQUESTED}

    signed = outbound.dispatch_sign(
        handover=record,
        officer=cast.receiving_officer,
        worker_on_paper=True,
        worker_name="Lê Bưu Tá",
    )

    assert signed.signed_at is not None and signed.pdf_sha256
    assert set(Order.objects.values_list("state", flat=True)) == {OrderState.HANDED_OVER}
    events = TrackingEvent.objects.filter(code=outbound.HANDED_OVER_CODE)
    assert events.count() == 2 and {e.message for e in events} == {signed.number}
    assert AuditEntry.objects.filter(action="postal.order.hand_over").count() == 2
    # Handing over is not returning: the dossiers stay processed.
    assert set(Dossier.objects.values_list("status", flat=True)) == {Status.PROCESSED}
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(signed.pdf.read())).pages)
    for order in orders:
        assert order.dossier is not None and order.dossier.code in text


def test_a_record_is_signed_once_and_needs_the_workers_signature(cast: Cast, post: Post) -> None:
    record = outbound.dispatch_hand_over(
        unit=cast.unit, orders=_prepared(cast), worker=post.worker, officer=cast.receiving_officer
    )
    with pytest.raises(ValidationFailed):
        outbound.dispatch_sign(handover=record, officer=cast.receiving_officer)
    assert not TrackingEvent.objects.exists()
    outbound.dispatch_sign(handover=record, officer=cast.receiving_officer, worker_on_paper=True)
    with pytest.raises(Conflict):
        outbound.dispatch_sign(
            handover=record, officer=cast.receiving_officer, worker_on_paper=True
        )
    assert TrackingEvent.objects.count() == 2


def test_an_order_goes_on_one_record_and_the_worker_must_serve_the_unit(
    cast: Cast, post: Post
) -> None:
    orders = _prepared(cast)
    outbound.dispatch_hand_over(
        unit=cast.unit, orders=orders[:1], worker=post.worker, officer=cast.receiving_officer
    )
    with pytest.raises(Conflict):
        outbound.dispatch_hand_over(
            unit=cast.unit, orders=orders, worker=post.worker, officer=cast.receiving_officer
        )
    stranger = PostalWorkerFactory(unit=PostalUnitFactory())
    with pytest.raises(ValidationFailed):
        outbound.dispatch_hand_over(
            unit=cast.unit, orders=orders[1:], worker=stranger, officer=cast.receiving_officer
        )
    with pytest.raises(Forbidden):
        outbound.dispatch_hand_over(
            unit=cast.unit, orders=orders[1:], worker=post.worker, officer=cast.outsider
        )
    assert Handover.objects.count() == 1


def test_the_page_hands_over_the_ticked_packages_and_signs(
    client: Client, cast: Cast, post: Post
) -> None:
    orders = _prepared(cast, 3)
    client.force_login(cast.receiving_officer)
    page = client.get(DISPATCH).content.decode()
    assert 'data-select-all="orders"' in page
    assert f'<option value="{post.worker.pk}">' in page

    answer = client.post(
        reverse("postal_staff:dispatch-hand-over"),
        {"unit": cast.unit.pk, "orders": [o.pk for o in orders[:2]], "worker": post.worker.pk},
    )

    record = Handover.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("postal_staff:dispatch-record", args=[record.number])
    html = client.get(answer["Location"]).content.decode()
    assert orders[0].number in html and orders[2].number not in html
    pdf = client.get(reverse("postal_staff:dispatch-record-pdf", args=[record.number]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    signed = client.post(
        answer["Location"], {"worker_on_paper": "1", "worker_name": "Lê Bưu Tá"}, follow=True
    )
    assert 'data-signed="yes"' in signed.content.decode()
    assert Order.objects.filter(state=OrderState.HANDED_OVER).count() == 2


def test_the_hand_over_form_refuses_bad_input(client: Client, cast: Cast, post: Post) -> None:
    orders = _prepared(cast)
    client.force_login(cast.receiving_officer)
    url = reverse("postal_staff:dispatch-hand-over")
    stranger = PostalWorkerFactory(unit=PostalUnitFactory())
    for data in (
        {"unit": cast.unit.pk, "orders": [orders[0].pk]},  # no worker
        {"unit": cast.unit.pk, "orders": [orders[0].pk], "worker": stranger.pk},
        {"unit": cast.unit.pk, "orders": ["x"], "worker": post.worker.pk},
        {"unit": cast.unit.pk, "worker": post.worker.pk},  # nothing ticked
        {"unit": cast.unit.pk, "orders": [orders[0].pk, 999999], "worker": post.worker.pk},
    ):
        answer = client.post(url, data)
        assert answer.status_code == 400, data
        assert 'role="alert"' in answer.content.decode()
    assert not Handover.objects.exists()


def test_another_units_officer_cannot_see_or_sign_the_record(
    client: Client, cast: Cast, post: Post
) -> None:
    record = outbound.dispatch_hand_over(
        unit=cast.unit, orders=_prepared(cast), worker=post.worker, officer=cast.receiving_officer
    )
    StaffRoleFactory(user=cast.outsider, role=Role.RECEIVING_OFFICER, agency=OneStopUnitFactory())
    client.force_login(cast.outsider)
    page = reverse("postal_staff:dispatch-record", args=[record.number])
    assert client.get(page).status_code == 404
    assert client.post(page, {"worker_on_paper": "1"}).status_code == 404
    pdf = reverse("postal_staff:dispatch-record-pdf", args=[record.number])
    assert client.get(pdf).status_code == 404
    assert Handover.objects.get().signed_at is None
    client.force_login(cast.specialist)
    assert client.get(page).status_code == 403


def test_the_record_page_costs_the_same_queries_for_more_packages(
    client: Client, cast: Cast, post: Post
) -> None:
    client.force_login(cast.receiving_officer)

    def count(n: int) -> int:
        record = outbound.dispatch_hand_over(
            unit=cast.unit,
            orders=_prepared(cast, n),
            worker=post.worker,
            officer=cast.receiving_officer,
        )
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("postal_staff:dispatch-record", args=[record.number]))
            assert page.status_code == 200
        return len(queries)

    assert count(2) == count(12)
