"""What statistics read: one fact per dossier, and rollups of the facts by day and by month.

``Fact`` is a dossier as statistics count it: where it was received and who
decides it, the procedure and its online level then, the dates it counts on
(received, finished, result returned, paid, electronic result, rated) and
the verdict. Facts of live dossiers are kept by ``refresh`` from the
dossiers' timelines; facts of a previous system's records are imported
(``source = import``) and have no dossier.

``Rollup`` rows add the facts up: one row per grain (day, month), day (the
first of the month for a month), scope (``Scope``: the province, a receiving
unit, a deciding agency, a procedure, a commune, a unit's procedure) and
key; one column per measure (``measures.MEASURES``). A dashboard reads the
months inside its period and the days at its edges, so its cost grows with
the groups it shows, never with the dossiers.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .measures import NAMES


class Source(models.TextChoices):
    LIVE = "live", _("This system")
    IMPORT = "import", _("Imported from a previous system")


class Fact(models.Model):
    """A dossier as statistics count it (see the module's docstring)."""

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    code = models.CharField(_("dossier code"), max_length=60, unique=True)
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.LIVE)
    batch = models.PositiveIntegerField(
        _("import batch"), null=True, blank=True, help_text=_("The import that wrote it.")
    )
    revision = models.PositiveIntegerField(default=0)
    province = models.ForeignKey(
        "territory.AdministrativeUnit", on_delete=models.PROTECT, null=True, related_name="+"
    )
    commune = models.ForeignKey(
        "territory.AdministrativeUnit", on_delete=models.PROTECT, null=True, related_name="+"
    )
    receiving_unit = models.ForeignKey(
        "organisation.Agency", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    agency = models.ForeignKey(
        "organisation.Agency", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    channel = models.PositiveSmallIntegerField(_("channel"))
    online_level = models.CharField(
        _("online level"),
        max_length=8,
        help_text=_("Of the procedure when received: full, partial, none, or 1-4 before 2022."),
    )
    state = models.CharField(_("state"), max_length=30)
    received_at = models.DateTimeField(_("received at"))
    received_on = models.DateField()
    due_at = models.DateTimeField(_("due at"), null=True)
    finished_at = models.DateTimeField(_("processing ended at"), null=True)
    finished_on = models.DateField(null=True)
    ended = models.CharField(
        _("ended by"),
        max_length=10,
        blank=True,
        help_text=_("processed, refused, stopped, withdrawn"),
    )
    outcome = models.CharField(_("verdict"), max_length=10, blank=True)
    extended = models.BooleanField(_("extended with an apology"), default=False)
    supplements = models.PositiveSmallIntegerField(_("supplement requests"), default=0)
    processing_seconds = models.PositiveBigIntegerField(null=True)
    returned_on = models.DateField(null=True)
    returned_via = models.CharField(max_length=10, blank=True)
    fully_online = models.BooleanField(default=False)
    fee_bearing = models.BooleanField(default=False)
    paid_online_on = models.DateField(null=True)
    paid_counter_on = models.DateField(null=True)
    e_result_on = models.DateField(null=True)
    components = models.PositiveSmallIntegerField(default=0)
    digitised = models.PositiveSmallIntegerField(default=0)
    reused = models.PositiveSmallIntegerField(default=0)
    rated_on = models.DateField(null=True)
    rating = models.PositiveSmallIntegerField(null=True)

    class Meta:
        verbose_name = _("statistics fact")
        verbose_name_plural = _("statistics facts")
        indexes = [
            # The dossiers behind a number: a scope's facts of a period, by the date counted on.
            models.Index(fields=["agency", "received_on"], name="fact_agency_received"),
            models.Index(fields=["agency", "finished_on"], name="fact_agency_finished"),
            models.Index(fields=["receiving_unit", "received_on"], name="fact_unit_received"),
            models.Index(fields=["receiving_unit", "finished_on"], name="fact_unit_finished"),
            models.Index(fields=["procedure", "received_on"], name="fact_procedure_received"),
            models.Index(fields=["province", "received_on"], name="fact_province_received"),
            # Dossiers still open (the daily counts of open dossiers).
            models.Index(
                fields=["due_at"], condition=models.Q(finished_at__isnull=True), name="fact_open"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Scope(models.TextChoices):
    PROVINCE = "p", _("Province")
    UNIT = "u", _("One-stop unit")
    AGENCY = "a", _("Agency")
    PROCEDURE = "r", _("Procedure")
    COMMUNE = "c", _("Commune")
    UNIT_PROCEDURE = "x", _("Procedure at a one-stop unit")


class Grain(models.TextChoices):
    DAY = "d", _("Day")
    MONTH = "m", _("Month")


class Rollup(models.Model):
    """The sums of the facts counted on one day (or month) in one scope; a column per measure."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()
    scope = models.CharField(max_length=1, choices=Scope.choices)
    key = models.BigIntegerField()
    key2 = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("rollup")
        verbose_name_plural = _("rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "grain", "day", "key2"], name="rollup_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}{self.key}/{self.key2} {self.grain} {self.day}"


# Sparse: NULL where a row counts nothing of a measure (see ``rollup``); readers read it as 0.
for _name in NAMES:
    Rollup.add_to_class(_name, models.BigIntegerField(null=True, blank=True))


class OpenCount(models.Model):
    """How many dossiers of a scope were open at the end of a day, within and past their due."""

    day = models.DateField()
    scope = models.CharField(max_length=1, choices=Scope.choices)
    key = models.BigIntegerField()
    key2 = models.BigIntegerField(default=0)
    open = models.BigIntegerField(default=0)
    within = models.BigIntegerField(default=0)
    past = models.BigIntegerField(default=0)
    paused_supplement = models.BigIntegerField(default=0)
    paused_payment = models.BigIntegerField(default=0)
    withdrawal_requested = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("open dossiers count")
        verbose_name_plural = _("open dossiers counts")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "day", "key2"], name="open_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}{self.key} {self.day}: {self.open}"


class RefreshState(models.Model):
    """The refresh's watermark: facts are up to date with the timelines up to ``watermark``.

    Its one row is locked by each refresh batch, so refreshes run one at a time.
    """

    watermark = models.DateTimeField(null=True)
    rebuilt_at = models.DateTimeField(null=True)
    imports_counted = models.BigIntegerField(
        default=0,
        help_text=_(
            "The last fact (by id) the rollups count: imported facts after it are an "
            "import's new ones, counted at its end or by the next refresh."
        ),
    )

    def __str__(self) -> str:
        return f"{self.watermark}"
