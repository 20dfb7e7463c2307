"""The audit log: an append-only record of who changed or read what, when and from where.

Dossier transitions have their own timeline (``dossiers.DossierEvent``);
everything else an administrator or officer changes (roles, processes,
procedures and fees, calendar, settings) leaves an ``AuditEntry`` written in
the transaction of the change; every read of personal data (kind ``read``)
leaves one once the read succeeded, saying through which channel. Only the
retention purge removes entries, and it records itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

APPEND_ONLY = "Audit entries are append-only"


class AuditKind(models.TextChoices):
    CHANGE = "change", _("Change")
    READ = "read", _("Read of personal data")
    ACCESS = "access", _("Sign-in and access")


class AuditChannel(models.TextChoices):
    """Through what a read reached the data."""

    PAGE = "page", _("Web page")
    API = "api", _("Staff API")
    ADMIN = "admin", _("Admin")


class ReadAction(models.TextChoices):
    """What was read: the ``action`` of the entries of kind ``read``."""

    DOSSIER = "dossier.open", _("Dossier opened")
    FILE = "dossier.file", _("File of a component downloaded")
    RESULT = "dossier.result", _("Result document downloaded")
    RECEIPT = "dossier.receipt", _("Receipt printed")
    FORM = "dossier.form", _("Form printed")
    REGISTER = "register.export", _("Register exported")
    LOOKUP = "dossier.lookup", _("Dossier listed after a one-time code lookup")
    APPLICANT = "applicant.open", _("Applicant's details opened")


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    """Refuse bulk updates and deletes: entries are never rewritten.

    The one way out is ``purge_older``, which only the retention purge
    (``services.audit_purge``) calls, and which that purge records itself.
    """

    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError(APPEND_ONLY)

    def delete(self) -> NoReturn:
        raise PermissionError(APPEND_ONLY)

    def purge_older(self, *, kinds: Iterable[str], before: dt.datetime) -> int:
        """Delete the entries of ``kinds`` older than ``before`` in one statement; return how many.

        For ``services.audit_purge`` only: the retention the province set, recorded.
        """
        doomed = self.filter(kind__in=list(kinds), at__lt=before)
        deleted, _by_model = models.QuerySet.delete(doomed)
        return deleted


class AuditEntry(models.Model):
    """One audited change or read: actor, time, address, object, before and after."""

    at = models.DateTimeField(_("time"))
    kind = models.CharField(
        _("kind"), max_length=10, choices=AuditKind.choices, default=AuditKind.CHANGE
    )
    action = models.CharField(_("action"), max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_name = models.CharField(
        _("by (username)"), max_length=150, blank=True, help_text=_("Empty: the system.")
    )
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    channel = models.CharField(
        _("access channel"), max_length=8, choices=AuditChannel.choices, blank=True, default=""
    )

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_newest"),
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object"),
            models.Index(fields=["actor", "-at"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse to rewrite an entry: the log is append-only."""
        if not self._state.adding:
            raise PermissionError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError(APPEND_ONLY)
