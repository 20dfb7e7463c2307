"""What every payment gateway adapter offers, in the gateway's own protocol underneath.

The payments app speaks only these types; an adapter turns them into the
gateway's signed fields and back. Amounts are whole VND. Times are aware
datetimes (the adapter converts to the gateway's zone and format). Nothing
here logs personal data.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class FeeLine:
    """One fee line of a bill: kind (``fee`` phí / ``charge`` lệ phí), code, name, amount."""

    kind: str
    code: str
    name: str
    amount: int


@dataclass(frozen=True)
class Bill:
    """What one dossier of the payment owes (the national platform's bill, one per dossier)."""

    dossier_code: str
    procedure_code: str
    procedure_name: str
    agency_code: str
    agency_name: str
    content: str
    amount: int
    lines: Sequence[FeeLine]


@dataclass(frozen=True)
class Payer:
    name: str
    identification: str
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class CheckoutRequest:
    """A payment to start: ``reference`` is ours, unique, 8-34 letters and digits."""

    reference: str
    amount: int
    description: str
    return_url: str
    ipn_url: str
    client_ip: str
    created_at: dt.datetime
    expires_at: dt.datetime
    payer: Payer
    bills: Sequence[Bill]
    language: str = "vi"


@dataclass(frozen=True)
class Checkout:
    """Where to send the payer (a GET redirect), and the gateway's own id when it gives one."""

    redirect_url: str
    gateway_reference: str = ""


class Outcome(enum.StrEnum):
    PAID = "paid"
    PENDING = "pending"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Report:
    """What a verified notification, return or query says about one payment of ours.

    ``raw`` is the gateway's fields as received (kept on record, shown to an
    accountant; it holds no more personal data than the gateway sent).
    """

    reference: str
    amount: int
    outcome: Outcome
    gateway_transaction: str = ""
    paid_at: dt.datetime | None = None
    response_code: str = ""
    raw: Mapping[str, str] = field(default_factory=dict)


class Answer(enum.StrEnum):
    """The merchant's answer to a notification (VNPAY's codes: 00, 01, 02, 04, 97, 99)."""

    CONFIRMED = "confirmed"
    NOT_FOUND = "not_found"
    ALREADY_CONFIRMED = "already_confirmed"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_SIGNATURE = "invalid_signature"
    OTHER = "other"


class GatewayError(Exception):
    """The gateway could not be reached or refused the call; ``retry`` says whether to try later."""

    def __init__(self, message: str, *, code: str = "", retry: bool = True) -> None:
        super().__init__(message)
        self.code = code
        self.retry = retry


class BadSignature(Exception):
    """A return or notification whose signature (checksum) does not verify."""


@dataclass(frozen=True)
class RefundResult:
    ok: bool
    gateway_transaction: str = ""
    response_code: str = ""
    message: str = ""


class RefundOutcome(enum.StrEnum):
    """What the gateway says, asked again, of a refund whose answer we never recorded."""

    DONE = "done"  # it has the refund on record: the money is (being) paid back
    REFUSED = "refused"  # it refused it, or has no refund of the payment: nothing paid back
    UNKNOWN = "unknown"  # it cannot tell yet: ask again later


@dataclass(frozen=True)
class RefundCheck:
    outcome: RefundOutcome
    gateway_transaction: str = ""
    response_code: str = ""
    message: str = ""


@dataclass(frozen=True)
class StatementLine:
    """One line of the gateway's statement of a day: a payment or a refund it settled."""

    reference: str
    gateway_transaction: str
    amount: int
    kind: str  # "payment" or "refund"
    at: dt.datetime
    outcome: Outcome


class Gateway(Protocol):
    code: str  # "vnpay", "dvcqg"
    name: str  # shown to the payer
    can_refund: bool  # whether its protocol has a refund call (else refunds are paid back outside)

    def checkout(self, request: CheckoutRequest) -> Checkout:
        """Start a payment; raise ``GatewayError`` when the gateway refuses or cannot be reached."""
        ...

    def read_return(self, params: Mapping[str, str]) -> Report:
        """Read the payer's return (display only: never moves a dossier); ``BadSignature``."""
        ...

    def read_notification(self, request: HttpRequest) -> Report:
        """Verify and read a server-to-server notification (IPN); ``BadSignature`` if forged."""
        ...

    def answer(self, answer: Answer, *, message: str = "") -> HttpResponse:
        """The response the gateway expects to a notification (VNPAY: ``{RspCode, Message}``)."""
        ...

    def query(self, *, reference: str, created_at: dt.datetime, client_ip: str) -> Report:
        """Ask the gateway what became of a payment (re-query of pending ones).

        ``created_at`` is the ``CheckoutRequest.created_at`` the payment started with.
        """
        ...

    def refund(
        self,
        *,
        reference: str,
        amount: int,
        full: bool,
        gateway_transaction: str,
        created_at: dt.datetime,
        actor: str,
        client_ip: str,
    ) -> RefundResult:
        """Refund all or part of a paid payment.

        ``created_at`` is the payment's own moment, the one its checkout sent
        (VNPAY finds the payment by it, as ``query`` does), not when it was paid.
        """
        ...

    def refund_query(
        self, *, reference: str, created_at: dt.datetime, client_ip: str
    ) -> RefundCheck:
        """Ask the gateway whether it has a refund of the payment ``reference`` on record.

        For a refund asked of it whose answer was never recorded (the process
        died, or the answer never came); ``GatewayError`` when it cannot be
        asked now.
        """
        ...

    def statement(self, day: dt.date) -> list[StatementLine]:
        """The gateway's statement of settled transactions of ``day`` (GMT+7)."""
        ...
