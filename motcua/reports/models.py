"""Periodic reports as data: the forms of a reporting circular, their columns and their periods.

A ``ReportForm`` is one version of a form (its code, the circular that set
it, the day it applies from, what its rows are); its ``ReportColumn`` rows
say what each column shows as a sum of statistics measures
(``expressions``); its ``ReportSchedule`` rows say which periods it is made
for and which days a period covers (the circular's cut-off rule). A new
circular is new rows (a data migration or the admin), never new code; a
period is reported with the version in force on its last day.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .expressions import expression_error


class Grouping(models.TextChoices):
    FIELD = "field", _("By field (lĩnh vực)")
    AGENCY = "agency", _("By agency")
    PROCEDURE = "procedure", _("By procedure")
    UNIT = "unit", _("By one-stop unit")


class ReportForm(models.Model):
    """One version of a report form (biểu mẫu) of a circular."""

    code = models.CharField(_("form code"), max_length=40, help_text=_("e.g. 06a/VPCP/KSTT"))
    name = models.CharField(_("title"), max_length=300)
    circular = models.CharField(_("legal source"), max_length=200)
    valid_from = models.DateField(_("applies from"))
    grouping = models.CharField(_("rows"), max_length=10, choices=Grouping.choices)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")
        ordering = ["code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="report_form_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.valid_from:%d/%m/%Y})"


class ReportColumn(models.Model):
    """A column of a form: its headers (up to two group levels) and what it adds up."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="columns")
    order = models.PositiveSmallIntegerField(_("order"))
    code = models.SlugField(_("code"), max_length=40)
    header = models.CharField(_("header"), max_length=200)
    group = models.CharField(_("group header"), max_length=200, blank=True)
    subgroup = models.CharField(_("second group header"), max_length=200, blank=True)
    expression = models.CharField(
        _("formula"),
        max_length=300,
        help_text=_(
            "Measure names joined by +, and carried_over, open, open_within, open_past, "
            "paused_supplement, paused_payment."
        ),
    )

    class Meta:
        verbose_name = _("report column")
        verbose_name_plural = _("report columns")
        ordering = ["form", "order"]
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="report_column_code"),
            models.UniqueConstraint(fields=["form", "order"], name="report_column_order"),
        ]

    def __str__(self) -> str:
        return f"{self.form.code} {self.code}"

    def clean(self) -> None:
        error = expression_error(self.expression)
        if error:
            raise ValidationError({"expression": error})
        if self.subgroup and not self.group:
            raise ValidationError({"group": _("A second group header needs a group header.")})

    @property
    def path(self) -> tuple[str, ...]:
        """Return the header's levels, top first (blank levels left out)."""
        return tuple(h for h in (self.group, self.subgroup, self.header) if h)


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    HALF = "half", _("Six months")
    YEAR = "year", _("Year")


class CutOff(models.TextChoices):
    CALENDAR = "calendar", _("The calendar period")
    PREVIOUS_MONTH = "previous_month", _("From a day of the month before to the day before it")


class ReportSchedule(models.Model):
    """A period a form is made for, the days it covers, and when it is due."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="schedules")
    kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    cut_off = models.CharField(
        _("cut-off rule"), max_length=16, choices=CutOff.choices, default=CutOff.CALENDAR
    )
    cut_off_day = models.PositiveSmallIntegerField(
        _("cut-off day"),
        default=15,
        help_text=_("Previous-month rule: the period starts on this day of the month before it."),
    )
    deadline_day = models.PositiveSmallIntegerField(
        _("due on day"),
        null=True,
        blank=True,
        help_text=_("Day of the period's last month the report is due (blank: not set)."),
    )

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        constraints = [
            models.UniqueConstraint(fields=["form", "kind"], name="report_schedule_kind"),
            models.CheckConstraint(
                condition=models.Q(cut_off_day__gte=2, cut_off_day__lte=28),
                name="report_schedule_cut_off_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form.code} {self.kind}"
