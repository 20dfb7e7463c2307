"""Notifications received, pending payments and refunds asked about again, daily statements.

``notification_receive`` records a gateway's notification raw (committed on
its own) before acting on it, then answers with the gateway's own codes.
``pending_requery`` asks the gateway about pending payments (first
``PAYMENTS_FIRST_QUERY_MINUTES`` after checkout, then daily): a gateway's
"failed" may not be final. ``statement_import`` compares a day's statement
with our record and lists what does not match for an accountant.
``refunds_sweep`` asks the gateway about refunds still awaiting its answer
``PAYMENTS_REFUND_SWEEP_MINUTES`` after they were asked for, and settles them.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .gateways import UnknownGateway, enabled_codes
from .gateways.base import Answer, BadSignature, GatewayError, Outcome, RefundOutcome
from .models import (
    Mismatch,
    MismatchKind,
    Notification,
    Payment,
    PaymentState,
    Refund,
    RefundState,
    StatementImport,
)
from .selectors import confirmed_payment_id, pending_due, refunds_waiting, unsettled_due
from .services import gateway, payment_report, payment_settle, refund_settle

logger = logging.getLogger(__name__)
RAW_BODY_LIMIT = 10_000


def _raw(request: HttpRequest) -> dict[str, Any]:
    """Return the notification as received: its query, and its body (a multipart one's fields)."""
    raw: dict[str, Any] = {"query": {k: v for k, v in request.GET.items()}}
    if (request.content_type or "").startswith("multipart/"):
        raw["form"] = {k: v for k, v in request.POST.items()}
    else:
        body = request.body[:RAW_BODY_LIMIT].decode("utf-8", "replace")
        if body:
            raw["body"] = body
    return raw


def notification_receive(*, gateway_code: str, request: HttpRequest) -> HttpResponse:
    """Record, verify and act on a gateway's notification; return the gateway's answer.

    Bad signature -> ``INVALID_SIGNATURE``; unknown reference -> ``NOT_FOUND``;
    amount differs -> ``INVALID_AMOUNT``; already paid -> ``ALREADY_CONFIRMED``;
    acted on -> ``CONFIRMED``; anything else -> ``OTHER``. The notification is
    recorded as received (``Notification.raw``) with its answer, in the
    transaction that acts on it; if acting fails, it is recorded alone with
    ``OTHER`` (the gateway retries). A retry of a confirmed payment costs one
    unlocked read and one insert. Logged by gateway, reference and answer
    only (no personal data). ``UnknownGateway`` for a gateway not on offer.
    """
    adapter = gateway(gateway_code)
    now = timezone.now()
    record = Notification(
        gateway=gateway_code, received_at=now, http_method=request.method or "", raw=_raw(request)
    )
    answer: Answer | None = None
    reference = ""
    confirmed: int | None = None
    try:
        report = adapter.read_notification(request)
        reference = report.reference
        confirmed = confirmed_payment_id(
            gateway_code=gateway_code, reference=reference, amount=report.amount
        )
        if confirmed is not None:
            answer = Answer.ALREADY_CONFIRMED
    except BadSignature:
        answer = Answer.INVALID_SIGNATURE
    except Exception:  # an answer is owed whatever failed; the gateway will retry
        logger.exception("payment notification %s failed before it was recorded", gateway_code)
        answer = Answer.OTHER
    if answer is None:
        try:
            answer = payment_report(
                gateway_code=gateway_code, report=report, now=now, record=record
            )
        except Exception:  # an answer is owed whatever failed; the gateway will retry
            logger.exception("payment notification %s %s failed", gateway_code, reference)
            answer = Answer.OTHER
            record.pk, record.payment = None, None  # rolled back with the rest: record it alone
    if record.pk is None:
        if confirmed is not None:
            record.reference, record.payment_id = reference[:64], confirmed
        record.answer = answer
        record.save()
    logger.info("payment notification %s %s: %s", gateway_code, reference, answer)
    return adapter.answer(answer)


def unsettled_sweep(*, now: dt.datetime | None = None, older_than_minutes: int = 2) -> int:
    """Settle paid payments the payments worker has not settled (lost task, worker down).

    Returns how many it settled; each under its own lock (``payment_settle``).
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=older_than_minutes)
    settled = 0
    for pk in unsettled_due(cutoff):
        try:
            settled += payment_settle(pk, now=now)
        except Exception:  # one payment's trouble must not stop the others
            logger.exception("payment #%s: settlement failed", pk)
    return settled


def pending_requery(*, now: dt.datetime | None = None) -> int:
    """Ask the gateways about the pending payments due for it; return how many were asked.

    A paid answer settles the payment as a notification would; a failed or
    cancelled one records it; still pending (or the gateway unreachable),
    it is asked again a day later.
    """
    now = now or timezone.now()
    asked = 0
    for pk in pending_due(now):
        payment = Payment.objects.filter(pk=pk, state=PaymentState.PENDING).first()
        if payment is None:
            continue
        asked += 1
        outcome: Outcome | None = None
        try:
            report = gateway(payment.gateway).query(
                reference=payment.reference, created_at=payment.created_at, client_ip="127.0.0.1"
            )
        except (GatewayError, UnknownGateway) as exc:
            logger.warning("payment %s: query failed (%s)", payment.reference, exc)
        else:
            outcome = report.outcome
            if outcome != Outcome.PENDING:
                answer = payment_report(gateway_code=payment.gateway, report=report, now=now)
                if answer == Answer.INVALID_AMOUNT:
                    _mismatch(
                        MismatchKind.AMOUNT_DIFFERS,
                        payment.gateway,
                        payment.reference,
                        report.gateway_transaction,
                        payment=payment,
                        gateway_amount=report.amount,
                        now=now,
                    )
        Payment.objects.filter(pk=pk, state=PaymentState.PENDING).update(
            checks=payment.checks + 1, next_check_at=now + dt.timedelta(days=1)
        )
    return asked


def refunds_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Ask the gateways about refunds awaiting their answer for a while; settle what they say.

    A refund stays waiting when the process died between asking the gateway
    and recording its answer, or when the gateway did not answer. The
    gateway's record decides: a refund there is done; refused there, or no
    refund of the payment at all, it is refused (nothing was paid back, the
    reserved amount is given back). When the gateway cannot tell, or when
    another refund of the same payment is done already (its record cannot
    tell the two apart), the refund keeps waiting and is listed on the
    accountant's page. Returns how many were asked, done and refused.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.PAYMENTS_REFUND_SWEEP_MINUTES)
    counts = {"asked": 0, "done": 0, "refused": 0}
    for pk in refunds_waiting(asked_before=cutoff):
        refund = (
            Refund.objects.select_related("payment")
            .filter(pk=pk, state=RefundState.WAITING)
            .first()
        )
        if refund is None:
            continue
        payment = refund.payment
        counts["asked"] += 1
        Refund.objects.filter(pk=pk).update(checks=refund.checks + 1)
        try:
            check = gateway(payment.gateway).refund_query(
                reference=payment.reference, created_at=payment.created_at, client_ip="127.0.0.1"
            )
        except (GatewayError, UnknownGateway) as exc:
            logger.warning("refund %s: query failed (%s)", pk, exc)
            continue
        other_done = (
            Refund.objects.filter(payment=payment, state=RefundState.DONE, outside_gateway=False)
            .exclude(pk=pk)
            .exists()
        )
        if check.outcome == RefundOutcome.UNKNOWN or (
            check.outcome == RefundOutcome.DONE and other_done
        ):
            logger.info("refund %s: the gateway cannot tell yet (%s)", pk, check.response_code)
            continue
        state = RefundState.DONE if check.outcome == RefundOutcome.DONE else RefundState.REFUSED
        refund_settle(
            refund=pk,
            state=state,
            gateway_transaction=check.gateway_transaction,
            response_code=check.response_code,
            message=check.message,
            actor=None,
            now=now,
        )
        counts[str(state)] += 1
    return counts


def _mismatch(
    kind: MismatchKind,
    gateway_code: str,
    reference: str,
    transaction_id: str,
    *,
    payment: Payment | None,
    gateway_amount: int | None,
    now: dt.datetime,
    day: dt.date | None = None,
) -> bool:
    _row, created = Mismatch.objects.get_or_create(
        kind=kind,
        gateway=gateway_code,
        reference=reference[:64],
        gateway_transaction=transaction_id[:64],
        defaults={
            "payment": payment,
            "gateway_amount": gateway_amount,
            "our_amount": payment.amount if payment else None,
            "day": day,
            "found_at": now,
        },
    )
    return created


def statement_import(
    *, gateway_code: str, day: dt.date, now: dt.datetime | None = None
) -> list[Mismatch]:
    """Compare the gateway's statement of ``day`` with our record; return the new mismatches.

    Paid there but not here (unknown reference, or ours not paid), amount
    differs, paid twice (the same reference twice in the statement, or a
    payment of fees already paid). Importing a day again adds nothing new.
    """
    now = now or timezone.now()
    lines = gateway(gateway_code).statement(day)
    found: list[tuple[MismatchKind, str, str, Payment | None, int]] = []
    seen: dict[str, int] = {}
    payments = {
        p.reference: p
        for p in Payment.objects.filter(
            gateway=gateway_code, reference__in=[line.reference for line in lines]
        )
    }
    for line in lines:
        if line.kind != "payment" or line.outcome != Outcome.PAID:
            continue
        ours = payments.get(line.reference)
        seen[line.reference] = seen.get(line.reference, 0) + 1
        if ours is None:
            found.append(
                (MismatchKind.UNKNOWN, line.reference, line.gateway_transaction, None, line.amount)
            )
        elif line.amount != ours.amount:
            found.append(
                (
                    MismatchKind.AMOUNT_DIFFERS,
                    line.reference,
                    line.gateway_transaction,
                    ours,
                    line.amount,
                )
            )
        elif ours.state not in (PaymentState.PAID, PaymentState.REFUNDED):
            found.append(
                (
                    MismatchKind.PAID_NOT_HERE,
                    line.reference,
                    line.gateway_transaction,
                    ours,
                    line.amount,
                )
            )
        elif seen[line.reference] > 1 or ours.duplicate:
            found.append(
                (
                    MismatchKind.PAID_TWICE,
                    line.reference,
                    line.gateway_transaction,
                    ours,
                    line.amount,
                )
            )
    created = []
    for kind, reference, transaction_id, ours, amount in found:
        if _mismatch(
            kind,
            gateway_code,
            reference,
            transaction_id,
            payment=ours,
            gateway_amount=amount,
            now=now,
            day=day,
        ):
            created.append(
                Mismatch.objects.get(
                    kind=kind,
                    gateway=gateway_code,
                    reference=reference[:64],
                    gateway_transaction=transaction_id[:64],
                )
            )
    StatementImport.objects.update_or_create(
        gateway=gateway_code,
        day=day,
        defaults={"imported_at": now, "lines": len(lines), "mismatches": len(created)},
    )
    logger.info(
        "statement %s %s: %d lines, %d new mismatches", gateway_code, day, len(lines), len(created)
    )
    return created


def reconcile(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic job: re-query pending payments and refunds awaiting the gateway; import
    yesterday's statements once a day."""
    now = now or timezone.now()
    counts = {
        "settled": unsettled_sweep(now=now),
        "queried": pending_requery(now=now),
        "mismatches": 0,
    }
    refunds = refunds_sweep(now=now)
    if refunds["asked"]:
        counts["refunds_asked"] = refunds["asked"]
    yesterday = timezone.localdate(now) - dt.timedelta(days=1)
    for code in enabled_codes():
        if StatementImport.objects.filter(gateway=code, day=yesterday).exists():
            continue
        try:
            counts["mismatches"] += len(statement_import(gateway_code=code, day=yesterday, now=now))
        except (GatewayError, UnknownGateway) as exc:
            logger.warning("statement %s %s: %s", code, yesterday, exc)
    return counts
