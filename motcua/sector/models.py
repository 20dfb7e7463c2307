"""The department's sector figures: metrics as data, reporting periods, one figure per unit.

A figure is what the department entered for a metric, a period and a
reporting unit (a province, or a commune; units of before 2025 too, so a
former province's figures stay under its name). Densities and shares that
follow from other figures are computed when read (``selectors``), never
stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

POPULATION = "population"  # the metric densities divide by


class MetricKind(models.TextChoices):
    COUNT = "count", _("Count")
    PERCENT = "percent", _("Percent")
    DENSITY = "density", _("Per 100 inhabitants")


class SectorMetric(models.Model):
    """A figure the department reports: subscribers, stations, communes, population...

    ``density``: numerator's value x 100 / population of the same period and
    unit. ``percent`` with a numerator and a denominator: numerator x 100 /
    denominator when no value was entered; a percent without them is entered.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("name in English"), max_length=255, blank=True)
    unit_label = models.CharField(_("unit label"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=MetricKind.choices)
    numerator = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("numerator"),
    )
    denominator = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("denominator"),
        help_text=_("For a percent computed from two counts."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(_("source"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("sector metric")
        verbose_name_plural = _("sector metrics")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="density") | Q(numerator__isnull=False),
                name="sector_density_has_numerator",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def computed(self) -> bool:
        """Tell whether the value comes from other figures (never entered)."""
        return self.kind == MetricKind.DENSITY


class PeriodState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SectorPeriod(models.Model):
    """A reporting period: a year, or a quarter or a month of it. Closed, it takes no figure."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=PeriodState.choices, default=PeriodState.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reopened by"),
    )
    reopen_reason = models.CharField(_("reason for reopening"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["-year", "quarter", "month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="sector_period_year"
            ),
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | Q(month__isnull=True),
                name="sector_period_quarter_or_month",
            ),
            models.CheckConstraint(
                condition=Q(quarter__isnull=True) | (Q(quarter__gte=1) & Q(quarter__lte=4)),
                name="sector_period_quarter_range",
            ),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | (Q(month__gte=1) & Q(month__lte=12)),
                name="sector_period_month_range",
            ),
            # One period per year, quarter or month (NULLs are distinct in a plain UNIQUE).
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(quarter__isnull=True, month__isnull=True),
                name="sector_period_unique_year",
            ),
            models.UniqueConstraint(
                fields=["year", "quarter"],
                condition=Q(quarter__isnull=False),
                name="sector_period_unique_quarter",
            ),
            models.UniqueConstraint(
                fields=["year", "month"],
                condition=Q(month__isnull=False),
                name="sector_period_unique_month",
            ),
        ]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        if self.quarter:
            return str(_("Quarter %(q)d/%(y)d") % {"q": self.quarter, "y": self.year})
        if self.month:
            return str(_("Month %(m)d/%(y)d") % {"m": self.month, "y": self.year})
        return str(_("Year %(y)d") % {"y": self.year})

    @property
    def key(self) -> str:
        """The period in query strings: "2025", "2025-q1", "2025-m03"."""
        if self.quarter:
            return f"{self.year}-q{self.quarter}"
        if self.month:
            return f"{self.year}-m{self.month:02d}"
        return str(self.year)

    @property
    def is_closed(self) -> bool:
        return self.state == PeriodState.CLOSED


class SectorFigure(models.Model):
    """The value of ``metric`` for ``unit`` in ``period``, as the department entered it."""

    metric = models.ForeignKey(
        SectorMetric, on_delete=models.PROTECT, related_name="figures", verbose_name=_("metric")
    )
    period = models.ForeignKey(
        SectorPeriod, on_delete=models.PROTECT, related_name="figures", verbose_name=_("period")
    )
    unit = models.ForeignKey(
        "territory.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reporting unit"),
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    note = models.CharField(_("note or source"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("sector figure")
        verbose_name_plural = _("sector figures")
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "period", "unit"], name="sector_figure_unique"
            ),
        ]
        indexes = [models.Index(fields=["unit", "period"])]

    def __str__(self) -> str:
        return f"{self.metric.code} {self.period.key} {self.unit_id}: {self.value}"
