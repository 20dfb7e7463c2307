"""Writes of payments: checkout, the gateway's confirmation, the counter, receipts, refunds.

Every change runs in ``transaction.atomic`` with its audit entry. A payment
row is locked (``select_for_update``) before it changes, and the dossiers it
pays for are locked in id order before their fee lines are settled, so a
payment confirmed twice (two notifications at once, a notification and a
query) settles once, moves each dossier once and issues one receipt. The
workflow moves a paid dossier (``workflow.services.payment``), never this
module directly.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import audit_record, snapshot
from motcua.catalog.templatetags.fee_tags import vnd_number
from motcua.core.counters import counter_next
from motcua.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from motcua.core.names import person_name
from motcua.dossiers.models import Dossier, DossierState
from motcua.staff.models import Role
from motcua.staff.selectors import user_agency_roles
from motcua.workflow import rules
from motcua.workflow.services._base import Actor, acting, label
from motcua.workflow.services.payment import (
    FEES_UNCOUNTED,
    fees_paid,
    locked_dossier_fees_paid_online,
)

from .gateways import UnknownGateway
from .gateways import gateway as gateway_of
from .gateways.base import (
    Answer,
    Bill,
    CheckoutRequest,
    FeeLine,
    Gateway,
    GatewayError,
    Outcome,
    Payer,
    Report,
)
from .models import (
    DEFAULT_FORM_SYMBOL,
    DEFAULT_SERIES_LETTERS,
    Collector,
    Method,
    Mismatch,
    MismatchKind,
    Notification,
    Payment,
    PaymentLine,
    PaymentState,
    Receipt,
    ReceiptSequence,
    Refund,
    RefundState,
    receipt_series,
)
from .selectors import dues_at, fees_unpaid, requested_from

logger = logging.getLogger(__name__)

CHOOSE_DOSSIERS = _("Choose at least one dossier to pay for.")
NOT_PAYABLE = _("This dossier is not waiting for payment, or is not yours.")
ONE_AGENCY = _(
    "Dossiers received by different one-stop units are paid separately: choose those of one unit."
)
UNKNOWN_GATEWAY = _("Choose one of the payment channels on offer.")
GATEWAY_DOWN = _("The payment channel could not be reached. Please try again in a few minutes.")
ALREADY_PAID = _("The fees of this dossier are already paid: a refund must be recorded first.")
CHOOSE_METHOD = _("Choose cash or bank transfer.")
RECEIPT_NUMBER_REQUIRED = _("Give the number of the receipt handed to the payer.")
NOT_ACCOUNTANT = _("Only an accountant of the collecting agency may do this.")
REFUND_NOT_PAID = _("Only a paid payment can be refunded.")
REFUND_NOT_SETTLED = _(
    "This payment is still being recorded (receipt, dossiers): try again in a minute."
)
REFUND_TOO_MUCH = _("The refund is more than what is left of the payment.")
REFUND_REFUSED = _("The gateway refused the refund: {message}")
REFUND_OUTSIDE_ONLY = _(
    "This payment channel has no refund call: have the treasury or the bank pay the money back, "
    "then record that refund."
)
REFUND_UNANSWERED = _(
    "The payment channel did not answer. The refund is on record as awaiting its answer: it "
    "will be asked again within minutes and settled then. Do not ask for it again."
)
ALREADY_RESOLVED = _("This mismatch is already resolved.")
REFERENCE_LETTERS = string.ascii_uppercase + string.digits
COUNTER_METHODS = (Method.CASH, Method.TRANSFER)


def gateway(code: str) -> Gateway:
    """Return the adapter of the gateway ``code``; ``UnknownGateway`` when not on offer or when
    its adapter cannot be imported (a configuration error, logged)."""
    try:
        return gateway_of(code)
    except ImportError:
        logger.exception("payment gateway %s: its adapter cannot be imported", code)
        raise UnknownGateway(code) from None


def new_reference(now: dt.datetime) -> str:
    """Return a new reference of ours: ``MC`` + yymmdd + 10 random letters and digits (18)."""
    day = timezone.localtime(now).strftime("%y%m%d")
    tail = "".join(secrets.choice(REFERENCE_LETTERS) for _i in range(10))
    return f"MC{day}{tail}"


def _lock_dossiers(ids: Sequence[int]) -> list[Dossier]:
    """Lock dossiers in id order (two payments of overlapping baskets cannot deadlock)."""
    return list(
        Dossier.objects.filter(pk__in=list(ids))
        .select_for_update(of=("self",))
        .select_related("procedure_version", "receiving_unit", "message_preference")
        .order_by("pk")
    )


def _payment_lines(payment: Payment, dossiers: Sequence[Dossier]) -> list[PaymentLine]:
    """Return the (unsaved) lines of ``payment``: each dossier's unpaid fees owed now."""
    lines = []
    for dossier in dossiers:
        before = (
            requested_from(dossier.pk) if dossier.state == DossierState.PAYMENT_REQUESTED else None
        )
        owed = fees_unpaid(
            dossier_id=dossier.pk, dues=dues_at(dossier.state, before_request=before)
        )
        if any(f.amount is None for f in owed):
            raise Conflict(FEES_UNCOUNTED)
        lines += [
            PaymentLine(
                payment=payment,
                dossier=dossier,
                fee_code=f.code,
                kind=f.kind,
                name=f.name,
                amount=f.amount or 0,
                rule_text=f.rule_text[:500],
            )
            for f in owed
        ]
    return lines


@dataclass(frozen=True)
class Started:
    payment: Payment
    redirect_url: str


def payment_start(
    *,
    payer_id_number: str,
    payer_name: str,
    dossier_codes: Sequence[str],
    gateway_code: str,
    client_ip: str,
    return_url: str,
    ipn_url: str,
    now: dt.datetime | None = None,
) -> Started:
    """Start an online payment of the fees of one or several of the payer's dossiers.

    The dossiers must be the payer's, wait for payment, and have been
    received by the same one-stop unit (it collects the fees and issues the
    receipt). The payment is recorded (not paid) and committed before the
    gateway is asked, so a notification never finds it missing; then it is
    pending, with its first query to the gateway due in
    ``PAYMENTS_FIRST_QUERY_MINUTES``. Locks the dossiers (id order).
    """
    now = now or timezone.now()
    codes = sorted({c.strip() for c in dossier_codes if c and c.strip()})
    if not codes:
        raise ValidationFailed(CHOOSE_DOSSIERS, field_errors={"dossiers": [CHOOSE_DOSSIERS]})
    try:
        adapter = gateway(gateway_code)
    except UnknownGateway:
        raise ValidationFailed(
            UNKNOWN_GATEWAY, field_errors={"gateway": [UNKNOWN_GATEWAY]}
        ) from None
    with transaction.atomic():
        ids = list(
            Dossier.objects.filter(code__in=codes, applicant_id_number=payer_id_number).values_list(
                "pk", flat=True
            )
        )
        dossiers = _lock_dossiers(ids)
        if len(dossiers) != len(codes) or any(
            d.state != DossierState.PAYMENT_REQUESTED for d in dossiers
        ):
            raise Conflict(NOT_PAYABLE)
        if len({d.receiving_unit_id for d in dossiers}) != 1:
            raise ValidationFailed(ONE_AGENCY, field_errors={"dossiers": [ONE_AGENCY]})
        first = dossiers[0]
        payment = Payment(
            reference=new_reference(now),
            method=Method.ONLINE,
            gateway=gateway_code,
            state=PaymentState.NOT_PAID,
            amount=0,
            collecting_agency_id=first.receiving_unit_id,
            payer_name=payer_name or first.applicant_name,
            payer_id_number=payer_id_number,
            payer_address=first.applicant_address,
            client_ip=client_ip or None,
            created_at=now,
            expires_at=now + dt.timedelta(minutes=settings.PAYMENTS_CHECKOUT_MINUTES),
        )
        lines = _payment_lines(payment, dossiers)
        payment.amount = sum(line.amount for line in lines)
        if not payment.amount:
            raise Conflict(NOT_PAYABLE)
        payment.save()
        PaymentLine.objects.bulk_create(lines)
        audit_record(
            action="payment.start",
            target=payment,
            after=snapshot(payment, ["reference", "gateway", "amount", "state"]),
            note=", ".join(d.code for d in dossiers),
            at=now,
        )
    request = CheckoutRequest(
        reference=payment.reference,
        amount=payment.amount,
        description=f"Thanh toan phi, le phi ho so {' '.join(d.code for d in dossiers)}"[:255],
        return_url=return_url,
        ipn_url=ipn_url,
        client_ip=client_ip or "127.0.0.1",
        created_at=now,
        expires_at=payment.expires_at or now,
        payer=Payer(
            name=payment.payer_name,
            identification=payer_id_number,
            address=payment.payer_address,
        ),
        bills=[_bill(d, [line for line in lines if line.dossier_id == d.pk]) for d in dossiers],
    )
    try:
        checkout = adapter.checkout(request)
    except GatewayError as exc:
        logger.warning("payment %s: checkout refused (%s)", payment.reference, exc.code)
        with transaction.atomic():
            Payment.objects.filter(pk=payment.pk, state=PaymentState.NOT_PAID).update(
                state=PaymentState.FAILED, gateway_response=exc.code[:20]
            )
            audit_record(action="payment.checkout_failed", target=payment, note=exc.code, at=now)
        raise Conflict(GATEWAY_DOWN) from exc
    first_query = now + dt.timedelta(minutes=settings.PAYMENTS_FIRST_QUERY_MINUTES)
    Payment.objects.filter(pk=payment.pk, state=PaymentState.NOT_PAID).update(
        state=PaymentState.PENDING,
        gateway_transaction=checkout.gateway_reference[:64],
        next_check_at=first_query,
    )
    payment.refresh_from_db()
    return Started(payment, checkout.redirect_url)


def _bill(dossier: Dossier, lines: Sequence[PaymentLine]) -> Bill:
    version = dossier.procedure_version
    return Bill(
        dossier_code=dossier.code,
        procedure_code=getattr(version, "code", "") or str(dossier.procedure_id),
        procedure_name=version.name,
        agency_code=dossier.receiving_unit.code,
        agency_name=dossier.receiving_unit.name,
        content=f"Phí, lệ phí hồ sơ {dossier.code}",
        amount=sum(line.amount for line in lines),
        lines=[FeeLine(line.kind, line.fee_code, line.name, line.amount) for line in lines],
    )


# --- Confirmation (notification, query) ------------------------------------------------------


def payment_report(
    *,
    gateway_code: str,
    report: Report,
    now: dt.datetime | None = None,
    record: Notification | None = None,
) -> Answer:
    """Act on what the gateway said about a payment of ours (a verified notification or query).

    ``NOT_FOUND`` for a reference we do not know (or of another gateway),
    ``INVALID_AMOUNT`` when the amount differs, ``ALREADY_CONFIRMED`` when
    the payment is already paid, else ``CONFIRMED``: a paid report marks the
    payment paid (once: the payment's row is locked) and queues its
    settlement (``payment_settle``: fee lines, receipt, dossiers moved on) in
    the same transaction; a failed or cancelled one records it; a "failed"
    is not final, a later paid report still marks it paid. The notification
    ``record`` (not saved yet) is saved with its reference, payment and
    answer in the same transaction.
    """
    now = now or timezone.now()
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .filter(reference=report.reference, gateway=gateway_code)
            .first()
        )
        answer = _report_on(payment, gateway_code=gateway_code, report=report, now=now)
        if record is not None:
            record.reference, record.payment, record.answer = report.reference[:64], payment, answer
            record.save()
    return answer


PAID_FIELDS = ["state", "paid_at", "next_check_at", "gateway_transaction", "gateway_response"]


def _report_on(
    payment: Payment | None, *, gateway_code: str, report: Report, now: dt.datetime
) -> Answer:
    if payment is None:
        return Answer.NOT_FOUND
    if report.amount != payment.amount:
        return Answer.INVALID_AMOUNT
    if payment.state in (PaymentState.PAID, PaymentState.REFUNDED):
        return Answer.ALREADY_CONFIRMED
    before = snapshot(payment, ["state", "gateway_transaction", "gateway_response"])
    payment.gateway_response = report.response_code[:20]
    if report.gateway_transaction:
        payment.gateway_transaction = report.gateway_transaction[:64]
    if report.outcome == Outcome.PAID:
        _mark_paid(payment, paid_at=report.paid_at or now)
        payment.save(update_fields=PAID_FIELDS)
        from .tasks import settle_task  # the task module imports this one

        settle_task.enqueue(payment.pk)  # a row in this transaction (or run here: tests)
    elif report.outcome in (Outcome.FAILED, Outcome.CANCELLED):
        payment.state = (
            PaymentState.FAILED if report.outcome == Outcome.FAILED else PaymentState.CANCELLED
        )
        payment.next_check_at = None
        payment.save()
    else:
        payment.save()
    audit_record(
        action=f"payment.{report.outcome}",
        target=payment,
        before=before,
        after=snapshot(payment, ["state", "gateway_transaction", "gateway_response"]),
        note=f"{gateway_code} {report.response_code}",
        at=now,
    )
    return Answer.CONFIRMED


def _mark_paid(payment: Payment, *, paid_at: dt.datetime) -> None:
    payment.state = PaymentState.PAID
    payment.paid_at = paid_at
    payment.next_check_at = None


def payment_settle(payment_id: int, *, now: dt.datetime | None = None) -> bool:
    """Settle a payment the gateway confirmed: its fee lines, its receipt, its dossiers moved on.

    Run by the payments worker (``tasks.settle_task``, queued with the
    confirmation) and by the periodic sweep (``reconciliation.unsettled_sweep``)
    for any the worker missed. Idempotent: under the payment's lock, a
    payment already settled, or no longer paid (refunded meanwhile), is left
    alone (False).
    """
    now = now or timezone.now()
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
        if payment is None or payment.state != PaymentState.PAID or payment.settled_at:
            return False
        _settle(payment, now=now, actor=None)
    return True


def _settle(payment: Payment, *, now: dt.datetime, actor: Actor | None) -> None:
    """Settle the locked, paid ``payment``'s lines, issue its receipt, move its dossiers.

    The dossiers are locked (id order) before their lines are settled. A fee
    line another payment already settled makes this payment a double
    payment (``duplicate``, listed for an accountant to refund): none of its
    lines settles and it gets no receipt.
    """
    lines = list(payment.lines.all())
    dossier_ids = sorted({line.dossier_id for line in lines})
    dossiers = _lock_dossiers(dossier_ids)
    taken = set(
        PaymentLine.objects.filter(dossier_id__in=dossier_ids, settled=True)
        .exclude(payment=payment)
        .values_list("dossier_id", "fee_code")
    )
    payment.settled_at = now
    if any((line.dossier_id, line.fee_code) in taken for line in lines):
        payment.duplicate = True
        payment.save()
        Mismatch.objects.get_or_create(
            kind=MismatchKind.PAID_TWICE,
            gateway=payment.gateway or payment.method,
            reference=payment.reference,
            gateway_transaction=payment.gateway_transaction,
            defaults={
                "payment": payment,
                "gateway_amount": payment.amount,
                "our_amount": payment.amount,
                "found_at": now,
            },
        )
        logger.warning("payment %s: fees already paid by another payment", payment.reference)
        return
    payment.save()
    PaymentLine.objects.filter(payment=payment).update(settled=True)
    receipt_issue(payment, now=now, collected_by=_collector_label(actor))
    if payment.method != Method.ONLINE:
        return  # the counter's action moves its dossier itself, under its own lock
    for dossier in dossiers:
        if dossier.state == DossierState.PAYMENT_REQUESTED:
            locked_dossier_fees_paid_online(  # locked above, in this transaction
                dossier,
                note=f"Đã thanh toán trực tuyến, mã giao dịch {payment.reference}.",
                now=now,
            )


def _collector_label(actor: Actor | None) -> str:
    if actor is None:
        return "Thu trực tuyến qua cổng thanh toán"
    return person_name(actor)


# --- Receipts ----------------------------------------------------------------------------------


def receipt_issue(payment: Payment, *, now: dt.datetime, collected_by: str) -> Receipt:
    """Give the paid ``payment`` its electronic receipt: the agency's next number of the year.

    Numbers run from 1 each year per collecting agency without gaps
    (``counter_next``: the sequence row stays locked until the transaction
    ends; a rollback gives the number back). The PDF is printed on first
    download (``receipt_pdf``).
    """
    year = timezone.localtime(now).year
    _row, number = counter_next(
        ReceiptSequence,
        keys={"agency_id": payment.collecting_agency_id, "year": year},
        field="last_number",
    )
    collector = Collector.objects.filter(agency_id=payment.collecting_agency_id).first()
    letters = collector.series_letters if collector else DEFAULT_SERIES_LETTERS
    receipt = Receipt.objects.create(
        payment=payment,
        agency_id=payment.collecting_agency_id,
        year=year,
        number=number,
        form_symbol=collector.form_symbol if collector else DEFAULT_FORM_SYMBOL,
        series=receipt_series(letters, year),
        tax_code=collector.tax_code if collector else "",
        collected_by=collected_by[:200],
        issued_at=now,
    )
    audit_record(
        action="payment.receipt",
        target=receipt,
        after={"number": number, "series": receipt.series, "payment": payment.reference},
        at=now,
    )
    return receipt


def receipt_pdf(receipt: Receipt) -> bytes:
    """Return the receipt's PDF, printed and kept on first call."""
    if receipt.pdf:
        with receipt.pdf.open("rb") as stored:
            data: bytes = stored.read()
            return data
    from .receipts import receipt_pdf_bytes

    data = receipt_pdf_bytes(receipt)
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if not locked.pdf:
            locked.pdf.save(f"{receipt.series}-{receipt.display_number}.pdf", ContentFile(data))
        receipt.pdf = locked.pdf
    return data


# --- The counter -------------------------------------------------------------------------------


def payment_record_counter(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    method: str,
    receipt_number: str,
    note: str = "",
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Record the fees the dossier owes now as paid at the counter or by bank transfer.

    Refused when nothing is owed (paid already, unless a refund undid it:
    ``Conflict``) or an amount is still to be counted. The payment is paid
    at once, with its receipt; a dossier waiting for payment moves on.
    Locks the dossier row (``select_for_update``).
    """
    if method not in COUNTER_METHODS:
        raise ValidationFailed(CHOOSE_METHOD, field_errors={"method": [CHOOSE_METHOD]})
    number = receipt_number.strip()
    if not number:
        raise ValidationFailed(
            RECEIPT_NUMBER_REQUIRED, field_errors={"receipt_number": [RECEIPT_NUMBER_REQUIRED]}
        )
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.RECORD_PAYMENT,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        locked = held.dossier
        payment = Payment(
            reference=new_reference(held.now),
            method=method,
            state=PaymentState.NOT_PAID,
            amount=0,
            collecting_agency_id=locked.receiving_unit_id,
            payer_name=locked.applicant_name,
            payer_id_number=locked.applicant_id_number,
            payer_address=locked.applicant_address,
            receipt_number=number[:40],
            recorded_by_id=actor.pk,
            created_at=held.now,
        )
        lines = _payment_lines(payment, [locked])
        if not lines:
            raise Conflict(ALREADY_PAID)
        payment.amount = sum(line.amount for line in lines)
        payment.save()
        PaymentLine.objects.bulk_create(lines)
        try:
            with transaction.atomic():
                _mark_paid(payment, paid_at=held.now)
                _settle(payment, now=held.now, actor=actor)
        except IntegrityError:  # settled meanwhile: the unique index is the last guard
            raise Conflict(ALREADY_PAID) from None
        audit_record(
            action="payment.counter",
            target=payment,
            actor=actor,
            after=snapshot(payment, ["reference", "method", "amount", "receipt_number", "state"]),
            note=locked.code,
            at=held.now,
        )
        method_text = "tiền mặt" if method == Method.CASH else "chuyển khoản"
        text = f"Đã nộp phí, lệ phí ({method_text}), biên lai số {number}."
        fees_paid(
            held,
            actor=actor,
            note="\n".join(part for part in (text, note.strip()) if part),
            actor_label=label(Role.RECEIVING_OFFICER),
        )
    return held.dossier


# --- Accountants: refunds and mismatches ------------------------------------------------------


def _check_accountant(actor: Actor, agency_id: int) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if Role.ACCOUNTANT not in user_agency_roles(user=actor).get(agency_id, set()):
        raise Forbidden(NOT_ACCOUNTANT)


def payment_refund(
    *,
    payment: Payment | int,
    actor: Actor,
    amount: int | None = None,
    reason: str,
    outside_gateway: bool = False,
    client_ip: str = "",
    now: dt.datetime | None = None,
) -> Refund:
    """Refund all (``amount`` None) or part of a paid payment, through its gateway if online.

    An accountant of the collecting agency. A payment made at the counter, or
    one the accountant says was paid back another way (``outside_gateway``:
    by the treasury or a bank transfer, the only way for a gateway without a
    refund call), is refunded at once. A full refund makes the payment
    refunded and unsettles its fee lines (the dossier's fees are owed again,
    so they can be paid anew).

    Through the gateway, the gateway is asked with no transaction open (an
    outside call must not hold the payment's lock, nor SQLite's write lock,
    which the local simulator answering it needs): first the refund is on
    record ``WAITING`` with its amount reserved on the locked payment (a
    refund at the same time sees less left), then the gateway's answer
    settles it under the lock again (``refund_settle``): done, or refused
    and the reservation given back. Should nothing settle it (the process
    died in between, or the gateway did not answer), reconciliation asks the
    gateway about it later (``reconciliation.refunds_sweep``).
    """
    now = now or timezone.now()
    text = reason.strip()
    if not text:
        raise ValidationFailed(
            _("Give the reason."), field_errors={"reason": [_("Give the reason.")]}
        )
    pk = payment if isinstance(payment, int) else payment.pk
    with transaction.atomic():
        locked = Payment.objects.select_for_update().filter(pk=pk).first()
        if locked is None:
            raise NotFound(_("No such payment."))
        _check_accountant(actor, locked.collecting_agency_id)
        if locked.state != PaymentState.PAID or locked.paid_at is None:
            raise Conflict(REFUND_NOT_PAID)
        if locked.settled_at is None:  # the payments worker has not settled it yet
            raise Conflict(REFUND_NOT_SETTLED)
        left = locked.amount - locked.refunded_amount
        wanted = left if amount is None else amount
        if wanted <= 0 or wanted > left:
            raise ValidationFailed(REFUND_TOO_MUCH, field_errors={"amount": [REFUND_TOO_MUCH]})
        full = wanted == left and locked.refunded_amount == 0
        adapter = None
        if locked.method == Method.ONLINE and not outside_gateway:
            try:
                adapter = gateway(locked.gateway)
            except (UnknownGateway, GatewayError):
                raise Conflict(GATEWAY_DOWN) from None
            if not adapter.can_refund:
                raise Conflict(REFUND_OUTSIDE_ONLY)
        refund = Refund.objects.create(
            payment=locked,
            amount=wanted,
            reason=text,
            requested_by_id=actor.pk,
            at=now,
            state=RefundState.WAITING,
            outside_gateway=adapter is None,
        )
        locked.refunded_amount += wanted  # reserved until the refund is settled
        locked.save(update_fields=["refunded_amount"])
        if adapter is None:  # paid back already: settled in this transaction
            _refund_apply(locked, refund, state=RefundState.DONE, actor=actor, now=now)
            return refund
        audit_record(
            action="payment.refund_asked",
            target=locked,
            actor=actor,
            after={"refund": refund.pk, "amount": wanted, "state": refund.state},
            note=text,
            at=now,
        )
    # The transaction is over: the payment's row is no longer locked.
    try:
        result = adapter.refund(
            reference=locked.reference,
            amount=wanted,
            full=full,
            gateway_transaction=locked.gateway_transaction,
            created_at=locked.created_at,
            actor=actor.get_username(),
            client_ip=client_ip or "127.0.0.1",
        )
    except GatewayError as exc:
        if exc.retry:  # unanswered: it may have been done there; reconciliation asks later
            logger.warning("refund %s: the gateway did not answer (%s)", refund.pk, exc.code)
            raise Conflict(REFUND_UNANSWERED) from exc
        settled = refund_settle(
            refund=refund.pk,
            state=RefundState.REFUSED,
            response_code=exc.code,
            message=str(exc),
            actor=actor,
            now=now,
        )
    else:
        settled = refund_settle(
            refund=refund.pk,
            state=RefundState.DONE if result.ok else RefundState.REFUSED,
            gateway_transaction=result.gateway_transaction,
            response_code=result.response_code,
            message=result.message,
            actor=actor,
            now=now,
        )
    if settled.state == RefundState.REFUSED:
        raise Conflict(str(REFUND_REFUSED).format(message=settled.message or settled.response_code))
    return settled


def refund_settle(
    *,
    refund: Refund | int,
    state: str,
    gateway_transaction: str = "",
    response_code: str = "",
    message: str = "",
    actor: Actor | None,
    now: dt.datetime | None = None,
) -> Refund:
    """Record what became of a refund awaiting the gateway: done, or refused (nothing paid back).

    Once only: a refund no longer waiting is returned as it is (its answer
    came, and reconciliation asked too). Locks the payment, then the refund.
    Done in full, the payment is refunded and its fee lines unsettled; its
    open mismatches are resolved. Refused, the amount reserved is given back.
    ``actor`` None is reconciliation.
    """
    now = now or timezone.now()
    pk = refund if isinstance(refund, int) else refund.pk
    with transaction.atomic():
        payment_id = Refund.objects.filter(pk=pk).values_list("payment_id", flat=True).first()
        if payment_id is None:
            raise NotFound(_("No such refund."))
        locked = Payment.objects.select_for_update().get(pk=payment_id)
        row = Refund.objects.select_for_update().get(pk=pk)
        if row.state != RefundState.WAITING:
            return row
        row.gateway_transaction = gateway_transaction[:64]
        row.response_code = response_code[:20]
        row.message = message[:500]
        _refund_apply(locked, row, state=state, actor=actor, now=now)
    return row


def _refund_apply(
    locked: Payment, refund: Refund, *, state: str, actor: Actor | None, now: dt.datetime
) -> None:
    """Settle ``refund`` of the ``locked`` payment (its amount reserved) as ``state``; audit it."""
    before = snapshot(locked, ["state", "refunded_amount"])
    refund.state = state
    refund.settled_at = now
    refund.save()
    if state != RefundState.DONE:
        locked.refunded_amount -= refund.amount  # give the reservation back
        locked.save(update_fields=["refunded_amount"])
    else:
        if locked.refunded_amount == locked.amount:
            locked.state = PaymentState.REFUNDED
            locked.save(update_fields=["state"])
            PaymentLine.objects.filter(payment=locked).update(settled=False)
        Mismatch.objects.filter(payment=locked, resolved_at__isnull=True).update(
            resolved_at=now,
            resolved_by=actor,
            resolution=f"Hoàn {vnd_number(refund.amount)} đồng: {refund.reason}"[:2000],
        )
    audit_record(
        action="payment.refund",
        target=locked,
        actor=actor,
        before=before,
        after={
            **snapshot(locked, ["state", "refunded_amount"]),
            "refund": refund.pk,
            "state_of_refund": refund.state,
            "outside_gateway": refund.outside_gateway,
        },
        note=refund.reason if actor is not None else f"reconciliation: {refund.reason}",
        at=now,
    )


def mismatch_resolve(*, mismatch: Mismatch | int, actor: Actor, resolution: str) -> Mismatch:
    """Close a reconciliation mismatch with what the accountant did about it."""
    text = resolution.strip()
    if not text:
        raise ValidationFailed(
            _("Say how it was resolved."),
            field_errors={"resolution": [_("Say how it was resolved.")]},
        )
    with transaction.atomic():
        pk = mismatch if isinstance(mismatch, int) else mismatch.pk
        locked = Mismatch.objects.select_for_update().filter(pk=pk).first()
        if locked is None:
            raise NotFound(_("No such mismatch."))
        paid = locked.payment
        agency_id = paid.collecting_agency_id if paid is not None else None
        if agency_id is not None:
            _check_accountant(actor, agency_id)
        elif not _is_any_accountant(actor):
            raise Forbidden(NOT_ACCOUNTANT)
        if locked.resolved_at is not None:
            raise Conflict(ALREADY_RESOLVED)
        locked.resolved_at = timezone.now()
        locked.resolved_by_id = actor.pk
        locked.resolution = text
        locked.save()
        audit_record(action="payment.mismatch_resolve", target=locked, actor=actor, note=text)
    return locked


def _is_any_accountant(actor: Actor) -> bool:
    if getattr(actor, "is_superuser", False):
        return True
    return any(Role.ACCOUNTANT in roles for roles in user_agency_roles(user=actor).values())


def is_accountant(actor: Any) -> bool:
    """Tell whether ``actor`` is an accountant somewhere (or a superuser)."""
    return bool(getattr(actor, "is_authenticated", False)) and _is_any_accountant(actor)
