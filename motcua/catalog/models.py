"""The procedure catalogue (thủ tục hành chính), versioned.

A ``Procedure`` is the stable identity that search and URLs use; its content
(time, fees, components, e-form) lives in immutable ``ProcedureVersion`` rows
so that a dossier keeps the version it was submitted under.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.organisation.models import GovernmentLevel


class OnlineLevel(models.TextChoices):
    """Online provision since Decree 42/2022."""

    FULL = "full", _("Fully online (toàn trình)")
    PARTIAL = "partial", _("Partially online (một phần)")
    NONE = "none", _("Not online")


class LegacyOnlineLevel(models.IntegerChoices):
    """Online levels of Decree 43/2011, kept for historic statistics."""

    INFORMATION = 1, _("Level 1: information")
    FORMS = 2, _("Level 2: downloadable forms")
    SUBMISSION = 3, _("Level 3: online submission")
    PAYMENT_AND_RESULT = 4, _("Level 4: online submission, payment and result")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "days", _("working days")
    WORKING_HOURS = "hours", _("working hours")


class Field(models.Model):
    """A field of administration (lĩnh vực), e.g. civil status, construction."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """An administrative procedure as published; its content is in its versions."""

    code = models.CharField(
        _("local code"), max_length=60, unique=True, help_text=_("e.g. 2.001218.000.00.00.H38")
    )
    national_code = models.CharField(_("national code"), max_length=20, db_index=True)
    name = models.CharField(_("name"), max_length=500)
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="procedures")
    agency = models.ForeignKey(
        "organisation.Agency",
        on_delete=models.PROTECT,
        related_name="procedures",
        verbose_name=_("competent agency"),
    )
    level = models.CharField(
        _("level of government"), max_length=10, choices=GovernmentLevel.choices
    )
    online_level = models.CharField(
        _("online level"), max_length=10, choices=OnlineLevel.choices, default=OnlineLevel.NONE
    )
    legacy_online_level = models.PositiveSmallIntegerField(
        _("level under Decree 43/2011"), choices=LegacyOnlineLevel.choices, null=True, blank=True
    )
    accepts_counter = models.BooleanField(_("accepted at the counter"), default=True)
    accepts_online = models.BooleanField(_("accepted online"), default=False)
    accepts_post = models.BooleanField(
        _("accepted through the public postal service"), default=False
    )
    returns_by_post = models.BooleanField(_("result may be returned by post"), default=True)
    boundary_free = models.BooleanField(_("boundary-free (phi địa giới)"), default=True)
    is_published = models.BooleanField(_("published"), default=True)
    current_version = models.ForeignKey(
        "ProcedureVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    # Denormalised from the current version for list pages and search.
    processing_time_value = models.DecimalField(max_digits=6, decimal_places=1, default=Decimal(0))
    processing_time_unit = models.CharField(
        max_length=5, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["name"]
        indexes = [models.Index(fields=["agency", "is_published"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProcedureVersion(models.Model):
    """One published state of a procedure's content. Never edited once a dossier uses it."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=500)
    processing_time_value = models.DecimalField(
        _("legal processing time"), max_digits=6, decimal_places=1
    )
    processing_time_unit = models.CharField(
        _("unit"), max_length=5, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    processing_time_note = models.CharField(
        _("processing time note"), max_length=255, blank=True, help_text=_("e.g. up to 15 days")
    )
    same_day_cutoff_applies = models.BooleanField(
        _("same-day: received after the cut-off, due next working day"), default=False
    )
    fee_note = models.TextField(_("fees and exemptions"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    requirements = models.TextField(_("conditions"), blank=True)
    result_name = models.CharField(_("result"), max_length=255, blank=True)
    eform = models.JSONField(_("e-form definition"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"


class Component(models.Model):
    """A required component of the dossier (thành phần hồ sơ)."""

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="components"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.TextField(_("name"))
    originals = models.PositiveSmallIntegerField(_("originals"), default=0)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    is_required = models.BooleanField(_("required"), default=True)
    reusable = models.BooleanField(_("may be reused from digitised data"), default=False)
    template = models.FileField(_("template form"), upload_to="templates/", blank=True)
    template_name = models.CharField(_("template name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.name


class FeeKind(models.TextChoices):
    FEE = "fee", _("fee (phí)")
    CHARGE = "charge", _("charge (lệ phí)")


class Fee(models.Model):
    """A fee or charge of a procedure version, in VND."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    kind = models.CharField(_("kind"), max_length=10, choices=FeeKind.choices)
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    exemptions = models.TextField(_("exemptions"), blank=True)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["version", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:,} VND"
