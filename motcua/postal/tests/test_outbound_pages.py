"""The unit's pages for results by post: dispatch and failed deliveries; permissions, bad input."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.dossiers.models import Dossier, Status
from motcua.postal import outbound
from motcua.postal.models import Order, OrderState
from motcua.staff.models import Role
from motcua.testing import Cast, OneStopUnitFactory, StaffRoleFactory, cast_create

from .outbound_helpers import processed, processed_fast, set_state, tariff_add

pytestmark = pytest.mark.django_db
DISPATCH = "/can-bo/buu-chinh/gui/"
FAILED = "/can-bo/buu-chinh/khong-phat-duoc/"


@pytest.fixture
def cast(db: None) -> Cast:
    tariff_add()
    return cast_create()


@pytest.fixture
def officer(client: Client, cast: Cast) -> Client:
    client.force_login(cast.receiving_officer)
    return client


def test_the_addresses_are_the_ones_the_task_names() -> None:
    assert reverse("postal_staff:dispatch") == DISPATCH
    assert reverse("postal_staff:failed") == FAILED


def test_the_dispatch_page_lists_the_results_due_and_prepares_the_ticked_ones(
    officer: Client, cast: Cast
) -> None:
    due = processed_fast(cast, 3)

    page = officer.get(DISPATCH)

    assert page.status_code == 200
    html = page.content.decode()
    for dossier in due:
        assert f'value="{dossier.code}"' in html
    assert 'data-select-all="dossiers"' in html
    answer = officer.post(
        DISPATCH,
        {"unit": cast.unit.pk, "dossiers": [due[0].code, due[1].code]},
        follow=True,
    )
    assert answer.status_code == 200
    assert set(Order.objects.values_list("dossier_id", flat=True)) == {due[0].pk, due[1].pk}
    html = answer.content.decode()
    assert "2 kết quả đã chuẩn bị gửi bưu chính" in html
    assert f'value="{due[0].code}"' not in html  # now waiting for the post, not due
    assert f"{due[0].code}-BP1" in html


def test_dispatching_again_or_a_dossier_not_ready_says_why(officer: Client, cast: Cast) -> None:
    [dossier] = processed_fast(cast, 1)
    officer.post(DISPATCH, {"unit": cast.unit.pk, "dossiers": [dossier.code]})

    answer = officer.post(
        DISPATCH, {"unit": cast.unit.pk, "dossiers": [dossier.code, "KHONG-CO"]}, follow=True
    )

    html = answer.content.decode()
    assert f"{dossier.code}: Kết quả này đã được giao bưu chính để chuyển phát." in html
    assert "KHONG-CO: Không có hồ sơ nào mang mã này." in html
    assert Order.objects.count() == 1


def test_nothing_ticked_is_bad_input(officer: Client, cast: Cast) -> None:
    answer = officer.post(DISPATCH, {"unit": cast.unit.pk})
    assert answer.status_code == 400
    assert 'role="alert"' in answer.content.decode()


@pytest.mark.parametrize(
    ("query", "status"),
    [({"until": "31/02/2026"}, 400), ({"until": "ngày mai"}, 400), ({"unit": "abc"}, 400)],
)
def test_bad_filters_are_refused_with_a_message(
    officer: Client, query: dict[str, str], status: int
) -> None:
    answer = officer.get(DISPATCH, query)
    assert answer.status_code == status
    assert 'role="alert"' in answer.content.decode()


def test_a_later_appointment_date_can_be_chosen(officer: Client, cast: Cast) -> None:
    import datetime as dt

    from django.utils import timezone

    [later] = processed_fast(cast, 1, due_at=timezone.now() + dt.timedelta(days=2))
    assert later.code not in officer.get(DISPATCH).content.decode()
    day = (timezone.localdate() + dt.timedelta(days=2)).strftime("%d/%m/%Y")
    assert later.code in officer.get(DISPATCH, {"until": day}).content.decode()


def test_another_units_officer_sees_and_dispatches_nothing_of_the_unit(
    client: Client, cast: Cast
) -> None:
    [dossier] = processed_fast(cast, 1)
    client.force_login(cast.outsider)  # a receiving officer elsewhere, of no one-stop unit
    assert client.get(DISPATCH).status_code == 403
    other = OneStopUnitFactory()
    StaffRoleFactory(user=cast.outsider, role=Role.RECEIVING_OFFICER, agency=other)
    client.force_login(cast.outsider)
    assert dossier.code not in client.get(DISPATCH).content.decode()
    assert client.get(DISPATCH, {"unit": cast.unit.pk}).status_code == 403
    assert (
        client.post(DISPATCH, {"unit": cast.unit.pk, "dossiers": [dossier.code]}).status_code == 403
    )
    answer = client.post(DISPATCH, {"unit": other.pk, "dossiers": [dossier.code]}, follow=True)
    assert "Hồ sơ này không do Bộ phận Một cửa này tiếp nhận." in answer.content.decode()
    assert not Order.objects.exists()


def test_staff_without_the_role_and_visitors_are_kept_out(client: Client, cast: Cast) -> None:
    answer = client.get(DISPATCH)
    assert answer.status_code == 302 and "/can-bo/dang-nhap/" in answer["Location"]
    client.force_login(cast.specialist)
    assert client.get(DISPATCH).status_code == 403
    assert client.get(FAILED).status_code == 403


def test_the_dispatch_page_costs_the_same_queries_for_more_results(
    officer: Client, cast: Cast
) -> None:
    processed_fast(cast, 2)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert officer.get(DISPATCH).status_code == 200
        return len(queries)

    few = count()
    [first, *_] = processed_fast(cast, 15)
    outbound.dispatch_prepare(unit=cast.unit, dossiers=[first.code], officer=cast.receiving_officer)
    assert count() == few


def _failed(cast: Cast) -> Order:
    dossier = processed(cast)
    [order] = outbound.dispatch_prepare(
        unit=cast.unit, dossiers=[dossier.code], officer=cast.receiving_officer
    ).orders
    return set_state(order, OrderState.FAILED, failure_reason="Không liên lạc được người nhận")


def test_a_failed_delivery_is_received_back_then_re_sent_from_the_page(
    officer: Client, cast: Cast
) -> None:
    order = _failed(cast)
    page = officer.get(FAILED).content.decode()
    assert order.number in page and "Không liên lạc được người nhận" in page

    back = officer.post(
        reverse("postal_staff:received-back", args=[order.number]),
        {"unit": cast.unit.pk},
        follow=True,
    )
    assert back.status_code == 200
    assert Order.objects.get(pk=order.pk).state == OrderState.RETURNED
    assert 'data-action="resend"' in back.content.decode()

    bad = officer.post(
        reverse("postal_staff:resend", args=[order.number]),
        {"unit": cast.unit.pk, "person_name": "An", "phone": "0912", "address": " "},
    )
    assert bad.status_code == 400
    assert "Nhập địa chỉ nhận." in bad.content.decode()
    assert not Order.objects.filter(previous=order).exists()

    done = officer.post(
        reverse("postal_staff:resend", args=[order.number]),
        {"unit": cast.unit.pk, "person_name": "An", "phone": "0912", "address": "Số 9 Hùng Vương"},
        follow=True,
    )
    assert done.status_code == 200
    resent = Order.objects.get(previous=order)
    assert resent.address == "Số 9 Hùng Vương"
    assert f'data-order="{order.number}"' not in done.content.decode()  # decided


def test_a_failed_delivery_is_handed_over_at_the_counter_from_the_page(
    officer: Client, cast: Cast
) -> None:
    order = _failed(cast)
    officer.post(reverse("postal_staff:received-back", args=[order.number]), {"unit": cast.unit.pk})

    done = officer.post(
        reverse("postal_staff:counter", args=[order.number]),
        {"unit": cast.unit.pk, "to_whom": "Nguyễn Văn An"},
        follow=True,
    )

    assert done.status_code == 200
    assert Dossier.objects.get(postal_orders=order).status == Status.RESULT_RETURNED
    assert "Không có lần chuyển phát không thành công nào chờ xử lý." in done.content.decode()


def test_order_actions_refuse_other_units_unknown_orders_and_wrong_states(
    client: Client, cast: Cast
) -> None:
    order = _failed(cast)
    client.force_login(cast.receiving_officer)
    url = reverse("postal_staff:counter", args=[order.number])
    # Not back yet: a conflict, shown on the list.
    answer = client.post(url, {"unit": cast.unit.pk, "to_whom": "An"})
    assert answer.status_code == 409
    assert "Ghi nhận trước rằng kết quả đã về lại đơn vị." in answer.content.decode()
    unknown = reverse("postal_staff:received-back", args=["KHONG-CO"])
    assert client.post(unknown, {"unit": cast.unit.pk}).status_code == 404
    assert client.post(reverse("postal_staff:resend", args=[order.number])).status_code == 409
    assert client.get(reverse("postal_staff:resend", args=[order.number])).status_code == 405
    other = OneStopUnitFactory()
    StaffRoleFactory(user=cast.outsider, role=Role.RECEIVING_OFFICER, agency=other)
    client.force_login(cast.outsider)
    back = reverse("postal_staff:received-back", args=[order.number])
    assert client.post(back, {"unit": cast.unit.pk}).status_code == 403
    assert client.post(back, {"unit": other.pk}).status_code == 404
    assert Order.objects.get(pk=order.pk).state == OrderState.FAILED


def test_prepare_all_takes_every_result_due_listed_or_not(
    officer: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.postal import outbound_selectors

    due = processed_fast(cast, 5)
    monkeypatch.setattr(outbound_selectors, "MAX_ROWS", 3)  # the page lists 3 of the 5
    html = officer.get(DISPATCH).content.decode()
    assert html.count('name="dossiers"') == 3
    assert "5 kết quả đến hạn gửi qua bưu chính" in html

    answer = officer.post(DISPATCH, {"unit": cast.unit.pk, "do": "all"}, follow=True)

    assert answer.status_code == 200
    assert set(Order.objects.values_list("dossier_id", flat=True)) == {d.pk for d in due}
