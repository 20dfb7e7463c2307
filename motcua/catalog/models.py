"""The procedure catalogue (thủ tục hành chính), versioned.

A ``Procedure`` is the stable identity that search and URLs use; its content
(time, fees, components, e-form) lives in immutable ``ProcedureVersion`` rows
so that a dossier keeps the version it was submitted under.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
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


class ProvisionLevel(models.TextChoices):
    """Levels of government in the catalogue's history (districts existed until July 2025)."""

    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District (before 2025)")
    COMMUNE = "commune", _("Commune")
    MINISTRY = "ministry", _("Ministry branch")


class ProvisionSource(models.TextChoices):
    CATALOG = "catalog", _("a change in the catalogue")
    IMPORT = "import", _("an import of the catalogue as it was")
    BACKFILL = "backfill", _("the catalogue when its history began")


class ProcedureProvision(models.Model):
    """How a procedure was offered from ``valid_from`` until the day before ``valid_to``.

    The rows of a procedure never overlap (``catalog.history`` keeps them so);
    ``valid_to`` null means still so. ``online_level`` is empty where the
    procedure was not classified under Decree 42/2022 (an old catalogue).
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="provisions")
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until (excluded)"), null=True, blank=True)
    online_level = models.CharField(
        _("online level"), max_length=10, choices=OnlineLevel.choices, blank=True
    )
    legacy_online_level = models.PositiveSmallIntegerField(
        _("level under Decree 43/2011"), choices=LegacyOnlineLevel.choices, null=True, blank=True
    )
    is_published = models.BooleanField(_("published"))
    agency = models.ForeignKey(
        "organisation.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("competent agency"),
    )
    level = models.CharField(
        _("level of government"), max_length=10, choices=ProvisionLevel.choices
    )
    source = models.CharField(_("source"), max_length=10, choices=ProvisionSource.choices)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("procedure provision")
        verbose_name_plural = _("procedure provisions")
        ordering = ["procedure", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "valid_from"], name="procedure_provision_start_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="procedure_provision_period",
            ),
            models.CheckConstraint(
                condition=models.Q(legacy_online_level__isnull=True)
                | models.Q(legacy_online_level__gte=1, legacy_online_level__lte=4),
                name="procedure_provision_legacy_level",
            ),
        ]
        indexes = [
            # "As of a date": the rows that began by then, and end after it or never.
            models.Index(fields=["valid_from", "valid_to"], name="provision_as_of"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.valid_from}..{self.valid_to or ''}"


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
    steps = models.JSONField(
        _("steps to follow"),
        default=list,
        blank=True,
        help_text=_("Trình tự thực hiện: the steps, in order, one text each."),
    )
    applicants = models.TextField(
        _("who may apply"),
        blank=True,
        help_text=_("Đối tượng thực hiện, e.g. Công dân Việt Nam; Tổ chức, cá nhân."),
    )
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
    template_name = models.CharField(
        _("template name"),
        max_length=100,
        blank=True,
        help_text=_(
            "The name of the form this component is written on (theo mẫu), e.g. "
            "Tờ khai đăng ký khai sinh; empty when it has no form."
        ),
    )

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.name


class FeeKind(models.TextChoices):
    FEE = "fee", _("fee (phí)")
    CHARGE = "charge", _("charge (lệ phí)")


class FeeBasis(models.TextChoices):
    """What a fee's amount is counted on."""

    DOSSIER = "dossier", _("a fixed amount per dossier")
    COPY = "copy", _("per copy")
    PAGE = "page", _("per page of each copy")


class FeeDue(models.TextChoices):
    """When a fee is paid: before (thu trước), after (thu sau), exempt (miễn), none (không thu)."""

    BEFORE = "before", _("at submission (thu trước)")
    AFTER = "after", _("when the result is returned (thu sau)")
    EXEMPT = "exempt", _("exempt (miễn)")
    NONE = "none", _("not charged (không thu)")


class QuantitySource(models.TextChoices):
    """Who gives the counts a fee is computed on."""

    EFORM = "eform", _("the applicant, in the e-form")
    COUNTER = "counter", _("the officer, at intake")


class ExemptionTrigger(models.TextChoices):
    CLAIM = "claim", _("claimed by the applicant, with a proof the officer checks")
    CHANNEL = "channel", _("by itself, for dossiers submitted through a channel")


class SubmissionChannel(models.IntegerChoices):
    """The channels of submission, as the dossiers app numbers them (KenhThucHien)."""

    COUNTER = 1, _("At the counter")
    ONLINE = 2, _("Online")
    POST = 3, _("Public postal service")


class Fee(models.Model):
    """A fee or charge rule of a procedure version; amounts in whole VND.

    ``amount`` is the price of one unit (the dossier, a copy, or a page of a
    copy); ``tiers`` lower (or raise) it from a given unit on, e.g.
    ``[{"from": 3, "amount": 1000}]`` for "from the 3rd page"; ``cap`` is the
    most one copy costs (per page) or the whole line costs (per copy). The
    counts come from the e-form fields or the counter inputs named by
    ``copies_field`` and ``pages_field``.
    """

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    code = models.CharField(
        _("code"), max_length=40, help_text=_("Identifies the fee line in payments, e.g. LP-HT.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=FeeKind.choices)
    name = models.CharField(_("name"), max_length=255)
    basis = models.CharField(
        _("counted on"), max_length=10, choices=FeeBasis.choices, default=FeeBasis.DOSSIER
    )
    amount = models.PositiveBigIntegerField(_("amount per unit (VND)"))
    tiers = models.JSONField(
        _("tiers"),
        default=list,
        blank=True,
        help_text=_("Other amounts from a given unit on, e.g. from the 3rd page."),
    )
    cap = models.PositiveBigIntegerField(
        _("maximum (VND)"),
        null=True,
        blank=True,
        help_text=_("Per copy for a per-page fee; for the whole line for a per-copy fee."),
    )
    due = models.CharField(_("paid"), max_length=10, choices=FeeDue.choices, default=FeeDue.BEFORE)
    quantity_source = models.CharField(
        _("counts given by"),
        max_length=10,
        choices=QuantitySource.choices,
        default=QuantitySource.EFORM,
    )
    copies_field = models.CharField(
        _("number of copies from"),
        max_length=40,
        blank=True,
        help_text=_("The e-form field (or counter input) with the number of copies."),
    )
    pages_field = models.CharField(
        _("number of pages from"),
        max_length=40,
        blank=True,
        help_text=_("The e-form field (or counter input) with the number of pages of a copy."),
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["version", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="fee_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class FeeExemption(models.Model):
    """An exemption (100 %) or reduction of some fees of a version, claimed or by channel."""

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="fee_exemptions"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(
        _("who or what"), max_length=255, help_text=_("e.g. Người thuộc hộ nghèo")
    )
    fee_codes = models.CharField(
        _("fees it applies to"),
        max_length=255,
        blank=True,
        help_text=_("Fee codes separated by commas; empty: every fee of the version."),
    )
    trigger = models.CharField(
        _("applies"),
        max_length=10,
        choices=ExemptionTrigger.choices,
        default=ExemptionTrigger.CLAIM,
    )
    channel = models.PositiveSmallIntegerField(
        _("channel"), choices=SubmissionChannel.choices, null=True, blank=True
    )
    percent = models.PositiveSmallIntegerField(
        _("reduction (%)"), default=100, help_text=_("100: exempt; 50: half the amount.")
    )
    proof = models.CharField(
        _("proof the officer checks"),
        max_length=255,
        blank=True,
        help_text=_("e.g. Giấy chứng nhận hộ nghèo còn hiệu lực"),
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    valid_from = models.DateField(_("in force from"), null=True, blank=True)
    valid_until = models.DateField(_("in force until"), null=True, blank=True)

    class Meta:
        verbose_name = _("fee exemption or reduction")
        verbose_name_plural = _("fee exemptions and reductions")
        ordering = ["version", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="fee_exemption_code_unique"),
            models.CheckConstraint(
                condition=models.Q(percent__gte=1, percent__lte=100),
                name="fee_exemption_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProcessingCase(models.Model):
    """A case in which the law gives a version another processing time (e.g. verification).

    The version's own time is the ordinary case; the officer chooses one of
    these for a dossier, and the dossier's due date follows its time.
    """

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="processing_cases"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.CharField(
        _("code"), max_length=40, help_text=_("Identifies the case in a dossier, e.g. XAC-MINH.")
    )
    name = models.CharField(_("name"), max_length=255, help_text=_("e.g. Trường hợp cần xác minh"))
    processing_time_value = models.DecimalField(
        _("legal processing time"), max_digits=6, decimal_places=1
    )
    processing_time_unit = models.CharField(
        _("unit"), max_length=5, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    note = models.TextField(_("when it applies"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)

    class Meta:
        verbose_name = _("processing-time case")
        verbose_name_plural = _("processing-time cases")
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="processing_case_code_unique"),
            models.CheckConstraint(
                condition=models.Q(processing_time_value__gt=0, processing_time_value__lt=10_000),
                name="processing_case_time_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SearchAbbreviation(models.Model):
    """A common abbreviation the catalogue search understands, e.g. LLTP -> lý lịch tư pháp.

    ``key`` is the abbreviation folded (``motcua.core.text.fold``: "ĐKKD" ->
    "dkkd"), kept by ``services.search_abbreviation_save``.
    """

    abbreviation = models.CharField(_("abbreviation"), max_length=20)
    key = models.CharField(max_length=20, unique=True, editable=False)
    expansion = models.CharField(
        _("stands for"), max_length=200, help_text=_("e.g. lý lịch tư pháp")
    )

    class Meta:
        verbose_name = _("search abbreviation")
        verbose_name_plural = _("search abbreviations")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.abbreviation}: {self.expansion}"
