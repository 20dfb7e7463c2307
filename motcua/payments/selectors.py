"""Reads of fees and payments: what a dossier owes now, what its applicant can pay, receipts.

This module reads only ``dossiers`` and this app's models: the workflow asks
it what is unpaid when it requests fees, so it must not import the workflow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from motcua.catalog.models import FeeDue
from motcua.dossiers.models import Dossier, DossierEvent, DossierFee, DossierState

from .gateways import UnknownGateway, enabled_codes, gateway
from .gateways.base import GatewayError
from .models import (
    Method,
    Mismatch,
    Payment,
    PaymentLine,
    PaymentState,
    Receipt,
    Refund,
    RefundState,
)

# Which fee lines are due when: "before" (thu trước) from acceptance on, processing waits
# for them; "after" (thu sau) once processed, the result waits for them.
BEFORE: tuple[str, ...] = (FeeDue.BEFORE,)
BEFORE_AND_AFTER: tuple[str, ...] = (FeeDue.BEFORE, FeeDue.AFTER)


def dues_at(state: str, *, before_request: str | None = None) -> tuple[str, ...]:
    """Return the kinds of fee due (``FeeDue``) of a dossier in ``state``.

    A dossier waiting for payment owes what it owed in the state it was asked
    from (``before_request``).
    """
    if state == DossierState.PAYMENT_REQUESTED:
        state = before_request or DossierState.ACCEPTED
    if state in (DossierState.PROCESSED, DossierState.RESULT_RETURNED):
        return BEFORE_AND_AFTER
    return BEFORE


def requested_from(dossier_id: int) -> str:
    """Return the state a dossier waiting for payment was asked from (one query)."""
    last = (
        DossierEvent.objects.filter(dossier_id=dossier_id, to_state=DossierState.PAYMENT_REQUESTED)
        .exclude(from_state=DossierState.PAYMENT_REQUESTED)
        .order_by("-at", "-id")
        .values_list("from_state", flat=True)
        .first()
    )
    return last or DossierState.ACCEPTED


def settled_codes(dossier_ids: Iterable[int]) -> set[tuple[int, str]]:
    """Return the (dossier id, fee code) pairs a payment settled (and no refund undid)."""
    return set(
        PaymentLine.objects.filter(dossier_id__in=list(dossier_ids), settled=True).values_list(
            "dossier_id", "fee_code"
        )
    )


def fees_unpaid(*, dossier_id: int, dues: Sequence[str]) -> list[DossierFee]:
    """Return the dossier's fee lines of kinds ``dues`` with an amount (or none yet) not paid.

    Lines of 0 đồng (exempt, waived) are not owed. A line whose amount is
    None is still to be counted: it is returned, so callers can refuse.
    """
    settled = PaymentLine.objects.filter(
        dossier_id=OuterRef("dossier_id"), fee_code=OuterRef("code"), settled=True
    )
    lines = (
        DossierFee.objects.filter(dossier_id=dossier_id, due__in=list(dues))
        .filter(Q(amount__gt=0) | Q(amount__isnull=True))
        .exclude(Exists(settled))
    )
    return list(lines.order_by("order", "id"))  # one query


@dataclass(frozen=True)
class FeeRow:
    """A fee line as the applicant and the officer see it."""

    code: str
    kind: str
    kind_label: str
    name: str
    amount: int | None
    rule_text: str
    exemption_text: str
    due: str
    due_label: str
    paid: bool


@dataclass(frozen=True)
class DossierFees:
    """A dossier's fee lines, what is owed now, and the receipts of its payments."""

    rows: list[FeeRow]
    owed: int
    owed_now: bool  # the dossier waits for payment
    unknown: bool  # a line is still to be counted
    receipts: list[Receipt] = field(default_factory=list)
    pending: list[Payment] = field(default_factory=list)
    # Payments of fees another payment had settled: no receipt (not a fee), refunded in full.
    paid_twice: list[Payment] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.amount or 0 for r in self.rows)


def dossier_fees(dossier: Dossier) -> DossierFees:
    """Return the fee lines of ``dossier`` with what is paid and owed (four queries)."""
    paid = {code for _d, code in settled_codes([dossier.pk])}
    fees = list(DossierFee.objects.filter(dossier_id=dossier.pk).order_by("order", "id"))
    rows = [
        FeeRow(
            code=f.code,
            kind=f.kind,
            kind_label=f.get_kind_display(),
            name=f.name,
            amount=f.amount,
            rule_text=f.rule_text,
            exemption_text=f.exemption_text,
            due=f.due,
            due_label=f.get_due_display(),
            paid=f.code in paid,
        )
        for f in fees
    ]
    waiting = dossier.state == DossierState.PAYMENT_REQUESTED
    dues = dues_at(dossier.state, before_request=requested_from(dossier.pk) if waiting else None)
    owed_rows = [r for r in rows if r.due in dues and not r.paid and (r.amount is None or r.amount)]
    receipts = dossier_receipts(dossier.pk)
    waiting_or_twice = list(
        Payment.objects.filter(lines__dossier_id=dossier.pk)
        .filter(Q(state=PaymentState.PENDING) | Q(duplicate=True))
        .distinct()
        .order_by("-created_at")
    )
    return DossierFees(
        rows=rows,
        owed=sum(r.amount or 0 for r in owed_rows),
        owed_now=waiting,
        unknown=any(r.amount is None for r in owed_rows),
        receipts=receipts,
        pending=[p for p in waiting_or_twice if p.state == PaymentState.PENDING],
        paid_twice=[p for p in waiting_or_twice if p.duplicate],
    )


@dataclass(frozen=True)
class Payable:
    """A dossier of the applicant waiting for payment, and what it owes."""

    dossier: Dossier
    lines: list[DossierFee]

    @property
    def amount(self) -> int:
        return sum(line.amount or 0 for line in self.lines)

    @property
    def counted(self) -> bool:
        return all(line.amount is not None for line in self.lines)


def dossier_receipts(dossier_id: int) -> list[Receipt]:
    """Return the receipts of the payments of a dossier's fees, oldest first (one query)."""
    return list(
        Receipt.objects.filter(payment__lines__dossier_id=dossier_id)
        .select_related("payment")
        .distinct()
        .order_by("issued_at", "id")
    )


def payable_dossiers(id_number: str) -> list[Payable]:
    """Return the applicant's dossiers waiting for payment with their unpaid lines.

    Three queries whatever the number of dossiers: the dossiers, the states they
    were asked from, and the unpaid lines of all of them (filtered here by each
    dossier's kinds due).
    """
    dossiers = list(
        Dossier.objects.filter(applicant_id_number=id_number, state=DossierState.PAYMENT_REQUESTED)
        .select_related("procedure_version", "receiving_unit")
        .order_by("-received_at", "-id")
    )
    if not dossiers:
        return []
    ids = [d.pk for d in dossiers]
    asked_from: dict[int, str] = {}
    for dossier_id, from_state in (
        DossierEvent.objects.filter(dossier_id__in=ids, to_state=DossierState.PAYMENT_REQUESTED)
        .exclude(from_state=DossierState.PAYMENT_REQUESTED)
        .order_by("dossier_id", "-at", "-id")
        .values_list("dossier_id", "from_state")
    ):
        asked_from.setdefault(dossier_id, from_state or DossierState.ACCEPTED)
    settled = PaymentLine.objects.filter(
        dossier_id=OuterRef("dossier_id"), fee_code=OuterRef("code"), settled=True
    )
    unpaid: dict[int, list[DossierFee]] = {}
    for line in (
        DossierFee.objects.filter(dossier_id__in=ids, due__in=list(BEFORE_AND_AFTER))
        .filter(Q(amount__gt=0) | Q(amount__isnull=True))
        .exclude(Exists(settled))
        .order_by("dossier_id", "order", "id")
    ):
        unpaid.setdefault(line.dossier_id, []).append(line)
    out = []
    for dossier in dossiers:
        dues = dues_at(dossier.state, before_request=asked_from.get(dossier.pk))
        lines = [f for f in unpaid.get(dossier.pk, []) if f.due in dues]
        if lines:
            out.append(Payable(dossier, lines))
    return out


def payer_payment(*, reference: str, id_number: str) -> Payment | None:
    """Return the payment ``reference`` if ``id_number`` paid it, else None."""
    return (
        Payment.objects.filter(reference=reference, payer_id_number=id_number)
        .select_related("collecting_agency")
        .first()
    )


def payment_dossiers(payment: Payment) -> QuerySet[Dossier]:
    """Return the dossiers a payment covers."""
    return Dossier.objects.filter(payment_lines__payment=payment).distinct().order_by("code")


def pending_due(now: dt.datetime, *, limit: int = 200) -> list[int]:
    """Return the ids of pending online payments whose next query to the gateway is due."""
    return list(
        Payment.objects.filter(state=PaymentState.PENDING, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:limit]
    )


def refunds_waiting(*, asked_before: dt.datetime, limit: int = 200) -> list[int]:
    """Return the ids of refunds asked of a gateway before ``asked_before`` still waiting for it."""
    return list(
        Refund.objects.filter(state=RefundState.WAITING, at__lte=asked_before)
        .order_by("at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def confirmed_payment_id(*, gateway_code: str, reference: str, amount: int) -> int | None:
    """Return the id of the payment a report only repeats (one read, no lock), else None.

    A paid or refunded payment of ``gateway_code`` with this reference and
    amount: a gateway's retry, answered "already confirmed" without a
    transaction. Paid is final (refunded only follows it) and the amount
    never changes, so the read needs no lock; anything else (unknown, another
    amount, still pending) is decided under the payment's lock
    (``services.payment_report``).
    """
    return (
        Payment.objects.filter(
            reference=reference,
            gateway=gateway_code,
            amount=amount,
            state__in=(PaymentState.PAID, PaymentState.REFUNDED),
        )
        .values_list("pk", flat=True)
        .first()
    )


def unsettled_due(cutoff: dt.datetime, limit: int = 500) -> list[int]:
    """Ids of paid payments confirmed before ``cutoff`` and not settled yet (oldest first)."""
    return list(
        Payment.objects.filter(state=PaymentState.PAID, settled_at__isnull=True, paid_at__lt=cutoff)
        .order_by("paid_at")
        .values_list("pk", flat=True)[:limit]
    )


@dataclass(frozen=True)
class OpenMismatch:
    """A mismatch to resolve, and how its payment can be refunded (if it can be now)."""

    mismatch: Mismatch
    refund: str  # "gateway", "outside" (the gateway has no refund call) or "" (not refundable)


def refundable_through(payment: Payment | None) -> str:
    """Return how a paid ``payment`` is refunded: "gateway", "outside", or "" if it is not paid."""
    if payment is None or payment.state != PaymentState.PAID:
        return ""
    if payment.method != Method.ONLINE:
        return "outside"
    if payment.gateway not in enabled_codes():
        return "outside"
    try:
        through = gateway(payment.gateway).can_refund
    except (UnknownGateway, GatewayError, ImportError):
        return "outside"
    return "gateway" if through else "outside"


def open_mismatches() -> list[OpenMismatch]:
    """Return the mismatches to resolve, oldest found last, with how each could be refunded."""
    rows = Mismatch.objects.filter(resolved_at__isnull=True).select_related("payment")
    return [OpenMismatch(m, refundable_through(m.payment)) for m in rows]


def refunds_awaiting() -> list[Refund]:
    """Return the refunds still awaiting their gateway's answer, oldest first."""
    return list(
        Refund.objects.filter(state=RefundState.WAITING)
        .select_related("payment")
        .order_by("at", "id")
    )
