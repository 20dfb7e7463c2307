"""Messages to applicants: one outbox row per channel per step, and the texts they are made of.

A row is written in the transaction of the change it tells about (a rolled
back action writes none) and sent later by the worker (``sending``), exactly
once as far as the applicant can tell: a row is claimed with a lease, sent
with its own idempotency key, and marked sent; a worker that dies mid-send
leaves a lease that expires, and the retry carries the same key, which the
SMS gateway deduplicates.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", _("Submission acknowledged")
    ACCEPTED = "accepted", _("Accepted, with the receipt")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    SUPPLEMENT_RECEIVED = "supplement_received", _("Supplement received")
    FEE_REQUESTED = "fee_requested", _("Fee requested")
    PAYMENT_RECEIVED = "payment_received", _("Payment received, with the receipt")
    EXTENDED = "extended", _("Delay, with an apology and the new date")
    REFUSED = "refused", _("Refused")
    STOPPED = "stopped", _("Processing stopped")
    WITHDRAWAL_ACCEPTED = "withdrawal_accepted", _("Withdrawal accepted")
    WITHDRAWAL_REFUSED = "withdrawal_refused", _("Withdrawal refused")
    RESULT_READY = "result_ready", _("Result ready")
    RESULT_RETURNED = "result_returned", _("Result returned")
    LOOKUP_CODE = "lookup_code", _("One-time code to look up one's dossiers")


# Kinds about no one dossier: written without one, never listed on a dossier's page, and
# their text (a secret) replaced once sent or failed for good (``sending._finish``).
SECRET_KINDS = frozenset({MessageKind.LOOKUP_CODE.value})
REDACTED_BODY = "[...]"


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("To send")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


def new_idempotency_key() -> str:
    """Return a fresh key: 32 hex characters, within the 50 the SMS gateway takes."""
    return uuid.uuid4().hex


class Message(models.Model):
    """One message to the applicant of a dossier, on one channel.

    A one-time code to look up one's dossiers (``MessageKind.LOOKUP_CODE``)
    has no dossier: it tells nothing about one, and the dossier's page lists
    only the messages of that dossier. ``recipient`` is the address or phone
    number it goes to (personal data: never logged). ``claim`` and
    ``lease_until`` belong to the worker sending it; ``idempotency_key`` is
    sent with every attempt.
    """

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("dossier"),
    )
    event = models.ForeignKey(
        "dossiers.DossierEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("timeline entry"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=MessageKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    language = models.CharField(_("language"), max_length=10, default="vi")
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("message"))
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=50, unique=True, default=new_idempotency_key
    )
    provider_ref = models.CharField(_("gateway reference"), max_length=100, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message to an applicant")
        verbose_name_plural = _("messages to applicants")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel"],
                condition=models.Q(event__isnull=False),
                name="message_once_per_event_channel",
            )
        ]
        indexes = [
            models.Index(fields=["dossier", "created_at"], name="message_of_dossier"),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="message_to_send",
            ),
            models.Index(
                fields=["lease_until"],
                condition=models.Q(status="sending"),
                name="message_leased",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_channel_display()}) #{self.pk}"


class MessageTemplate(models.Model):
    """The texts of one kind of message in one language, editable by an administrator.

    Rendered with Django's template language from a small context (see
    ``rendering.CONTEXT_NAMES``); the SMS text is folded to ASCII when the
    gateway is not asked for Unicode.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=MessageKind.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("e-mail subject"), max_length=255)
    body = models.TextField(_("e-mail text"))
    sms = models.TextField(_("SMS text"))

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="message_template_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"


class MessagePreference(models.Model):
    """Which channels the applicant of a dossier wants, and in which language.

    No row: every channel, in Vietnamese. Chosen at submission for now;
    linked to the applicant's account when there is one.
    """

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="message_preference",
        verbose_name=_("dossier"),
    )
    email = models.BooleanField(_("by e-mail"), default=True)
    sms = models.BooleanField(_("by SMS"), default=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="vi"
    )

    class Meta:
        verbose_name = _("message preference")
        verbose_name_plural = _("message preferences")

    def __str__(self) -> str:
        return str(self.dossier_id)


class ProcedureMessaging(models.Model):
    """Which messages the dossiers of one procedure send, on which channels.

    No row: every kind on every channel. ``kinds`` empty: every kind.
    """

    procedure = models.OneToOneField(
        "catalog.Procedure",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="messaging",
        verbose_name=_("procedure"),
    )
    email = models.BooleanField(_("send e-mails"), default=True)
    sms = models.BooleanField(_("send SMS"), default=True)
    kinds = models.JSONField(
        _("kinds sent"),
        default=list,
        blank=True,
        help_text=_("Leave empty to send every kind."),
    )

    class Meta:
        verbose_name = _("messages of a procedure")
        verbose_name_plural = _("messages of procedures")

    def __str__(self) -> str:
        return str(self.procedure)
