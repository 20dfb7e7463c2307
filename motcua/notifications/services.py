"""Writes of notifications: notify once per key, send the e-mails once, mark read."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from .models import EmailStatus, Notification, NotificationKind

logger = logging.getLogger(__name__)
EMAIL_BATCH = 200
MAX_EMAIL_ATTEMPTS = 5


@dataclass(frozen=True)
class Notice:
    """A notice to write: to whom, about which dossier, under which key."""

    recipient_id: int
    dossier_id: int
    kind: NotificationKind
    key: str
    subject: str
    body: str


def _written(notices: Sequence[Notice]) -> set[tuple[int, str]]:
    """Return the (recipient, key) pairs of ``notices`` already written (one query)."""
    return set(
        Notification.objects.filter(
            recipient_id__in={n.recipient_id for n in notices}, key__in={n.key for n in notices}
        ).values_list("recipient_id", "key")
    )


def notices_create(*, notices: Sequence[Notice], now: dt.datetime) -> list[Notification]:
    """Write the notices not written before; return those this call wrote.

    The keys already there are skipped with one query; a notice another
    worker wrote meanwhile hits the unique constraint inside its own
    savepoint and is skipped too, so two workers never write one twice.
    """
    if not notices:
        return []
    existing = _written(notices)
    created: list[Notification] = []
    for notice in notices:
        if (notice.recipient_id, notice.key) in existing:
            continue
        existing.add((notice.recipient_id, notice.key))
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        recipient_id=notice.recipient_id,
                        dossier_id=notice.dossier_id,
                        kind=notice.kind,
                        key=notice.key,
                        subject=notice.subject[:255],
                        body=notice.body,
                        created_at=now,
                    )
                )
        except IntegrityError:
            continue  # another worker wrote it first
    return created


@dataclass(frozen=True)
class Emailed:
    """One batch of the e-mail pass: notices handled, e-mails sent, sends that failed."""

    handled: int
    sent: int
    failed: int = 0


def _message(notification: Notification) -> EmailMessage:
    return EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient.email],
    )


def notifications_email(*, now: dt.datetime | None = None) -> Emailed:
    """Send the e-mails of one batch of pending notices, once each.

    Rows are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL;
    SQLite runs one writer at a time), so two workers never send the same
    one, and marked in the same transaction. A notice whose recipient has no
    e-mail address is marked so, without sending. A message the server
    refuses is tried again by the next runs, ``MAX_EMAIL_ATTEMPTS`` times in
    all, then marked failed, so one bad address never holds up the rest; a
    server that cannot be reached raises and leaves the batch pending.
    """
    now = now or timezone.now()
    sent: list[int] = []
    failed: list[int] = []
    with transaction.atomic():
        batch = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(email_status=EmailStatus.PENDING)
            .order_by("created_at", "id")[:EMAIL_BATCH]
        )
        if not batch:
            return Emailed(0, 0)
        addressed = [n for n in batch if n.recipient.email]
        if addressed:
            with get_connection() as connection:
                for notification in addressed:
                    try:
                        connection.send_messages([_message(notification)])
                    except Exception:
                        logger.exception("notification %s: e-mail not sent", notification.pk)
                        failed.append(notification.pk)
                    else:
                        sent.append(notification.pk)
        Notification.objects.filter(pk__in=sent).update(
            email_status=EmailStatus.SENT, emailed_at=now
        )
        Notification.objects.filter(pk__in=[n.pk for n in batch if not n.recipient.email]).update(
            email_status=EmailStatus.NO_ADDRESS
        )
        Notification.objects.filter(pk__in=failed).update(
            email_attempts=F("email_attempts") + 1,
            email_status=Case(
                When(email_attempts__gte=MAX_EMAIL_ATTEMPTS - 1, then=Value(EmailStatus.FAILED)),
                default=Value(EmailStatus.PENDING),
            ),
        )
    logger.info(
        "notification e-mails: %d sent, %d failed, of %d notices",
        len(sent),
        len(failed),
        len(batch),
    )
    return Emailed(len(batch), len(sent), len(failed))


def notifications_email_all(*, now: dt.datetime | None = None) -> int:
    """Send the pending e-mails batch after batch; return how many were sent.

    Stop at a batch that is not full (the rest, if any, is locked by another
    worker) or that had a failure (tried again next run, not in a loop now).
    """
    emailed = 0
    while True:
        batch = notifications_email(now=now)
        emailed += batch.sent
        if batch.handled < EMAIL_BATCH or batch.failed:
            return emailed


def notifications_mark_read(
    *, recipient_id: int, ids: Sequence[int] | None = None, now: dt.datetime | None = None
) -> int:
    """Mark a person's notices read (all unread ones if ``ids`` is None); return how many."""
    unread = Notification.objects.filter(recipient_id=recipient_id, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=now or timezone.now())
