"""Dossiers (hồ sơ): what an applicant submitted, its files, and its timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import FeeBasis, FeeDue, FeeKind


class Channel(models.IntegerChoices):
    """KenhThucHien of the national portal."""

    COUNTER = 1, _("At the counter")
    ONLINE = 2, _("Online")
    POST = 3, _("Public postal service")


class Delivery(models.TextChoices):
    """How the applicant receives the result; chosen apart from the submission channel."""

    COUNTER = "counter", _("At the counter")
    POST = "post", _("By post to an address")
    ONLINE = "online", _("Online (electronic result)")


class Status(models.IntegerChoices):
    """National status codes used to synchronise with the national portal."""

    NEW = 1, _("New (submitted)")
    ACCEPTED = 2, _("Accepted")
    NOT_ACCEPTED = 3, _("Not accepted")
    IN_PROCESS = 4, _("In process")
    SUPPLEMENT_REQUESTED = 5, _("Supplement requested")
    PAYMENT_REQUESTED = 6, _("Payment requested")
    WITHDRAWAL_REQUESTED = 7, _("Withdrawal requested")
    STOPPED = 8, _("Processing stopped")
    PROCESSED = 9, _("Processed")
    RESULT_RETURNED = 10, _("Result returned")


class DossierState(models.TextChoices):
    """Internal states of a dossier; each maps to one national status (``STATE_STATUS``)."""

    SUBMITTED = "submitted", _("Submitted, waiting for intake")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused at intake")
    IN_PROCESS = "in_process", _("In process")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Waiting for a supplement")
    PAYMENT_REQUESTED = "payment_requested", _("Waiting for payment")
    WITHDRAWAL_REQUESTED = "withdrawal_requested", _("Withdrawal requested")
    WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")
    STOPPED = "stopped", _("Processing stopped")
    PROCESSED = "processed", _("Processed")
    RESULT_RETURNED = "result_returned", _("Result returned")


STATE_STATUS: dict[str, int] = {
    DossierState.SUBMITTED: Status.NEW,
    DossierState.ACCEPTED: Status.ACCEPTED,
    DossierState.REFUSED: Status.NOT_ACCEPTED,
    DossierState.IN_PROCESS: Status.IN_PROCESS,
    DossierState.SUPPLEMENT_REQUESTED: Status.SUPPLEMENT_REQUESTED,
    DossierState.PAYMENT_REQUESTED: Status.PAYMENT_REQUESTED,
    DossierState.WITHDRAWAL_REQUESTED: Status.WITHDRAWAL_REQUESTED,
    DossierState.WITHDRAWN: Status.STOPPED,
    DossierState.STOPPED: Status.STOPPED,
    DossierState.PROCESSED: Status.PROCESSED,
    DossierState.RESULT_RETURNED: Status.RESULT_RETURNED,
}


class Outcome(models.TextChoices):
    """How a step or a dossier finished against its due time."""

    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Citizen")
    ORGANISATION = "organisation", _("Organisation or business")


class DossierCodeSequence(models.Model):
    """The last sequence number used by a receiving unit on a day; locked to allocate the next."""

    unit_code = models.CharField(max_length=40)
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit_code", "day"], name="dossier_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_code}-{self.day:%y%m%d}: {self.last_number}"


class Dossier(models.Model):
    """A dossier submitted for a procedure, under the procedure version in force then."""

    code = models.CharField(_("dossier code"), max_length=60, unique=True)
    # The receiving unit's register book of the year of acceptance and the entry in it
    # (form 07); both empty until the dossier is accepted, never for a refused one.
    register_book = models.ForeignKey(
        "RegisterBook",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        db_index=False,  # the (register_book, register_entry) constraint's index serves it
        verbose_name=_("register book"),
    )
    register_entry = models.PositiveIntegerField(
        _("register entry number"),
        null=True,
        blank=True,
        help_text=_("Number of the entry in the register book, from 1 in each book."),
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.PROTECT, related_name="dossiers"
    )
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion", on_delete=models.PROTECT, related_name="dossiers"
    )
    receiving_unit = models.ForeignKey(
        "organisation.Agency", on_delete=models.PROTECT, related_name="received_dossiers"
    )
    competent_agency = models.ForeignKey(
        "organisation.Agency", on_delete=models.PROTECT, related_name="dossiers_to_decide"
    )
    # The agency holding the workflow's open step (none between steps and after the end).
    # Kept by the workflow's open_step / close_step, so the lists by agency need no join.
    current_agency = models.ForeignKey(
        "organisation.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the (current_agency, status, due_at) index serves it
        verbose_name=_("agency holding it now"),
    )
    channel = models.PositiveSmallIntegerField(_("channel"), choices=Channel.choices)
    delivery = models.CharField(_("result delivery"), max_length=10, choices=Delivery.choices)
    delivery_address = models.CharField(_("delivery address"), max_length=500, blank=True)
    status = models.PositiveSmallIntegerField(
        _("status"), choices=Status.choices, default=Status.NEW
    )
    state = models.CharField(
        _("state"),
        max_length=30,
        choices=DossierState.choices,
        default=DossierState.SUBMITTED,
        help_text=_("Internal state; the national status is derived from it."),
    )
    supplement_requests = models.PositiveSmallIntegerField(_("supplement requests"), default=0)
    processing_case = models.CharField(
        _("processing-time case"),
        max_length=40,
        blank=True,
        help_text=_("The case of the procedure whose legal time applies; empty: the ordinary one."),
    )
    paused_at = models.DateTimeField(
        _("clock stopped at"),
        null=True,
        blank=True,
        help_text=_("Set while the applicant is asked for a supplement."),
    )
    original_due_at = models.DateTimeField(
        _("due date before the extension"),
        null=True,
        blank=True,
        help_text=_("Set when the due date was extended with an apology (form 04); once only."),
    )
    result_returned_to = models.CharField(_("result returned to"), max_length=200, blank=True)
    result_returned_via = models.CharField(
        _("result returned how"), max_length=10, choices=Delivery.choices, blank=True
    )
    intake_due_at = models.DateTimeField(
        _("answer due at"),
        null=True,
        blank=True,
        help_text=_("An online dossier must be accepted or answered by then (8 working hours)."),
    )
    finished_at = models.DateTimeField(
        _("processing ended at"),
        null=True,
        blank=True,
        help_text=_("The first of: processed, stopped, refused or withdrawn."),
    )
    outcome = models.CharField(
        _("result against the due date"), max_length=10, choices=Outcome.choices, blank=True
    )
    revision = models.PositiveIntegerField(
        _("revision"),
        default=0,
        help_text=_("Counts the changes of state; a client that saw another revision is refused."),
    )

    applicant_kind = models.CharField(
        _("applicant kind"),
        max_length=15,
        choices=ApplicantKind.choices,
        default=ApplicantKind.PERSON,
    )
    applicant_name = models.CharField(_("applicant name"), max_length=200)
    applicant_id_number = models.CharField(_("citizen ID number"), max_length=12)
    applicant_phone = models.CharField(_("phone"), max_length=20)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    applicant_address = models.CharField(_("address"), max_length=500)
    applicant_search = models.CharField(max_length=200, editable=False, default="")

    form_data = models.JSONField(_("e-form data"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("due at"))
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    receipt_pdf = models.FileField(upload_to="receipts/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["competent_agency", "status", "due_at"]),
            models.Index(fields=["receiving_unit", "received_at"]),
            models.Index(fields=["receiving_unit", "status", "intake_due_at"]),
            models.Index(fields=["current_agency", "status", "due_at"], name="dossier_current_due"),
            # Search by the start of a code (LIKE 'X%') in any collation (PostgreSQL;
            # other databases ignore the operator class).
            models.Index(
                fields=["code"], opclasses=["varchar_pattern_ops"], name="dossier_code_prefix"
            ),
            # "Everything I can see", newest first: an ordered scan that stops at a page.
            models.Index(fields=["-received_at", "-id"], name="dossier_newest"),
            # "Hồ sơ của tôi": an applicant's dossiers by identification number, newest first
            # (online or at the counter).
            models.Index(
                fields=["applicant_id_number", "-received_at", "-id"], name="dossier_applicant"
            ),
            # The supplement box: dossiers waiting for the applicant, oldest request first.
            models.Index(
                fields=["paused_at"],
                condition=models.Q(state="supplement_requested"),
                name="dossier_waiting_supplement",
            ),
            # The reminders job: online dossiers still waiting for an answer, province-wide.
            models.Index(
                fields=["intake_due_at"],
                condition=models.Q(state="submitted"),
                name="dossier_waiting_answer",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__gte=1, status__lte=10), name="dossier_status_national"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=[1, 2, 3]), name="dossier_channel_valid"
            ),
            models.UniqueConstraint(
                fields=["register_book", "register_entry"], name="dossier_register_entry_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(register_book__isnull=True, register_entry__isnull=True)
                | models.Q(register_book__isnull=False, register_entry__gte=1),
                name="dossier_register_entry_with_book",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class DossierAccess(models.Model):
    """An agency that may see a dossier: the unit that received it, the deciding agency,
    and every agency a step of it went to (inter-agency procedures).

    Kept by the services that create dossiers and open steps, with copies of
    the columns lists filter, search and sort on (procedure, status, code,
    folded applicant name, time received), so "everything my agency may
    see", newest first, filtered or searched, is read from one agency's rows
    (``workflow.selectors.inbox``). On PostgreSQL a GIN index over the
    agency and the name's words and word pairs (``motcua_name_terms``,
    migration 0018) finds a name among them.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="access")
    agency = models.ForeignKey("organisation.Agency", on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT, related_name="+")
    status = models.PositiveSmallIntegerField(choices=Status.choices)
    received_at = models.DateTimeField()
    code = models.CharField(max_length=40, default="")
    applicant_search = models.CharField(max_length=200, default="")

    class Meta:
        verbose_name = _("dossier access")
        verbose_name_plural = _("dossier access")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "agency"], name="dossier_access_unique")
        ]
        indexes = [
            # Newest first; a search reads the code and the name from the index alone.
            models.Index(
                fields=["agency", "-received_at", "-dossier"],
                include=["code", "applicant_search"],
                name="access_newest",
            ),
            # Search by the start of a code among one agency's dossiers (PostgreSQL: in any
            # collation, and without reading the table).
            models.Index(
                fields=["agency", "code"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                include=["received_at", "dossier"],
                name="access_code_prefix",
            ),
            models.Index(
                fields=["agency", "procedure", "-received_at", "-dossier"],
                name="access_procedure_newest",
            ),
            models.Index(
                fields=["agency", "procedure", "status", "-received_at", "-dossier"],
                name="access_proc_status_newest",
            ),
            models.Index(
                fields=["agency", "status", "-received_at", "-dossier"],
                name="access_status_newest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} @ {self.agency_id}"

    @classmethod
    def of(cls, dossier: Dossier, agency_id: int) -> DossierAccess:
        """Return the (unsaved) access row of ``agency_id`` to ``dossier``."""
        return cls(
            dossier=dossier,
            agency_id=agency_id,
            procedure_id=dossier.procedure_id,
            status=dossier.status,
            received_at=dossier.received_at,
            code=dossier.code,
            applicant_search=dossier.applicant_search,
        )


class DossierComponent(models.Model):
    """A component the applicant handed in, against the procedure version's list."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(
        "catalog.Component", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.TextField(_("name"))
    originals = models.PositiveSmallIntegerField(_("originals"), default=0)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    is_digitised = models.BooleanField(_("digitised"), default=False)

    class Meta:
        verbose_name = _("dossier component")
        verbose_name_plural = _("dossier components")
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.name


class DossierFile(models.Model):
    """A file of a component, stored through Django's storage API, with its SHA-256."""

    component = models.ForeignKey(DossierComponent, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="dossiers/%Y/%m/%d/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(
        _("pages"),
        null=True,
        blank=True,
        help_text=_("A PDF's pages, counted when it was received."),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dossier file")
        verbose_name_plural = _("dossier files")
        indexes = [
            # A kept upload used by a dossier stays where it was kept (under pending/): the
            # sweeper asks whether a file there belongs to a dossier before deleting it.
            models.Index(
                fields=["file"],
                name="dossier_file_from_pending",
                condition=models.Q(file__startswith="pending/"),
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RECEIVED = "received", _("Received at the counter")
    ACCEPTED = "accepted", _("Accepted")
    STATUS_CHANGED = "status_changed", _("Status changed")
    REFUSED = "refused", _("Refused")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    SUPPLEMENT_RECEIVED = "supplement_received", _("Supplement received")
    ASSIGNED = "assigned", _("Assigned")
    FORWARDED = "forwarded", _("Forwarded to the next step")
    RETURNED = "returned", _("Returned to an earlier step")
    TRANSFERRED = "transferred", _("Transferred to another agency")
    RESULT_RECORDED = "result_recorded", _("Result recorded")
    EXTENDED = "extended", _("Due date extended with an apology")
    STOPPED = "stopped", _("Processing stopped")
    WITHDRAWAL_REQUESTED = "withdrawal_requested", _("Withdrawal requested")
    CASE_CHOSEN = "case_chosen", _("Processing-time case chosen")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    WITHDRAWAL_REFUSED = "withdrawal_refused", _("Withdrawal refused")
    PROCESSED = "processed", _("Processed")
    RESULT_RETURNED = "result_returned", _("Result returned")
    DUE_RECOMPUTED = "due_recomputed", _("Due date recomputed after a calendar change")
    FEES_REQUESTED = "fees_requested", _("Fees requested")
    FEES_PAID = "fees_paid", _("Fees paid")
    RESULT_REVOKED = "result_revoked", _("Electronic result revoked")
    RESULT_REPLACED = "result_replaced", _("Electronic result replaced")


class DossierEvent(models.Model):
    """One entry of a dossier's append-only timeline, written in the transaction of its change."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"))
    kind = models.CharField(_("event"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(
        _("actor"),
        max_length=200,
        blank=True,
        help_text=_("Shown publicly: a role, never a person."),
    )
    from_status = models.PositiveSmallIntegerField(choices=Status.choices, null=True, blank=True)
    to_status = models.PositiveSmallIntegerField(choices=Status.choices)
    from_state = models.CharField(max_length=30, choices=DossierState.choices, blank=True)
    to_state = models.CharField(max_length=30, choices=DossierState.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    document_number = models.CharField(
        _("document number"),
        max_length=60,
        blank=True,
        default="",
        db_default="",  # rows inserted in bulk (COPY) need no value
        help_text=_(
            "Number and notation of the letter or notice this entry issued, e.g. 12/CV-STP."
        ),
    )
    is_public = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["dossier", "at", "id"]
        indexes = [
            # Statistics' refresh: the dossiers whose timeline moved since its last run.
            models.Index(fields=["at"], name="dossier_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        """Refuse to rewrite an entry: the timeline is append-only."""
        if self.pk is not None and not self._state.adding:
            raise ValueError("Dossier events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class DossierResult(models.Model):
    """A result document of a dossier, coded ``<dossier code>-KQ<n>``."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="results")
    number = models.PositiveSmallIntegerField(_("number"))
    code = models.CharField(_("result code"), max_length=70, unique=True)
    name = models.CharField(_("document name"), max_length=255)
    file = models.FileField(upload_to="results/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    is_electronic = models.BooleanField(_("electronic result"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("dossier result")
        verbose_name_plural = _("dossier results")
        ordering = ["dossier", "number"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "number"], name="dossier_result_number")
        ]

    def __str__(self) -> str:
        return self.code


class RegisterBook(models.Model):
    """A one-stop unit's register of dossiers for a year (sổ theo dõi hồ sơ, form 07).

    Every accepted dossier gets the book's next entry number; the row is locked
    to allocate it (``dossier_register_entry``), so numbers run from 1 without
    duplicates and are never reused.
    """

    unit = models.ForeignKey(
        "organisation.Agency",
        on_delete=models.PROTECT,
        related_name="register_books",
        verbose_name=_("one-stop unit"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_entry = models.PositiveIntegerField(_("last entry number"), default=0)

    class Meta:
        verbose_name = _("register book")
        verbose_name_plural = _("register books")
        ordering = ["unit", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="register_book_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}: {self.last_entry}"

    @property
    def label(self) -> str:
        """Return the book number printed on receipts ("Quyển số"): one book a year."""
        return str(self.year)


class OfficialKind(models.TextChoices):
    """Kinds of documents the system numbers, with their abbreviation (Decree 30/2020/NĐ-CP)."""

    LETTER = "CV", _("Official letter")
    NOTICE = "TB", _("Notice")


class OfficialNumberSequence(models.Model):
    """The last number an agency gave to documents of a kind in a year; locked to issue the next."""

    agency = models.ForeignKey("organisation.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=OfficialKind.choices)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "kind"], name="official_number_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}/{self.kind}: {self.last_number}"


class DossierFee(models.Model):
    """A fee line of a dossier, computed from its version's fee rules (``catalog.fees``).

    Written at submission (online, by post, at the counter) and replaced when
    an officer recounts (``dossiers.fees.dossier_fees_replace``). ``amount``
    is None while a count the officer gives is unknown. ``claims`` are the
    exemptions the applicant claimed for this fee, with the references of
    their proofs; ``exemption_code`` is the one applied (the most favourable).
    The code and kind identify the line in payments.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.CharField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=FeeKind.choices)
    name = models.CharField(_("name"), max_length=255)
    basis = models.CharField(_("counted on"), max_length=10, choices=FeeBasis.choices)
    due = models.CharField(_("paid"), max_length=10, choices=FeeDue.choices)
    copies = models.PositiveIntegerField(_("copies"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages per copy"), null=True, blank=True)
    base_amount = models.PositiveBigIntegerField(
        _("amount before reductions (VND)"), null=True, blank=True
    )
    amount = models.PositiveBigIntegerField(
        _("amount (VND)"), null=True, blank=True, help_text=_("Empty: still to be counted.")
    )
    rule_text = models.CharField(_("how it was counted"), max_length=500)
    exemption_code = models.CharField(_("exemption applied"), max_length=40, blank=True)
    exemption_text = models.CharField(_("exemption or reduction"), max_length=500, blank=True)
    reduction_percent = models.PositiveSmallIntegerField(_("reduction (%)"), default=0)
    claims = models.JSONField(_("exemptions claimed"), default=list, blank=True)
    waiting_for = models.JSONField(_("counts still unknown"), default=list, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    computed_at = models.DateTimeField(_("computed at"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("computed by"),
    )

    class Meta:
        verbose_name = _("dossier fee")
        verbose_name_plural = _("dossier fees")
        ordering = ["dossier", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "code"], name="dossier_fee_code_unique"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True)
                | models.Q(base_amount__isnull=True)
                | models.Q(amount__lte=models.F("base_amount")),
                name="dossier_fee_amount_not_above_base",
            ),
            models.CheckConstraint(
                condition=models.Q(reduction_percent__lte=100),
                name="dossier_fee_reduction_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.code}"


class PendingUpload(models.Model):
    """A file kept from a submission that was refused: it passed its checks, others did not.

    The page that shows the refusal lists it with its ``token``; sent back,
    the token makes the file count as uploaded again (once: the row is
    deleted when a dossier takes the file, which stays where it is). Only the
    channel, and at the counter the officer, that kept it may use it.
    ``dossiers.uploads.pending_uploads_sweep`` removes the rows and files
    older than ``MOTCUA_KEPT_UPLOADS_HOURS``.
    """

    token = models.CharField(max_length=64, unique=True)
    component = models.ForeignKey("catalog.Component", on_delete=models.CASCADE, related_name="+")
    channel = models.PositiveSmallIntegerField(choices=Channel.choices)
    kept_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(upload_to="pending/%Y/%m/%d/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.original_name
