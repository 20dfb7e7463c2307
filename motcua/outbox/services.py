"""Writes of messages: the rows a dossier's step produces, preferences, an administrator's retry.

``messages_for_event`` is called by the one place a dossier's timeline grows
(``workflow.services._base.transition``, and the submission in
``dossiers.services``), inside that transaction: a rolled-back action leaves
no message behind.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from motcua.audit.services import audit_record, changed, snapshot
from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Channel, Dossier, DossierEvent, DossierState, EventKind
from motcua.dossiers.selectors import dossier_tracking_url

from .defaults import DEFAULT_TEMPLATES
from .models import (
    REDACTED_BODY,
    SECRET_KINDS,
    Message,
    MessageChannel,
    MessageKind,
    MessagePreference,
    MessageStatus,
    MessageTemplate,
    ProcedureMessaging,
)
from .preferences import BAD_LANGUAGE, LANGUAGE_INPUT, MessageChoice
from .rendering import render_text, sms_text

logger = logging.getLogger(__name__)

# The timeline's entries the applicant is told about, and what they are told.
EVENT_KINDS: dict[str, MessageKind] = {
    EventKind.SUBMITTED: MessageKind.ACKNOWLEDGED,
    EventKind.ACCEPTED: MessageKind.ACCEPTED,
    EventKind.SUPPLEMENT_REQUESTED: MessageKind.SUPPLEMENT_REQUESTED,
    EventKind.SUPPLEMENT_RECEIVED: MessageKind.SUPPLEMENT_RECEIVED,
    EventKind.EXTENDED: MessageKind.EXTENDED,
    EventKind.REFUSED: MessageKind.REFUSED,
    EventKind.STOPPED: MessageKind.STOPPED,
    EventKind.WITHDRAWN: MessageKind.WITHDRAWAL_ACCEPTED,
    EventKind.WITHDRAWAL_REFUSED: MessageKind.WITHDRAWAL_REFUSED,
    EventKind.PROCESSED: MessageKind.RESULT_READY,
    EventKind.RESULT_RETURNED: MessageKind.RESULT_RETURNED,
    EventKind.FEES_PAID: MessageKind.PAYMENT_RECEIVED,
}
# Entered states the applicant is told about whatever the entry's kind.
STATE_KINDS: dict[str, MessageKind] = {
    DossierState.PAYMENT_REQUESTED: MessageKind.FEE_REQUESTED,
}


def message_kind_of(event: DossierEvent, *, channel: int) -> MessageKind | None:
    """Return the kind of message a timeline entry sends the applicant, or None."""
    if not event.is_public:
        return None
    if event.kind == EventKind.SUBMITTED and channel == Channel.COUNTER:
        return None  # the officer answers at the counter, face to face
    kind = EVENT_KINDS.get(event.kind)
    if kind is None and event.to_state != event.from_state:
        kind = STATE_KINDS.get(event.to_state or "")
    return kind


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def _items(dossier: Dossier) -> list[str]:
    from motcua.workflow.models import SupplementItem

    rows = SupplementItem.objects.filter(
        request__dossier_id=dossier.pk, request__number=dossier.supplement_requests
    ).order_by("order")
    return [f"{i.name} ({i.reason})" if i.reason else i.name for i in rows]


def message_context(dossier: Dossier, event: DossierEvent, kind: MessageKind) -> dict[str, Any]:
    """Return what a template may use: no name, number or address of the applicant."""
    return {
        "code": dossier.code,
        "procedure": dossier.procedure_version.name,
        "agency": dossier.receiving_unit.name,
        "submitted_at": _when(dossier.submitted_at),
        "answer_by": _when(dossier.intake_due_at),
        "received_at": _when(dossier.received_at),
        "due_at": _when(dossier.due_at),
        "reason": event.note,
        "items": _items(dossier) if kind == MessageKind.SUPPLEMENT_REQUESTED else [],
        "tracking_url": settings.SITE_URL.rstrip("/") + dossier_tracking_url(dossier),
    }


# Templates and procedures' message settings are an administrator's, changed rarely: each
# process keeps what it read this long (a change reaches every process within it), so an
# officer's action reads none of them (at most 15 queries for an action through the API).
CONFIG_SECONDS = 60


def message_texts(kind: MessageKind, language: str) -> tuple[str, str, str]:
    """Return (subject, e-mail text, SMS text) of ``kind``: the administrator's, else built in."""

    def read() -> tuple[str, str, str] | None:
        rows = {
            t.language: t
            for t in MessageTemplate.objects.filter(kind=kind, language__in={language, "vi"})
        }
        row = rows.get(language) or rows.get("vi")
        return (row.subject, row.body, row.sms) if row is not None else None

    found = cache.get_or_set(f"outbox:template:{kind}:{language}", read, CONFIG_SECONDS)
    if found is not None:
        return tuple(found)  # type: ignore[return-value,unused-ignore]
    defaults = DEFAULT_TEMPLATES[kind]
    return defaults.get(language) or defaults["vi"]


def procedure_messaging(procedure_id: int) -> ProcedureMessaging | None:
    """Return a procedure's message settings (None: every kind on every channel)."""
    return cache.get_or_set(
        f"outbox:procedure:{procedure_id}",
        lambda: ProcedureMessaging.objects.filter(procedure_id=procedure_id).first(),
        CONFIG_SECONDS,
    )


def config_forget() -> None:
    """Forget this process's templates and settings at once (an administrator changed them)."""
    cache.delete_many(
        [f"outbox:template:{k}:{lang}" for k in MessageKind for lang, _ in settings.LANGUAGES]
        + [
            f"outbox:procedure:{pk}"
            for pk in ProcedureMessaging.objects.values_list("procedure_id", flat=True)
        ]
    )


def _render(kind: MessageKind, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    subject, body, sms = message_texts(kind, language)
    try:
        return tuple(render_text(t, context) for t in (subject, body, sms))  # type: ignore[return-value]
    except Exception:
        # The admin form checks templates; one broken anyway must not undo the officer's action.
        logger.exception("message template %s/%s broken; built-in text used", kind, language)
        defaults = DEFAULT_TEMPLATES[kind]
        texts = defaults.get(language) or defaults["vi"]
        return tuple(render_text(t, context) for t in texts)  # type: ignore[return-value]


def _channels(dossier: Dossier, kind: MessageKind) -> tuple[list[str], str]:
    """Return the channels ``kind`` goes out on for ``dossier``, and the language."""
    try:  # joined by the action's lock, else read here
        preference: MessagePreference | None = dossier.message_preference
    except MessagePreference.DoesNotExist:
        preference = None
    procedure = procedure_messaging(dossier.procedure_id)
    if procedure is not None and procedure.kinds and kind not in procedure.kinds:
        return [], "vi"
    wanted: list[str] = []
    email = (preference is None or preference.email) and (procedure is None or procedure.email)
    if email and dossier.applicant_email:
        wanted.append(MessageChannel.EMAIL)
    sms = (preference is None or preference.sms) and (procedure is None or procedure.sms)
    if sms and dossier.applicant_phone.strip():
        wanted.append(MessageChannel.SMS)
    return wanted, preference.language if preference is not None else "vi"


def messages_for_event(*, dossier: Dossier, event: DossierEvent) -> list[Message]:
    """Write the messages ``event`` sends the applicant of ``dossier``, in the caller's
    transaction; return them (none if the entry concerns no applicant or every channel is off).
    """
    kind = message_kind_of(event, channel=dossier.channel)
    if kind is None:
        return []
    channels, language = _channels(dossier, kind)
    if not channels:
        return []
    subject, body, sms = _render(kind, language, message_context(dossier, event, kind))
    rows = []
    for channel in channels:
        email = channel == MessageChannel.EMAIL
        rows.append(
            Message(
                dossier=dossier,
                event=event,
                kind=kind,
                channel=channel,
                language=language,
                recipient=dossier.applicant_email if email else _phone(dossier.applicant_phone),
                subject=subject.strip()[:255] if email else "",
                body=body
                if email
                else sms_text(
                    sms,
                    unicode=settings.OUTBOX_SMS_UNICODE,
                    segments=settings.OUTBOX_SMS_MAX_SEGMENTS,
                ),
                next_attempt_at=event.at,
                created_at=event.at,
            )
        )
    return Message.objects.bulk_create(rows)


def message_lookup_code(
    *, phone: str, otp: str, minutes: int, language: str, now: dt.datetime
) -> Message:
    """Write the SMS carrying a one-time code to look up one's dossiers, in the caller's
    transaction, about no dossier (never on a dossier's page).

    The code is in the row's text only until it is sent or failed for good (``sending``),
    or until it expires unsent (``lookup_codes_expire``); it is never logged.
    """
    kind = MessageKind.LOOKUP_CODE
    if language not in dict(settings.LANGUAGES):
        language = "vi"
    *_, sms = _render(kind, language, {"otp": otp, "valid_minutes": minutes})
    return Message.objects.create(
        dossier=None,
        kind=kind,
        channel=MessageChannel.SMS,
        language=language,
        recipient=_phone(phone),
        body=sms_text(
            sms, unicode=settings.OUTBOX_SMS_UNICODE, segments=settings.OUTBOX_SMS_MAX_SEGMENTS
        ),
        next_attempt_at=now,
        created_at=now,
    )


LOOKUP_CODE_EXPIRED = "expired before it was sent"


def lookup_codes_expire(*, before: dt.datetime) -> int:
    """Give up the one-time code SMS still unsent that were written before ``before`` (their
    code has expired): failed, their text gone. Return how many."""
    return Message.objects.filter(
        status=MessageStatus.PENDING,
        next_attempt_at__lt=before,
        kind=MessageKind.LOOKUP_CODE,
    ).update(status=MessageStatus.FAILED, body=REDACTED_BODY, last_error=LOOKUP_CODE_EXPIRED)


def _phone(phone: str) -> str:
    """Return a phone number as the gateway takes it: digits only, "+84" as "84"."""
    return "".join(ch for ch in phone if ch.isdigit())


def message_preferences_set(
    *, dossier_id: int, email: bool = True, sms: bool = True, language: str = "vi"
) -> MessagePreference:
    """Record the channels and language the applicant of a dossier chose (no audit entry).

    ValidationFailed for a language not offered. For the system and the tests;
    the applicant's own change is ``message_preference_change``.
    """
    _check_language(language)
    preference, _ = MessagePreference.objects.update_or_create(
        dossier_id=dossier_id, defaults={"email": email, "sms": sms, "language": language}
    )
    return preference


def _check_language(language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(BAD_LANGUAGE, field_errors={LANGUAGE_INPUT: [BAD_LANGUAGE]})


def message_preference_first(*, dossier: Dossier, choice: MessageChoice) -> MessagePreference:
    """Record the choice made at submission for a dossier just inserted, in its transaction.

    One INSERT, kept on ``dossier`` so that the acknowledgement written next
    (``messages_for_event``) already follows it. The submission is the
    dossier's own record: no separate audit entry.
    """
    _check_language(choice.language)
    preference = MessagePreference.objects.create(
        dossier=dossier, email=choice.email, sms=choice.sms, language=choice.language
    )
    dossier.message_preference = preference
    return preference


PREFERENCE_FIELDS = ("email", "sms", "language")


def message_preference_change(
    *, dossier: Dossier, choice: MessageChoice, actor: Any = None
) -> MessagePreference:
    """Change the channels and language of a dossier's messages from now on; audited.

    The caller checked that ``actor`` may (the applicant of the dossier).
    Locks the dossier's preference row (``select_for_update``; created with the
    defaults if the dossier has none) so two changes at once apply in turn, and
    writes an audit entry with the choice before and after in the same
    transaction (none when nothing changed). Messages already written keep
    their channel and language.
    """
    _check_language(choice.language)
    with transaction.atomic():
        preference, created = MessagePreference.objects.select_for_update().get_or_create(
            dossier_id=dossier.pk
        )
        before = snapshot(preference, PREFERENCE_FIELDS)
        preference.email, preference.sms = choice.email, choice.sms
        preference.language = choice.language
        after = snapshot(preference, PREFERENCE_FIELDS)
        if created or changed(before, after):
            preference.save(update_fields=list(PREFERENCE_FIELDS))
        if changed(before, after):
            audit_record(
                action="dossier.message_preference_change",
                target=("dossiers.dossier", str(dossier.pk), dossier.code),
                actor=actor,
                before=before,
                after=after,
            )
    dossier.message_preference = preference
    return preference


def messages_retry(
    *,
    messages: QuerySet[Message] | Sequence[int],
    actor: Any = None,
    now: dt.datetime | None = None,
) -> int:
    """Send failed messages again (same idempotency key, fresh attempts); return how many.

    The retry is an audit entry naming the messages sent again. A one-time code is
    never sent again (its text is gone and the code has expired: the person asks anew).
    """
    ids = (
        messages
        if isinstance(messages, QuerySet)
        else Message.objects.filter(pk__in=list(messages))
    )
    with transaction.atomic():
        failed = list(
            ids.filter(status=MessageStatus.FAILED)
            .exclude(kind__in=SECRET_KINDS)
            .values_list("pk", flat=True)
        )
        count = Message.objects.filter(pk__in=failed, status=MessageStatus.FAILED).update(
            status=MessageStatus.PENDING,
            attempts=0,
            next_attempt_at=now or timezone.now(),
            lease_until=None,
            claim=None,
        )
        if count:
            audit_record(
                action="outbox.retry",
                target=("outbox.message", "", f"{count}"),
                actor=actor,
                after={"messages": failed},
            )
    return count
