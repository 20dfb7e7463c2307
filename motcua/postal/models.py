"""The public postal service (bưu chính công ích): dossiers collected and results delivered.

An ``Order`` is one trip of the post for one dossier: a **collection** (the
post collects the applicant's paper dossier at home or at a postal point and
brings it to the one-stop unit; the dossier exists only once the unit has
received it, then ``Order.dossier`` is set) or a **delivery** (the post takes
a result from the unit to the applicant; a failed delivery comes back, and a
re-sent one is a new order pointing to the failed one by ``previous``).

The post's worker records what was collected (``OrderItem``: components with
originals and copies, against the procedure's published list). Packages
change hands with a signed hand-over record (``Handover``, biên bản giao
nhận; ``HandoverLine`` per order, with the recount). The post's events
(``TrackingEvent``) are kept as received, once each, whatever their order of
arrival; ``TrackingCursor`` is where the periodic pull of a carrier's events
has got to. Postal charges are data (``Tariff``), valid from a date.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PostalUnit(models.Model):
    """A post office or postal service point (bưu cục, điểm phục vụ) whose workers serve units."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    address = models.CharField(_("address"), max_length=255, blank=True)
    administrative_unit = models.ForeignKey(
        "territory.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune or ward"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    serves = models.ManyToManyField(
        "organisation.Agency",
        blank=True,
        related_name="postal_units",
        verbose_name=_("one-stop units served"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("postal unit")
        verbose_name_plural = _("postal units")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PostalWorker(models.Model):
    """A user who works for the post in ``unit`` (collects, delivers, hands over)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="postal_worker"
    )
    unit = models.ForeignKey(PostalUnit, on_delete=models.PROTECT, related_name="workers")
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("postal worker")
        verbose_name_plural = _("postal workers")

    def __str__(self) -> str:
        return f"{self.user} ({self.unit.code})"


class Service(models.TextChoices):
    COLLECTION = "collection", _("Collection of a dossier")
    DELIVERY = "delivery", _("Delivery of a result")


class Tariff(models.Model):
    """A postal charge, per service and zone, valid from a date (caps: Circular 22/2017)."""

    class Zone(models.TextChoices):
        SAME_DISTRICT = "local", _("Within the commune's area")
        PROVINCE = "province", _("Within the province")
        OTHER_PROVINCE = "other", _("Another province")

    service = models.CharField(_("service"), max_length=12, choices=Service.choices)
    zone = models.CharField(_("zone"), max_length=10, choices=Zone.choices)
    amount = models.PositiveBigIntegerField(_("charge (VND)"))
    valid_from = models.DateField(_("valid from"))
    basis = models.CharField(_("legal basis"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("postal charge")
        verbose_name_plural = _("postal charges")
        ordering = ["service", "zone", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "zone", "valid_from"], name="postal_tariff_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.zone} {self.amount} ({self.valid_from})"


class OrderState(models.TextChoices):
    """One list for both kinds; ``services`` keeps which moves each kind allows."""

    REQUESTED = "requested", _("Requested, not yet registered with the post")
    REGISTERED = "registered", _("Registered with the post")
    COLLECTING = "collecting", _("Being collected")
    REFUSED = "refused", _("Not collected: something missing")
    COLLECTED = "collected", _("Collected and sealed")
    HANDED_OVER = "handed_over", _("Handed over (hand-over record signed)")
    RECEIVED = "received", _("Received by the one-stop unit")
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Delivery failed")
    RETURNED = "returned", _("Returned to the one-stop unit")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    """One trip of the post for one dossier: a collection or a delivery."""

    service = models.CharField(_("service"), max_length=12, choices=Service.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=OrderState.choices, default=OrderState.REQUESTED
    )
    number = models.CharField(
        _("order number"), max_length=40, unique=True, help_text=_("Ours, sent to the post.")
    )
    tracking_number = models.CharField(
        _("postal tracking number"), max_length=40, blank=True, db_index=True
    )
    carrier = models.CharField(_("carrier"), max_length=20, default="vnpost")
    unit = models.ForeignKey(
        "organisation.Agency",
        on_delete=models.PROTECT,
        related_name="postal_orders",
        verbose_name=_("one-stop unit"),
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.PROTECT, related_name="postal_orders"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="postal_orders",
        help_text=_("A collection's dossier exists once the one-stop unit has received it."),
    )
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next",
        verbose_name=_("re-sends the order"),
    )
    postal_unit = models.ForeignKey(
        PostalUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    worker = models.ForeignKey(
        PostalWorker,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("assigned postal worker"),
    )
    # The applicant (collection: the sender; delivery: the receiver).
    person_name = models.CharField(_("name"), max_length=200)
    id_number = models.CharField(_("identification number"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=20)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=500)
    administrative_unit = models.ForeignKey(
        "territory.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune or ward"),
    )
    at_postal_point = models.BooleanField(
        _("at a postal point"), default=False, help_text=_("Not at home: at a post office.")
    )
    wanted_on = models.DateField(_("wanted on"), null=True, blank=True)
    # Money: the agency's fees collected by the post (cash on delivery) and the post's charge.
    fees_amount = models.PositiveBigIntegerField(_("fees to collect (VND)"), default=0)
    charge_amount = models.PositiveBigIntegerField(_("postal charge (VND)"), default=0)
    fees_collected = models.PositiveBigIntegerField(_("fees collected (VND)"), default=0)
    charge_collected = models.PositiveBigIntegerField(_("charge collected (VND)"), default=0)
    receipt_number = models.CharField(_("post's receipt number"), max_length=40, blank=True)
    # What happened.
    refusal_reasons = models.TextField(_("why not collected"), blank=True)
    failure_reason = models.CharField(_("why not delivered"), max_length=255, blank=True)
    recipient = models.CharField(_("received by"), max_length=200, blank=True)
    seal_number = models.CharField(_("seal number"), max_length=40, blank=True)
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received by the unit at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("last event at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("postal order")
        verbose_name_plural = _("postal orders")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["unit", "service", "state"], name="postal_order_unit_state"),
            models.Index(fields=["worker", "state"], name="postal_order_worker_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "tracking_number"],
                condition=~models.Q(tracking_number=""),
                name="postal_order_tracking_unique",
            )
        ]

    def __str__(self) -> str:
        return self.number


class OrderItem(models.Model):
    """A component the postal worker collected (checked against the published list)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    component = models.ForeignKey(
        "catalog.Component", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("originals"), default=0)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    note = models.CharField(_("note"), max_length=255, blank=True)
    scan = models.FileField(_("scan or photo"), upload_to="postal/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("collected component")
        verbose_name_plural = _("collected components")

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    TO_UNIT = "to_unit", _("From the post to the one-stop unit (dossiers)")
    TO_POST = "to_post", _("From the one-stop unit to the post (results)")


class Handover(models.Model):
    """A hand-over record (biên bản giao nhận) signed by the postal worker and the officer."""

    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    number = models.CharField(_("number"), max_length=40, unique=True)
    unit = models.ForeignKey(
        "organisation.Agency",
        on_delete=models.PROTECT,
        related_name="postal_handovers",
        verbose_name=_("one-stop unit"),
    )
    postal_unit = models.ForeignKey(PostalUnit, on_delete=models.PROTECT, related_name="handovers")
    worker = models.ForeignKey(
        PostalWorker, on_delete=models.PROTECT, null=True, blank=True, related_name="handovers"
    )
    worker_name = models.CharField(_("postal worker"), max_length=200)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    packages = models.PositiveIntegerField(_("packages"), default=0)
    fees_total = models.PositiveBigIntegerField(_("fees handed over (VND)"), default=0)
    charges_total = models.PositiveBigIntegerField(_("postal charges (VND)"), default=0)
    discrepancies = models.PositiveIntegerField(_("packages that differ"), default=0)
    pdf = models.FileField(_("record (PDF)"), upload_to="postal/handovers/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    # How the postal worker signed (postin): confirmed on their own phone, or on the paper copy
    # the officer keeps (the officer records it, with the worker's name as on their card).
    worker_signed_at = models.DateTimeField(
        _("signed by the postal worker at"), null=True, blank=True
    )
    worker_signature = models.CharField(
        _("postal worker's signature"),
        max_length=8,
        blank=True,
        choices=[("phone", _("Confirmed on their phone")), ("paper", _("Signed on paper"))],
    )

    class Meta:
        verbose_name = _("hand-over record")
        verbose_name_plural = _("hand-over records")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number


class HandoverSequence(models.Model):
    """The last hand-over record number a unit gave in a year (``core.counters.counter_next``)."""

    unit = models.ForeignKey("organisation.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="postal_handover_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last_number}"


class HandoverLine(models.Model):
    """One order in a hand-over record, with what was counted on receipt."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="lines")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="handover_lines")
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    listed = models.JSONField(
        _("components listed"), default=list, help_text=_("[{name, originals, copies}]")
    )
    counted = models.JSONField(_("components counted"), default=list, blank=True)
    recounted = models.BooleanField(_("recounted"), default=False)
    matches = models.BooleanField(_("matches the list"), default=True)
    discrepancy = models.CharField(_("what differs"), max_length=500, blank=True)
    fees_amount = models.PositiveBigIntegerField(_("fees (VND)"), default=0)
    charge_amount = models.PositiveBigIntegerField(_("postal charge (VND)"), default=0)

    class Meta:
        verbose_name = _("hand-over line")
        verbose_name_plural = _("hand-over lines")
        constraints = [
            models.UniqueConstraint(fields=["handover", "order"], name="postal_handover_order")
        ]

    def __str__(self) -> str:
        return f"{self.handover_id}/{self.order_id}"


class TrackingEvent(models.Model):
    """An event of an order as the post reported it (webhook, pull) or a worker recorded it."""

    class Source(models.TextChoices):
        WEBHOOK = "webhook", _("Post's webhook")
        PULL = "pull", _("Post's event list")
        WORKER = "worker", _("Postal worker")
        UNIT = "unit", _("One-stop unit")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    external_id = models.CharField(
        _("event id"), max_length=64, help_text=_("The post's id of the event (ours for ours).")
    )
    code = models.CharField(_("status code"), max_length=20)
    state = models.CharField(_("meaning"), max_length=12, choices=OrderState.choices, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    happened_at = models.DateTimeField(_("happened at"))
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["order", "happened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "source", "external_id"], name="postal_event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.code} {self.happened_at:%Y-%m-%d %H:%M}"


class TrackingCursor(models.Model):
    """How far the periodic pull of a carrier's events has got (the last event id read)."""

    carrier = models.CharField(_("carrier"), max_length=20, unique=True)
    last_event_id = models.CharField(_("last event id"), max_length=64, blank=True)
    pulled_at = models.DateTimeField(_("pulled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("tracking cursor")
        verbose_name_plural = _("tracking cursors")

    def __str__(self) -> str:
        return f"{self.carrier}: {self.last_event_id}"


class Remittance(models.Model):
    """Money the post paid to the one-stop unit's account later, for fees it had collected.

    What the post collected for the agency is either handed over in cash with a
    signed hand-over record or remitted by bank transfer; this is the second.
    Recorded by the unit's receiving officer or accountant (``postal.money``).
    """

    postal_unit = models.ForeignKey(
        PostalUnit, on_delete=models.PROTECT, related_name="remittances"
    )
    unit = models.ForeignKey(
        "organisation.Agency",
        on_delete=models.PROTECT,
        related_name="postal_remittances",
        verbose_name=_("one-stop unit"),
    )
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    paid_on = models.DateField(_("paid on"))
    bank_reference = models.CharField(_("bank reference"), max_length=60)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("remittance from the post")
        verbose_name_plural = _("remittances from the post")
        ordering = ["-paid_on", "-id"]
        indexes = [
            models.Index(fields=["unit", "postal_unit", "paid_on"], name="postal_remit_unit_day")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["postal_unit", "bank_reference"], name="postal_remittance_reference"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="postal_remittance_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_reference} {self.amount}"


class TrackingReview(models.Model):
    """A carrier's event not applied, kept for the unit to look at (postcarrier, issue 12).

    An event for an order we do not know, a "delivered" for a result not
    processed, a status code we do not know or one that does not fit the
    order's kind: the event as received, why it was set aside, and when it
    was looked at.
    """

    class Reason(models.TextChoices):
        UNKNOWN_ORDER = "unknown_order", _("No order has this number")
        NO_RESULT = "no_result", _("Delivered, but the dossier has no result to return")
        UNKNOWN_CODE = "unknown_code", _("Status code unknown or not for this kind of order")

    carrier = models.CharField(_("carrier"), max_length=20)
    source = models.CharField(_("source"), max_length=8, choices=TrackingEvent.Source.choices)
    external_id = models.CharField(_("event id"), max_length=64)
    order_number = models.CharField(_("order number"), max_length=40)
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, null=True, blank=True, related_name="reviews"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    code = models.CharField(_("status code"), max_length=20)
    message = models.CharField(_("message"), max_length=500, blank=True)
    happened_at = models.DateTimeField(_("happened at"))
    received_at = models.DateTimeField(_("received at"))
    raw = models.JSONField(_("as received"), default=dict)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("tracking event to review")
        verbose_name_plural = _("tracking events to review")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "external_id", "reason"], name="postal_review_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.order_number} {self.code} ({self.reason})"
