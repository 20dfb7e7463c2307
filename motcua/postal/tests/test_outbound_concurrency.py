"""Two officers dispatching the same results at once, on PostgreSQL: one delivery each result."""

from __future__ import annotations

from functools import partial

import pytest
from django.contrib.auth import get_user_model

from motcua.postal import outbound
from motcua.postal.models import Order, OrderState
from motcua.staff.models import Role
from motcua.testing import StaffRoleFactory, UserFactory, cast_create
from motcua.workflow.tests.test_concurrency import race

from .outbound_helpers import processed_fast, set_state, tariff_add

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_officers_dispatching_at_once_make_one_order_per_result() -> None:
    tariff_add()
    cast = cast_create()
    StaffRoleFactory(
        user=UserFactory(username="thu"), role=Role.RECEIVING_OFFICER, agency=cast.unit
    )
    codes = [d.code for d in processed_fast(cast, 20)]
    officers = [get_user_model().objects.get(username=name) for name in ("binh", "thu")]

    done, conflicts, errors = race(
        [
            partial(outbound.dispatch_prepare, unit=cast.unit, dossiers=codes, officer=officer)
            for officer in officers
        ]
    )

    assert (done, conflicts, errors) == (2, [], [])
    assert Order.objects.count() == 20
    assert Order.objects.values("dossier").distinct().count() == 20


def test_two_officers_re_sending_at_once_make_one_new_order() -> None:
    tariff_add()
    cast = cast_create()
    StaffRoleFactory(
        user=UserFactory(username="thu"), role=Role.RECEIVING_OFFICER, agency=cast.unit
    )
    [dossier] = processed_fast(cast, 1)
    [order] = outbound.dispatch_prepare(
        unit=cast.unit, dossiers=[dossier.code], officer=cast.receiving_officer
    ).orders
    set_state(order, OrderState.RETURNED)
    officers = [get_user_model().objects.get(username=name) for name in ("binh", "thu")]

    done, conflicts, errors = race(
        [partial(outbound.order_resend, order=order.pk, officer=officer) for officer in officers]
    )

    assert (done, errors) == (1, [])
    assert [c.message for c in conflicts] == [outbound.ALREADY_RESENT]
    assert Order.objects.filter(previous=order).count() == 1
