"""Server-to-server notifications the payment simulators send, now or when due.

Each simulator keeps its notifications as rows of its own model with the
fields of ``NotificationFields`` (``due_at``, ``delivered_at``, ``attempts``,
``status_code``, ``answer``) and a ``send(client)`` method. A row due is
claimed by moving its ``due_at`` on (a lease: two loops never send it at the
same moment), sent, and marked delivered when the merchant accepts it; a
merchant that cannot be reached or does not accept it (VNPAY: an answer
other than 00 or 02) is tried again, 30 seconds apart, ``MAX_ATTEMPTS``
times in all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import httpx
from django.db import models
from django.db.models import F
from django.utils import timezone

MAX_ATTEMPTS = 5
LEASE = dt.timedelta(seconds=30)
TIMEOUT = 10.0


class Notification(Protocol):
    pk: Any
    attempts: int
    status_code: int | None
    answer: str
    delivered_at: dt.datetime | None

    def send(self, client: httpx.Client) -> httpx.Response: ...

    def accepted(self, response: httpx.Response) -> bool: ...

    def save(self, *, update_fields: list[str]) -> None: ...


def claim(model: type[models.Model], pk: Any, now: dt.datetime) -> bool:
    """Take the row for this sender if it is due and not delivered (atomic update)."""
    claimed: int = model._default_manager.filter(
        pk=pk, delivered_at__isnull=True, due_at__lte=now, attempts__lt=MAX_ATTEMPTS
    ).update(due_at=now + LEASE, attempts=F("attempts") + 1)
    return claimed == 1


def send_one(row: Notification, client: httpx.Client) -> None:
    """Send a claimed row and record what the merchant answered (or that it was unreachable)."""
    try:
        response = row.send(client)
    except httpx.HTTPError as exc:
        row.answer = f"unreachable: {type(exc).__name__}"
        row.save(update_fields=["answer"])
        return
    row.status_code = response.status_code
    row.answer = response.text[:500]
    if row.accepted(response):
        row.delivered_at = timezone.now()
    row.save(update_fields=["status_code", "answer", "delivered_at"])


def deliver(row: Notification, model: type[models.Model]) -> None:
    """Send one row now (no delay asked), if nobody else has."""
    if claim(model, row.pk, timezone.now() + LEASE):
        row.attempts += 1
        with httpx.Client(timeout=TIMEOUT) as client:
            send_one(row, client)


def deliver_due(model: type[models.Model], now: dt.datetime | None = None) -> int:
    """Send every row of ``model`` due by ``now``; return how many were sent."""
    now = now or timezone.now()
    manager = model._default_manager
    due = list(
        manager.filter(
            delivered_at__isnull=True, due_at__lte=now, attempts__lt=MAX_ATTEMPTS
        ).values_list("pk", flat=True)[:100]
    )
    sent = 0
    with httpx.Client(timeout=TIMEOUT) as client:
        for pk in due:
            if claim(model, pk, now):
                row: Notification = manager.get(pk=pk)  # type: ignore[assignment]
                send_one(row, client)
                sent += row.delivered_at is not None
    return sent


# What the payer's page of a simulator asks: the outcome, and how the IPN behaves.
ACTIONS = ("pay", "fail", "cancel", "late")
IPN_MODES = ("now", "delay", "after_return", "none")
AFTER_RETURN_SECONDS = 5
LATE_SECONDS = 30


def ipn_offsets(*, action: str, mode: str, delay: int, twice: bool) -> list[int]:
    """Seconds from now at which to send the IPN (0: at once, before the payer returns).

    A late payment ("pay late": the bank confirms after the payer is back) is
    notified when it settles, ``delay`` seconds on (``LATE_SECONDS`` when none).
    """
    if mode == "none":
        return []
    if action == "late":
        first = max(delay, 1) if mode == "delay" else LATE_SECONDS
    elif mode == "delay":
        first = max(delay, 1)
    elif mode == "after_return":
        first = AFTER_RETURN_SECONDS
    else:
        first = 0
    return [first, first + 2] if twice else [first]


def parse_choice(data: Any) -> tuple[str, str, int, bool] | None:
    """The payer's choice from the page's form, or None when it makes no sense."""
    action = str(data.get("action", ""))
    mode = str(data.get("ipn", "now"))
    try:
        delay = int(data.get("delay") or 0)
    except ValueError:
        return None
    if action not in ACTIONS or mode not in IPN_MODES or not 0 <= delay <= 86400:
        return None
    return action, mode, delay, data.get("twice") == "on"
