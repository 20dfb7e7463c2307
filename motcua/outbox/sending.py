"""The worker's side: claim messages with a lease, send them, mark them sent, once each.

The pattern of ``notifications.services.notifications_email`` (rows claimed
with ``SELECT ... FOR UPDATE SKIP LOCKED``, failures counted with back-off
towards a final "failed"), with one change: the transaction that claims is
short and the sending happens outside it. Claimed rows are marked "sending"
with a claim token and a lease; once sent, only the holder of the claim may
mark them. A worker killed mid-send leaves its rows "sending" until the
lease expires; the next claim sends them again with the same idempotency
key, which the SMS gateway deduplicates (eSMS.vn: ``RequestId``, code 124).
E-mail has no such key at the SMTP level: the retry carries the same
``Message-ID``, so a mail system that deduplicates can, but an e-mail whose
worker died after the server took it may arrive twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .adapters import SmsGateway, SmsResult, sms_gateway
from .models import REDACTED_BODY, SECRET_KINDS, Message, MessageChannel, MessageStatus

logger = logging.getLogger(__name__)
LEASE_EXPIRED = "lease expired too often (worker stopped while sending)"


@dataclass
class Sent:
    """One batch: messages claimed, sent, left for a later try, failed for good."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    ids: list[int] = field(default_factory=list)


def backoff(attempts: int) -> dt.timedelta:
    """Return the wait before the next try after ``attempts`` tries: doubling, capped."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    return dt.timedelta(
        seconds=min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS)
    )


def outbox_claim(*, now: dt.datetime, limit: int) -> tuple[uuid.UUID, list[Message]]:
    """Claim up to ``limit`` messages due now (or whose lease expired) for this worker.

    A short transaction: lock the rows others have not locked (``SKIP
    LOCKED``; SQLite runs one writer at a time), mark them "sending" with a
    fresh claim token and a lease, count the attempt, commit. Rows whose lease
    expired ``OUTBOX_MAX_ATTEMPTS`` times are failed instead.
    """
    token = uuid.uuid4()
    lease = dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        given_up = Message.objects.filter(
            status=MessageStatus.SENDING,
            lease_until__lt=now,
            attempts__gte=settings.OUTBOX_MAX_ATTEMPTS,
        ).update(
            status=MessageStatus.FAILED, last_error=LEASE_EXPIRED, claim=None, lease_until=None
        )
        if given_up:  # rare: a one-time code among them keeps its text no longer
            Message.objects.filter(
                status=MessageStatus.FAILED, last_error=LEASE_EXPIRED, kind__in=SECRET_KINDS
            ).exclude(body=REDACTED_BODY).update(body=REDACTED_BODY)
        ready = Q(status=MessageStatus.PENDING, next_attempt_at__lte=now) | Q(
            status=MessageStatus.SENDING, lease_until__lt=now
        )
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(ready)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return token, []
        Message.objects.filter(pk__in=ids).update(
            status=MessageStatus.SENDING,
            claim=token,
            lease_until=now + lease,
            attempts=F("attempts") + 1,
        )
    claimed = list(
        Message.objects.filter(pk__in=ids, claim=token).only(
            "id",
            "kind",
            "channel",
            "recipient",
            "subject",
            "body",
            "attempts",
            "idempotency_key",
        )
    )
    return token, claimed


def _email(message: Message, domain: str) -> EmailMessage:
    return EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Message-ID": f"<{message.idempotency_key}@{domain}>"},
    )


def _lease_deadline() -> float:
    """Return the monotonic time after which this worker starts no send of its batch: its
    lease, less the time one send may take, so that no other worker takes over a row while
    it is being sent (the rows not sent are tried again, same key)."""
    margin = settings.OUTBOX_SMS_TIMEOUT * 2  # a send may be tried twice (a dropped connection)
    lease = settings.OUTBOX_LEASE_SECONDS
    return time.monotonic() + max(lease - margin, lease / 2)


OUT_OF_LEASE = SmsResult(ok=False, error="not sent: the worker's lease ran out first")


def _send_emails(messages: list[Message], deadline: float) -> dict[int, SmsResult]:
    results: dict[int, SmsResult] = {}
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "motcua"
    try:
        connection = get_connection()
        connection.open()
    except Exception as exc:
        # The error's words may name an address: keep the class only.
        return {
            m.pk: SmsResult(ok=False, error=f"mail server: {type(exc).__name__}") for m in messages
        }
    try:
        for message in messages:
            if time.monotonic() >= deadline:
                results[message.pk] = OUT_OF_LEASE
                continue
            try:
                done = connection.send_messages([_email(message, domain)])
            except Exception as exc:
                results[message.pk] = SmsResult(ok=False, error=f"mail: {type(exc).__name__}")
            else:
                results[message.pk] = (
                    SmsResult(ok=True) if done else SmsResult(ok=False, error="mail: not sent")
                )
    finally:
        connection.close()
    return results


def _send_sms(
    messages: list[Message], gateway: SmsGateway, deadline: float
) -> dict[int, SmsResult]:
    """Send the SMS, ``OUTBOX_SMS_CONCURRENCY`` requests at a time (a gateway answers in tens
    or hundreds of milliseconds: one at a time would leave the worker waiting)."""

    def one(m: Message) -> SmsResult:
        if time.monotonic() >= deadline:
            return OUT_OF_LEASE
        return gateway.send(phone=m.recipient, text=m.body, request_id=m.idempotency_key)

    workers = max(1, min(settings.OUTBOX_SMS_CONCURRENCY, len(messages)))
    if workers == 1:
        return {m.pk: one(m) for m in messages}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip((m.pk for m in messages), pool.map(one, messages), strict=True))


def _mark_sent(token: uuid.UUID, sent: list[tuple[int, str]], now: dt.datetime) -> None:
    """Mark rows sent with their gateway references, if this worker still holds their claim.

    One statement sent many times (psycopg pipelines it), not the ORM's
    ``bulk_update``, whose CASE expressions cost more than the sending.
    """
    if not sent:
        return
    meta = Message._meta
    prep = {
        name: meta.get_field(name).get_db_prep_value  # type: ignore[union-attr]
        for name in ("claim", "sent_at")
    }
    quote = connection.ops.quote_name
    claim = prep["claim"](token, connection)
    sent_at = prep["sent_at"](now, connection)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(meta.db_table)} SET status = %s, sent_at = %s, provider_ref = %s, "  # noqa: S608 - names from the model
            "claim = NULL, lease_until = NULL WHERE id = %s AND claim = %s",
            [(MessageStatus.SENT.value, sent_at, ref, pk, claim) for pk, ref in sent],
        )


def _finish(
    token: uuid.UUID, messages: list[Message], results: dict[int, SmsResult], now: dt.datetime
) -> Sent:
    """Mark each claimed message by its result, if this worker still holds its claim (a row
    whose lease another worker took over is left to that one)."""
    batch = Sent(claimed=len(messages), ids=[m.pk for m in messages])
    sent: list[tuple[int, str]] = []
    released = {"claim": None, "lease_until": None}
    with transaction.atomic():
        for message in messages:
            result = results[message.pk]
            if result.ok:
                sent.append((message.pk, result.provider_ref[:100]))
                continue
            mine = Message.objects.filter(pk=message.pk, claim=token)
            if result.retry and message.attempts < settings.OUTBOX_MAX_ATTEMPTS:
                batch.retried += 1
                mine.update(
                    status=MessageStatus.PENDING,
                    next_attempt_at=now + backoff(message.attempts),
                    last_error=result.error[:500],
                    **released,
                )
                logger.warning("message %s: not sent, retrying (%s)", message.pk, result.error)
            else:
                batch.failed += 1
                mine.update(status=MessageStatus.FAILED, last_error=result.error[:500], **released)
                logger.error("message %s: failed (%s)", message.pk, result.error)
        _mark_sent(token, sent, now)
        secret = [m.pk for m in messages if m.kind in SECRET_KINDS]
        if secret:  # a one-time code is kept only until it is sent (or failed for good)
            Message.objects.filter(
                pk__in=secret, status__in=[MessageStatus.SENT, MessageStatus.FAILED]
            ).update(body=REDACTED_BODY)
    batch.sent = len(sent)
    return batch


def outbox_send_batch(
    *, gateway: SmsGateway | None = None, now: dt.datetime | None = None, limit: int | None = None
) -> Sent:
    """Claim one batch of messages due now, send them, and mark each by its result."""
    now = now or timezone.now()
    token, messages = outbox_claim(now=now, limit=limit or settings.OUTBOX_BATCH)
    if not messages:
        return Sent()
    deadline = _lease_deadline()
    emails = [m for m in messages if m.channel == MessageChannel.EMAIL]
    texts = [m for m in messages if m.channel == MessageChannel.SMS]
    results: dict[int, SmsResult] = {}
    if emails:
        results |= _send_emails(emails, deadline)
    if texts:
        own = gateway is None
        gateway = gateway or sms_gateway()
        try:
            results |= _send_sms(texts, gateway, deadline)
        finally:
            if own:
                gateway.close()
    batch = _finish(token, messages, results, max(now, timezone.now()))
    logger.info(
        "outbox: %d claimed, %d sent, %d to retry, %d failed",
        batch.claimed,
        batch.sent,
        batch.retried,
        batch.failed,
    )
    return batch


def outbox_send_all(*, gateway: SmsGateway | None = None, now: dt.datetime | None = None) -> int:
    """Send batch after batch until one is not full; return how many were sent."""
    sent = 0
    while True:
        batch = outbox_send_batch(gateway=gateway, now=now)
        sent += batch.sent
        if batch.claimed < settings.OUTBOX_BATCH:
            return sent
