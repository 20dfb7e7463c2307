"""Fee payments: a payment (one or several dossiers of one applicant), its lines, what the
gateways told us, receipts, refunds and what reconciliation found.

A dossier's fee line (``dossiers.DossierFee``, identified by its dossier and
code) is paid once: the line of the payment that settled it is ``settled``,
and a partial unique index allows one settled line per dossier and code
(``payment_fee_paid_once``) on every database. A refund unsettles the line;
the services check the same under the dossier's lock first, so the index is
the last guard, not the first.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import FeeKind

REFERENCE_PATTERN = r"^[A-Za-z0-9]{8,34}$"


class Method(models.TextChoices):
    ONLINE = "online", _("Online")
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")


class PaymentState(models.TextChoices):
    """The payment states of one-stop systems (chưa, chờ, đã thanh toán, hủy, hoàn phí)."""

    NOT_PAID = "not_paid", _("Not paid")
    PENDING = "pending", _("Waiting for the gateway")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


OPEN_STATES = (PaymentState.NOT_PAID, PaymentState.PENDING)


class Payment(models.Model):
    """One payment of the fees of one or several dossiers of one applicant (a basket)."""

    reference = models.CharField(
        _("our reference"),
        max_length=34,
        unique=True,
        help_text=_("Unique, 8 to 34 letters and digits: the order reference sent to the gateway."),
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    gateway = models.CharField(
        _("gateway"), max_length=20, blank=True, help_text=_("Code of the online gateway.")
    )
    state = models.CharField(
        _("state"), max_length=10, choices=PaymentState.choices, default=PaymentState.NOT_PAID
    )
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    collecting_agency = models.ForeignKey(
        "organisation.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("collecting agency"),
    )
    payer_name = models.CharField(_("payer"), max_length=200)
    payer_id_number = models.CharField(_("payer's identification number"), max_length=12)
    payer_address = models.CharField(_("payer's address"), max_length=500, blank=True)
    gateway_transaction = models.CharField(_("gateway transaction"), max_length=64, blank=True)
    gateway_response = models.CharField(_("gateway response code"), max_length=20, blank=True)
    receipt_number = models.CharField(
        _("counter receipt number"),
        max_length=40,
        blank=True,
        help_text=_("The number of the paper or bank receipt an officer recorded."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    next_check_at = models.DateTimeField(
        _("next query to the gateway"),
        null=True,
        blank=True,
        help_text=_("When reconciliation asks the gateway again about this pending payment."),
    )
    checks = models.PositiveSmallIntegerField(_("queries made"), default=0)
    duplicate = models.BooleanField(
        _("paid twice"),
        default=False,
        help_text=_("Confirmed for fees another payment had already settled: to refund."),
    )
    refunded_amount = models.PositiveBigIntegerField(_("refunded (VND)"), default=0)
    settled_at = models.DateTimeField(
        _("settled at"),
        null=True,
        blank=True,
        help_text=_(
            "When the paid payment's fee lines were settled, its receipt issued and its dossiers"
            " moved on (by the payments worker, after the gateway's confirmation)."
        ),
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["payer_id_number", "-created_at"], name="payment_payer"),
            # Reconciliation: pending online payments due for a query, oldest first.
            models.Index(
                fields=["next_check_at"],
                condition=models.Q(state="pending"),
                name="payment_pending_check",
            ),
            # The sweep: paid payments the worker has not settled yet, oldest first.
            models.Index(
                fields=["paid_at"],
                condition=models.Q(state="paid", settled_at__isnull=True),
                name="payment_unsettled",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reference__regex=REFERENCE_PATTERN),
                name="payment_reference_format",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(method="online") | ~models.Q(gateway=""),
                name="payment_online_has_gateway",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["paid", "refunded"])
                | models.Q(paid_at__isnull=False),
                name="payment_paid_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_amount__lte=models.F("amount")),
                name="payment_refund_not_above_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class PaymentLine(models.Model):
    """One fee line of one dossier in a payment (a copy of ``DossierFee`` when paid for)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="lines")
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="payment_lines"
    )
    fee_code = models.CharField(_("fee code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=FeeKind.choices)
    name = models.CharField(_("name"), max_length=255)
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    rule_text = models.CharField(_("how it was counted"), max_length=500, blank=True)
    settled = models.BooleanField(
        _("settled"),
        default=False,
        help_text=_("This line paid the dossier's fee (until a refund)."),
    )

    class Meta:
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        ordering = ["payment", "dossier", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "dossier", "fee_code"], name="payment_line_unique"
            ),
            # A dossier's fee is paid once, unless the payment was refunded (unsettled).
            models.UniqueConstraint(
                fields=["dossier", "fee_code"],
                condition=models.Q(settled=True),
                name="payment_fee_paid_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} {self.dossier_id} {self.fee_code}"


class Notification(models.Model):
    """A gateway's server-to-server notification, recorded raw before it is acted on."""

    gateway = models.CharField(max_length=20)
    received_at = models.DateTimeField(db_index=True)
    http_method = models.CharField(max_length=6)
    raw = models.JSONField(default=dict)
    reference = models.CharField(max_length=64, blank=True, db_index=True)
    answer = models.CharField(max_length=30, blank=True)
    payment = models.ForeignKey(
        Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )

    class Meta:
        verbose_name = _("gateway notification")
        verbose_name_plural = _("gateway notifications")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.gateway} {self.reference} {self.answer}"


class RefundState(models.TextChoices):
    """Where a refund stands: asked of the gateway, done, or not done (nothing paid back)."""

    WAITING = "waiting", _("Awaiting the gateway's answer")
    DONE = "done", _("Refunded")
    REFUSED = "refused", _("Not refunded")


class Refund(models.Model):
    """A refund of all or part of a payment, through the gateway or paid back another way.

    Through the gateway, it is on record ``WAITING`` (its amount reserved on
    the payment) before the gateway is asked, then ``DONE`` or ``REFUSED``
    with the gateway's answer; one left waiting (the process died in between,
    or the gateway did not answer) is settled by reconciliation
    (``reconciliation.refunds_sweep``), which asks the gateway again.
    """

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=10, choices=RefundState.choices, default=RefundState.WAITING
    )
    outside_gateway = models.BooleanField(
        _("paid back outside the gateway"),
        default=False,
        help_text=_("Paid back at the counter, by the treasury or by a bank transfer."),
    )
    gateway_transaction = models.CharField(max_length=64, blank=True)
    response_code = models.CharField(max_length=20, blank=True)
    message = models.CharField(
        _("gateway's message"), max_length=500, blank=True, help_text=_("As the gateway said it.")
    )
    checks = models.PositiveSmallIntegerField(_("queries made"), default=0)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-at", "-id"]
        indexes = [
            # Reconciliation: the refunds still waiting for the gateway, oldest first.
            models.Index(fields=["at"], condition=models.Q(state="waiting"), name="refund_waiting"),
            # The statistics refresh: the refunds settled since its last run.
            models.Index(fields=["settled_at"], name="refund_settled"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} -{self.amount}"

    @property
    def ok(self) -> bool:
        """Tell whether the money was paid back."""
        return self.state == RefundState.DONE


# The receipt symbols an agency without its own ``Collector`` row prints: an assumption (see
# docs/architecture.md, "Receipts: form symbol and series"), to be replaced by what each
# collecting agency registered with its tax authority.
DEFAULT_FORM_SYMBOL = "01BLP0-001"
DEFAULT_SERIES_LETTERS = "AA"


def receipt_series(letters: str, year: int) -> str:
    """Return the series (ký hiệu biên lai) of a year's electronic receipts: ``AA-26E``."""
    return f"{letters}-{year % 100:02d}E"


class Collector(models.Model):
    """What an agency's fee receipts print: its tax code, the receipt form and series letters.

    One row per collecting agency (edited in the admin, audited); an agency
    without one prints ``DEFAULT_FORM_SYMBOL`` and ``DEFAULT_SERIES_LETTERS``.
    """

    agency = models.OneToOneField(
        "organisation.Agency", on_delete=models.CASCADE, related_name="collector"
    )
    tax_code = models.CharField(
        _("tax code"),
        max_length=14,
        validators=[RegexValidator(r"^\d{10}(-\d{3})?$", _("10 digits, or 10-3 digits."))],
    )
    form_symbol = models.CharField(
        _("receipt form symbol"),
        max_length=20,
        default=DEFAULT_FORM_SYMBOL,
        validators=[
            RegexValidator(r"^[0-9A-Z][0-9A-Z/-]{0,19}$", _("Capital letters, digits, - and /."))
        ],
        help_text=_("Ký hiệu mẫu biên lai, as registered with the tax authority."),
    )
    series_letters = models.CharField(
        _("receipt series letters"),
        max_length=4,
        default=DEFAULT_SERIES_LETTERS,
        validators=[RegexValidator(r"^[A-Z]{1,4}$", _("One to four capital letters."))],
        help_text=_(
            "The letters of the series (ký hiệu biên lai), e.g. AA in AA-26E: the two digits of "
            "the year and E (electronic) follow."
        ),
    )

    class Meta:
        verbose_name = _("fee collector")
        verbose_name_plural = _("fee collectors")

    def __str__(self) -> str:
        return f"{self.agency_id} {self.tax_code}"


class ReceiptSequence(models.Model):
    """The last receipt number an agency issued in a year (``core.counters.counter_next``)."""

    agency = models.ForeignKey("organisation.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="receipt_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last_number}"


class Receipt(models.Model):
    """The electronic fee receipt (biên lai điện tử) of a paid payment, numbered without gaps."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    agency = models.ForeignKey("organisation.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField(_("number"))
    form_symbol = models.CharField(_("form symbol"), max_length=20)
    series = models.CharField(_("series"), max_length=10)
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True)
    collected_by = models.CharField(_("collected by"), max_length=200)
    issued_at = models.DateTimeField(_("issued at"))
    pdf = models.FileField(upload_to="fee-receipts/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("fee receipt")
        verbose_name_plural = _("fee receipts")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "number"], name="receipt_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.display_number}"

    @property
    def display_number(self) -> str:
        """Return the number as printed: seven digits (0000001)."""
        return f"{self.number:07d}"


class MismatchKind(models.TextChoices):
    PAID_NOT_HERE = "paid_not_here", _("Paid at the gateway, not here")
    AMOUNT_DIFFERS = "amount_differs", _("The amount differs")
    PAID_TWICE = "paid_twice", _("Paid twice")
    UNKNOWN = "unknown", _("Unknown to us")


class Mismatch(models.Model):
    """What reconciliation found that does not match, for an accountant to resolve."""

    kind = models.CharField(_("kind"), max_length=20, choices=MismatchKind.choices)
    gateway = models.CharField(_("gateway"), max_length=20)
    reference = models.CharField(_("reference"), max_length=64)
    gateway_transaction = models.CharField(_("gateway transaction"), max_length=64, blank=True)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="mismatches"
    )
    day = models.DateField(_("statement day"), null=True, blank=True)
    gateway_amount = models.PositiveBigIntegerField(_("amount at the gateway"), null=True)
    our_amount = models.PositiveBigIntegerField(_("amount here"), null=True, blank=True)
    found_at = models.DateTimeField(_("found at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        verbose_name = _("reconciliation mismatch")
        verbose_name_plural = _("reconciliation mismatches")
        ordering = ["resolved_at", "-found_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "gateway", "reference", "gateway_transaction"],
                name="mismatch_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.gateway} {self.reference}"


class StatementImport(models.Model):
    """A gateway's statement of a day, imported once (the periodic job skips it after)."""

    gateway = models.CharField(max_length=20)
    day = models.DateField()
    imported_at = models.DateTimeField()
    lines = models.PositiveIntegerField(default=0)
    mismatches = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("statement import")
        verbose_name_plural = _("statement imports")
        constraints = [
            models.UniqueConstraint(fields=["gateway", "day"], name="statement_import_unique")
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.day}"
