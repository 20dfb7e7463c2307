"""Remittances recorded at once (PostgreSQL): together they never pass what the post owes."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from motcua.core.errors import DomainError
from motcua.postal import money
from motcua.postal.models import OrderState, Remittance
from motcua.staff.models import Role
from motcua.testing import (
    OneStopUnitFactory,
    PostalOrderFactory,
    PostalUnitFactory,
    StaffRoleFactory,
    UserFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_four_remittances_at_once_are_held_to_what_the_post_owes() -> None:
    unit = OneStopUnitFactory()
    post = PostalUnitFactory(serves=[unit])
    accountant = UserFactory(username="ke-toan")
    StaffRoleFactory(user=accountant, role=Role.ACCOUNTANT, agency=unit)
    PostalOrderFactory(
        unit=unit,
        postal_unit=post,
        state=OrderState.COLLECTED,
        collected_at=timezone.now(),
        fees_collected=100_000,
    )
    today = timezone.localdate()
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def record(n: int) -> None:
        try:
            barrier.wait()
            money.remittance_record(
                actor=accountant,
                postal_unit=post.pk,
                unit=unit.pk,
                amount=40_000,
                paid_on=today - dt.timedelta(days=n),
                bank_reference=f"FT{n}",
            )
            outcomes.append("recorded")
        except DomainError as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ValidationFailed", "ValidationFailed", "recorded", "recorded"]
    assert Remittance.objects.count() == 2
    assert money.owed_now(postal_unit=post.pk, unit=unit.pk) == 20_000
