"""Refunds: their states, a refund left awaiting the gateway and the sweep that settles it,
refunds paid back outside a gateway that has no refund call."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict
from motcua.payments import services
from motcua.payments.gateways.base import GatewayError, RefundCheck, RefundOutcome
from motcua.payments.models import (
    Mismatch,
    Payment,
    PaymentLine,
    PaymentState,
    Receipt,
    Refund,
    RefundState,
)
from motcua.payments.reconciliation import reconcile, refunds_sweep
from motcua.payments.services import payment_refund
from motcua.staff.models import Role
from motcua.testing import Cast, StaffRoleFactory, UserFactory

from .gateway import FakeGateway
from .test_online import _paid_twice

pytestmark = pytest.mark.django_db
PAGE = "/can-bo/doi-soat/"


class Crash(BaseException):
    """The process dies (killed, out of memory): nothing after it runs."""


def _accountant(cast: Cast) -> Any:
    accountant = UserFactory(username="ketoan")
    StaffRoleFactory(user=accountant, role=Role.ACCOUNTANT, agency=cast.unit)
    return accountant


def _dies_after_the_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    """The gateway refunds, then the process dies before its answer is recorded."""
    asked = FakeGateway.refund

    def refund(self: FakeGateway, **kwargs: Any) -> Any:
        asked(self, **kwargs)
        raise Crash

    monkeypatch.setattr(FakeGateway, "refund", refund)


def _waiting_refund(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> tuple[Payment, Payment, Refund]:
    _dossier, first, second = _paid_twice(client, cast)
    _dies_after_the_gateway(monkeypatch)
    with pytest.raises(Crash):
        payment_refund(payment=second, actor=_accountant(cast), reason="Nộp trùng")
    refund = Refund.objects.get()
    second.refresh_from_db()
    # Between the two transactions: on record, waiting, its amount reserved; nothing else moved.
    assert (refund.state, refund.ok, refund.settled_at) == (RefundState.WAITING, False, None)
    assert (second.state, second.refunded_amount) == (PaymentState.PAID, 8000)
    assert AuditEntry.objects.filter(action="payment.refund_asked").count() == 1
    assert not AuditEntry.objects.filter(action="payment.refund").exists()
    return first, second, refund


def test_a_refund_the_gateway_made_before_the_process_died_is_settled_by_the_sweep(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, refund = _waiting_refund(client, cast, monkeypatch)
    assert FakeGateway.refunds[0]["reference"] == second.reference
    FakeGateway.refund_checks[second.reference] = RefundCheck(
        RefundOutcome.DONE, "R77", "05", "Refund in progress"
    )
    # Too early: a refund asked a minute ago may still be answered.
    assert refunds_sweep(now=timezone.now() + dt.timedelta(minutes=1))["asked"] == 0
    later = timezone.now() + dt.timedelta(minutes=6)
    counts = reconcile(now=later)
    assert counts["refunds_asked"] == 1
    refund.refresh_from_db()
    assert (refund.state, refund.gateway_transaction, refund.response_code) == (
        RefundState.DONE,
        "R77",
        "05",
    )
    assert (refund.settled_at, refund.checks) == (later, 1)
    second.refresh_from_db()
    assert (second.state, second.refunded_amount) == (PaymentState.REFUNDED, 8000)
    assert not PaymentLine.objects.filter(payment=second, settled=True).exists()
    assert PaymentLine.objects.filter(payment=first, settled=True).count() == 1
    assert Mismatch.objects.get().resolved_at == later
    entry = AuditEntry.objects.get(action="payment.refund")
    assert entry.actor_id is None and (entry.after or {})["state_of_refund"] == RefundState.DONE
    # Settled once: a late answer of the first call, or another sweep, changes nothing.
    again = services.refund_settle(refund=refund.pk, state=RefundState.REFUSED, actor=None)
    assert again.state == RefundState.DONE
    assert refunds_sweep(now=later + dt.timedelta(minutes=10))["asked"] == 0
    assert AuditEntry.objects.filter(action="payment.refund").count() == 1


def test_a_refund_the_gateway_never_made_is_refused_and_the_amount_given_back(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    _first, second, refund = _waiting_refund(client, cast, monkeypatch)
    FakeGateway.refund_checks[second.reference] = RefundCheck(
        RefundOutcome.REFUSED, "", "00", "No refund of this payment"
    )
    counts = refunds_sweep(now=timezone.now() + dt.timedelta(minutes=6))
    assert counts == {"asked": 1, "done": 0, "refused": 1}
    refund.refresh_from_db()
    assert refund.state == RefundState.REFUSED and not refund.ok
    second.refresh_from_db()
    assert (second.state, second.refunded_amount) == (PaymentState.PAID, 0)
    assert Mismatch.objects.get().resolved_at is None  # still to resolve: the money is there
    # The accountant may ask again; this time it goes through.
    monkeypatch.undo()
    accountant = Refund.objects.get().requested_by
    done = payment_refund(payment=second, actor=accountant, reason="Lại")
    assert done.state == RefundState.DONE
    assert Refund.objects.count() == 2


def test_an_unanswered_refund_waits_and_is_listed_until_the_gateway_can_tell(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dossier, _first, second = _paid_twice(client, cast)
    accountant = _accountant(cast)

    def timeout(self: FakeGateway, **kwargs: Any) -> Any:
        raise GatewayError("timeout", code="timeout", retry=True)

    monkeypatch.setattr(FakeGateway, "refund", timeout)
    with pytest.raises(Conflict) as refused:
        payment_refund(payment=second, actor=accountant, reason="Nộp trùng")
    assert refused.value.message == services.REFUND_UNANSWERED
    refund = Refund.objects.get()
    assert refund.state == RefundState.WAITING
    # The gateway cannot tell yet (or cannot be reached): it keeps waiting, asked each time.
    later = timezone.now() + dt.timedelta(minutes=6)
    assert refunds_sweep(now=later) == {"asked": 1, "done": 0, "refused": 0}
    FakeGateway.down = True
    assert refunds_sweep(now=later)["asked"] == 1
    refund.refresh_from_db()
    assert (refund.state, refund.checks) == (RefundState.WAITING, 2)
    staff = Client()
    staff.force_login(accountant)
    page = staff.get(PAGE).content.decode()  # in Vietnamese unless English was chosen
    assert f'data-refund="{refund.pk}"' in page and "Đang chờ cổng thanh toán trả lời" in page
    staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Awaiting the gateway&#x27;s answer" in staff.get(PAGE).content.decode()


def test_a_refund_the_gateway_cannot_tell_from_an_earlier_one_keeps_waiting(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dossier, _first, second = _paid_twice(client, cast)
    accountant = _accountant(cast)
    payment_refund(payment=second, actor=accountant, amount=3000, reason="Một phần")
    _dies_after_the_gateway(monkeypatch)
    with pytest.raises(Crash):
        payment_refund(payment=second, actor=accountant, reason="Phần còn lại")
    FakeGateway.refund_checks[second.reference] = RefundCheck(RefundOutcome.DONE, "R2", "05")
    assert refunds_sweep(now=timezone.now() + dt.timedelta(minutes=6))["done"] == 0
    assert Refund.objects.filter(state=RefundState.WAITING).count() == 1


def test_a_gateway_without_refunds_takes_only_a_refund_paid_back_outside(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dossier, _first, second = _paid_twice(client, cast)
    accountant = _accountant(cast)
    monkeypatch.setattr(FakeGateway, "can_refund", False)
    with pytest.raises(Conflict) as refused:
        payment_refund(payment=second, actor=accountant, reason="Nộp trùng")
    assert refused.value.message == services.REFUND_OUTSIDE_ONLY
    assert not Refund.objects.exists() and FakeGateway.refunds == []  # nothing written
    staff = Client()
    staff.force_login(accountant)
    page = staff.get(PAGE).content.decode()
    assert 'value="refund_outside"' in page and 'value="refund"' not in page
    mismatch = Mismatch.objects.get()
    done = staff.post(
        PAGE, {"mismatch": mismatch.pk, "do": "refund_outside", "resolution": "KBNN đã hoàn"}
    )
    assert done.status_code == 302
    refund = Refund.objects.get()
    assert (refund.state, refund.outside_gateway) == (RefundState.DONE, True)
    second.refresh_from_db()
    assert second.state == PaymentState.REFUNDED
    assert FakeGateway.refunds == []  # the gateway was never asked
    mismatch.refresh_from_db()
    assert mismatch.resolution == "Hoàn 8.000 đồng: KBNN đã hoàn"


def test_a_double_payment_gets_no_receipt_before_nor_after_its_refund(
    client: Client, cast: Cast
) -> None:
    dossier, first, second = _paid_twice(client, cast)
    assert list(Receipt.objects.values_list("payment_id", flat=True)) == [first.pk]
    page = client.get(reverse("applicants:dossier", args=[dossier.code])).content.decode()
    assert f'data-paid-twice="{second.reference}"' in page
    assert "không lập biên lai" in page and "Đang thực hiện hoàn trả." in page
    payment_refund(payment=second, actor=_accountant(cast), reason="Nộp trùng")
    assert list(Receipt.objects.values_list("payment_id", flat=True)) == [first.pk]
    page = client.get(reverse("applicants:dossier", args=[dossier.code])).content.decode()
    assert "Đã hoàn trả." in page
    assert page.count("/thanh-toan/bien-lai/") == 1  # the first payment's receipt only


def test_a_payment_the_worker_has_not_settled_yet_is_not_refunded(
    client: Client, cast: Cast
) -> None:
    _dossier, _first, second = _paid_twice(client, cast)
    Payment.objects.filter(pk=second.pk).update(settled_at=None)  # as if still queued
    with pytest.raises(Conflict):
        payment_refund(payment=second, actor=_accountant(cast), reason="Nộp trùng")
    assert not Refund.objects.exists()


def test_a_fee_paid_back_in_full_is_seen_by_the_next_statistics_refresh(
    client: Client, cast: Cast
) -> None:
    from django.db.models import F

    from motcua.dossiers.models import DossierEvent
    from motcua.statistics.models import Fact
    from motcua.statistics.services import statistics_refresh

    dossier, first, second = _paid_twice(client, cast)
    statistics_refresh()
    assert Fact.objects.get(dossier=dossier).paid_online_on is not None
    # The dossier's timeline is older than the refresh's overlap: only the refunds are new.
    DossierEvent.objects.filter(dossier=dossier).update(at=F("at") - dt.timedelta(days=1))
    accountant = _accountant(cast)
    payment_refund(payment=second, actor=accountant, reason="Nộp trùng")
    payment_refund(payment=first, actor=accountant, reason="Hồ sơ bị từ chối, hoàn phí")
    first.refresh_from_db()
    assert first.state == PaymentState.REFUNDED
    statistics_refresh()  # no dossier event was written: the refunds themselves are seen
    assert Fact.objects.get(dossier=dossier).paid_online_on is None
