"""Reads of messages: what the applicant was told about a dossier, step by step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .models import Message, MessageChannel, MessageKind, MessagePreference, MessageStatus
from .preferences import MessageChoice


@dataclass
class DossierMessage:
    """One step's message as the applicant reads it, and how each channel fared."""

    kind: str
    kind_label: str
    at: dt.datetime
    subject: str
    body: str
    channels: list[tuple[str, str, str]] = field(default_factory=list)  # (channel, label, status)


def dossier_messages(dossier_id: int) -> list[DossierMessage]:
    """Return the messages sent (or to send) about a dossier, newest first, in one query.

    The e-mail and the SMS of one step are one entry: the e-mail's text when
    there is one (it says more), and each channel's status. The recipients'
    addresses are not read.
    """
    rows = (
        Message.objects.filter(dossier_id=dossier_id)
        .order_by("-created_at", "-id")
        .values_list("event_id", "id", "kind", "channel", "status", "subject", "body", "created_at")
    )
    entries: dict[object, DossierMessage] = {}
    for event_id, pk, kind, channel, status, subject, body, at in rows:
        entry = entries.get(event_id or f"row-{pk}")
        if entry is None:
            entry = entries.setdefault(
                event_id or f"row-{pk}",
                DossierMessage(
                    kind=kind,
                    kind_label=str(MessageKind(kind).label),
                    at=at,
                    subject=subject,
                    body=body,
                ),
            )
        elif channel == MessageChannel.EMAIL:
            entry.subject, entry.body = subject, body
        entry.channels.append(
            (channel, str(MessageChannel(channel).label), str(MessageStatus(status).label))
        )
    for entry in entries.values():
        entry.channels.sort()
    return list(entries.values())


def dossier_message_choice(dossier_id: int) -> MessageChoice:
    """Return the applicant's choice of channels and language for a dossier (one query).

    No choice recorded: every channel, in Vietnamese (what ``messages_for_event`` does).
    """
    row = (
        MessagePreference.objects.filter(dossier_id=dossier_id)
        .values_list("email", "sms", "language")
        .first()
    )
    if row is None:
        return MessageChoice()
    return MessageChoice(email=row[0], sms=row[1], language=row[2])
