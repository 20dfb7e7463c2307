"""Process definitions per procedure, and the steps each dossier went through.

A ``Process`` is the stable identity of a procedure's workflow; its steps and
transitions live in ``ProcessVersion`` rows that are never edited once a
dossier used them, so a dossier keeps the process it started with. A
``DossierStep`` is one hand-over of a dossier to an agency and role (a line
of the control slip, form 06); the one whose ``finished_at`` is empty is
where the dossier is now.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Outcome
from motcua.staff.models import Role


class StepKind(models.TextChoices):
    INTAKE = "intake", _("Intake at the one-stop unit")
    PROCESS = "process", _("Processing")
    RETURN = "return", _("Return of the result")


class AgencySource(models.TextChoices):
    """Which agency a step is done in: resolved per dossier, so one process fits every unit."""

    RECEIVING_UNIT = "receiving_unit", _("The one-stop unit that received the dossier")
    COMPETENT_AGENCY = "competent_agency", _("The procedure's competent agency")
    FIXED = "fixed", _("A named agency (inter-agency step)")


class TransitionKind(models.TextChoices):
    FORWARD = "forward", _("Forward")
    BACK = "back", _("Back for rework")


class Process(models.Model):
    """The processing workflow of a procedure; its content lives in its versions."""

    procedure = models.OneToOneField(
        "catalog.Procedure", on_delete=models.CASCADE, related_name="process"
    )
    current_version = models.ForeignKey(
        "ProcessVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )

    class Meta:
        verbose_name = _("process")
        verbose_name_plural = _("processes")

    def __str__(self) -> str:
        return str(self.procedure)


class ProcessVersion(models.Model):
    """One published state of a process: ordered steps and the moves between them."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("A published version is never edited again: revise it to change it."),
    )

    class Meta:
        verbose_name = _("process version")
        verbose_name_plural = _("process versions")
        ordering = ["process", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["process", "number"], name="process_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.process} v{self.number}"


class ProcessStep(models.Model):
    """A step of a process: who does it, where, and its share of the legal time."""

    version = models.ForeignKey(ProcessVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=StepKind.choices)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    agency_source = models.CharField(_("agency"), max_length=20, choices=AgencySource.choices)
    agency = models.ForeignKey(
        "organisation.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("named agency"),
    )
    share = models.DecimalField(
        _("share of the legal time (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        help_text=_("Processing steps' shares add up to 100."),
    )

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="process_step_order_unique"),
            models.CheckConstraint(
                condition=~models.Q(agency_source="fixed") | models.Q(agency__isnull=False),
                name="process_step_fixed_has_agency",
            ),
            models.CheckConstraint(
                condition=models.Q(share__gte=0, share__lte=100), name="process_step_share_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class ProcessTransition(models.Model):
    """A move the process allows from one step to another."""

    version = models.ForeignKey(
        ProcessVersion, on_delete=models.CASCADE, related_name="transitions"
    )
    source = models.ForeignKey(
        ProcessStep, on_delete=models.CASCADE, related_name="outgoing", verbose_name=_("from")
    )
    target = models.ForeignKey(
        ProcessStep, on_delete=models.CASCADE, related_name="incoming", verbose_name=_("to")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=TransitionKind.choices)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["version", "source__order", "target__order"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="process_transition_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source} -> {self.target}"


class DossierStep(models.Model):
    """One hand-over of a dossier to a step: a line of its control slip (form 06).

    At most one step of a dossier is open (``finished_at`` empty): where the
    dossier is now. Rows are never deleted; returning to an earlier step opens
    a new row.
    """

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey(ProcessStep, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("organisation.Agency", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_steps",
        verbose_name=_("assigned to"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handed over by"),
    )
    started_at = models.DateTimeField(_("handed over at"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finished by"),
    )
    outcome = models.CharField(_("result"), max_length=10, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("dossier step")
        verbose_name_plural = _("dossier steps")
        ordering = ["dossier", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(finished_at__isnull=True),
                name="dossier_one_open_step",
            )
        ]
        indexes = [
            models.Index(
                fields=["agency", "role", "due_at"],
                condition=models.Q(finished_at__isnull=True),
                name="step_open_queue",
            ),
            models.Index(
                fields=["assignee", "due_at"],
                condition=models.Q(finished_at__isnull=True),
                name="step_open_assignee",
            ),
            models.Index(
                fields=["due_at"],
                condition=models.Q(finished_at__isnull=True),
                name="step_open_due",
            ),
            # The "unassigned" inboxes: open steps nobody holds, by agency and role.
            models.Index(
                fields=["agency", "role"],
                condition=models.Q(finished_at__isnull=True, assignee__isnull=True),
                name="step_open_unassigned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.step_id}"

    @property
    def is_open(self) -> bool:
        return self.finished_at is None


class SupplementPhase(models.TextChoices):
    INTAKE = "intake", _("At intake")
    PROCESSING = "processing", _("During processing")


class SupplementRequest(models.Model):
    """A written request to the applicant for what is missing (form 02), in one go.

    At intake the one-stop unit asks once; during processing each agency
    holding the dossier may ask once more (``settings.MOTCUA_SUPPLEMENTS_*``).
    The applicant's clock stops from ``requested_at`` until ``received_at``.
    """

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="supplements"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    phase = models.CharField(_("phase"), max_length=10, choices=SupplementPhase.choices)
    agency = models.ForeignKey(
        "organisation.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agency asking"),
    )
    reason = models.TextField(_("reason"))
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note on receipt"), blank=True)
    # Answered by the applicant online (``services.applicant``), not handed in at the counter:
    # the inbox shows the dossier with a badge until the processing moves on.
    received_online = models.BooleanField(_("received online"), default=False)

    class Meta:
        verbose_name = _("supplement request")
        verbose_name_plural = _("supplement requests")
        ordering = ["dossier", "number"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "number"], name="supplement_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.number}"


class SupplementItem(models.Model):
    """One missing or incorrect component of a supplement request."""

    request = models.ForeignKey(SupplementRequest, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.TextField(_("what is missing or must be corrected"))
    reason = models.TextField(_("why"), blank=True)
    component = models.ForeignKey(
        "catalog.Component", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("supplement item")
        verbose_name_plural = _("supplement items")
        ordering = ["request", "order"]

    def __str__(self) -> str:
        return self.name


class KeptAnswerFile(models.Model):
    """A file of a refused online supplement answer that passed its checks, for the next try.

    As ``dossiers.PendingUpload`` for a submission: the page lists it with its
    ``token`` under its item; sent back (``item-<id>-kept``) it counts as
    uploaded again, and becomes the dossier's file without being stored
    again (the row is deleted in the answer's transaction, so once only).
    Only for its item, whose dossier the applicant must own, and only for
    ``MOTCUA_KEPT_UPLOADS_HOURS``; the file lies under ``pending/``, where the
    kept uploads' sweep removes it once expired.
    """

    token = models.CharField(max_length=64, unique=True)
    item = models.ForeignKey(SupplementItem, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to="pending/%Y/%m/%d/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.original_name
