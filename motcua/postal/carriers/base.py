"""What every postal carrier adapter offers, in the carrier's own protocol underneath.

The postal app speaks only these types; an adapter turns them into the
carrier's fields and back. Amounts are whole VND; times are aware datetimes.
Nothing here logs personal data or secrets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.http import HttpRequest


@dataclass(frozen=True)
class Party:
    """A sender or receiver: the carrier wants a province and a district (or commune) code."""

    name: str
    address: str
    phone: str
    email: str = ""
    province: str = ""
    district: str = ""


@dataclass(frozen=True)
class Shipment:
    """An order to register: ``order_number`` is ours and unique (the carrier keeps it)."""

    order_number: str
    cod_amount: int
    sender: Party
    receiver: Party
    sender_desc: str = ""
    description: str = ""


@dataclass(frozen=True)
class Registered:
    """The carrier took the order (``already``: it had it from an earlier attempt)."""

    tracking_number: str = ""
    already: bool = False


@dataclass(frozen=True)
class CarrierEvent:
    """One event of an order as the carrier reported it; ``state`` is our reading of its code."""

    external_id: str
    order_number: str
    code: str
    state: str  # an OrderState value, or "" for a code we do not know
    happened_at: dt.datetime
    message: str = ""
    notes: str = ""  # delivered: who received it; failed: why
    tracking_number: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EventPage:
    """A page of the carrier's events after a given id, oldest first."""

    events: Sequence[CarrierEvent]
    total_pages: int = 0


class CarrierError(Exception):
    """The carrier could not be reached or refused the call; ``retry`` says whether to try later."""

    def __init__(self, message: str, *, code: str = "", retry: bool = True) -> None:
        super().__init__(message)
        self.code = code
        self.retry = retry


class BadSignature(Exception):
    """A webhook whose signature does not verify."""


class Carrier(Protocol):
    code: str  # "vnpost"
    name: str

    def register(self, shipment: Shipment) -> Registered:
        """Create the order at the carrier; the same ``order_number`` twice is one order."""
        ...

    def cancel(self, order_number: str) -> None:
        """Cancel an order the carrier has not collected yet; ``CarrierError`` if refused."""
        ...

    def events(self, *, after: str, size: int) -> EventPage:
        """The carrier's events after the event id ``after`` ("" from the start), oldest first."""
        ...

    def read_webhook(self, request: HttpRequest) -> list[CarrierEvent]:
        """Verify and read a pushed notification; ``BadSignature`` if forged, CarrierError if
        unreadable."""
        ...
