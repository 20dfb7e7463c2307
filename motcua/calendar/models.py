"""The working-day calendar: working hours, cut-off, and the days that differ from the week.

Weekends are Saturday and Sunday; a ``SpecialDay`` makes a weekday a day
off (holiday, day in lieu, extra day off) or a Saturday/Sunday a working day
(a swapped working Saturday). The government announces each year's days, so
they are data an administrator edits; ``seed_holidays`` starts them from
``holidays.VN``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MORNING_ORDER = _("The morning must end after it starts.")
LUNCH_ORDER = _("The afternoon must start at or after the end of the morning.")
AFTERNOON_ORDER = _("The afternoon must end after it starts.")
CUTOFF_OUTSIDE_HOURS = _(
    "The cut-off must fall between the start of the morning and the end of the afternoon."
)


class WorkingTime(models.Model):
    """Working hours and the daily cut-off; one row (pk=1) holds the province's setting."""

    morning_start = models.TimeField(_("morning starts"), default=dt.time(7, 30))
    morning_end = models.TimeField(_("morning ends"), default=dt.time(11, 30))
    afternoon_start = models.TimeField(_("afternoon starts"), default=dt.time(13, 30))
    afternoon_end = models.TimeField(_("afternoon ends"), default=dt.time(17, 0))
    daily_cutoff = models.TimeField(
        _("daily cut-off"),
        default=dt.time(15, 0),
        help_text=_("A same-day dossier received after this time is due the next working day."),
    )

    class Meta:
        verbose_name = _("working time")
        verbose_name_plural = _("working time")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(morning_start__lt=models.F("morning_end"))
                & models.Q(morning_end__lte=models.F("afternoon_start"))
                & models.Q(afternoon_start__lt=models.F("afternoon_end")),
                name="working_time_ordered",
                violation_error_message=_("The working periods must be in order."),
            ),
            models.CheckConstraint(
                condition=models.Q(daily_cutoff__gte=models.F("morning_start"))
                & models.Q(daily_cutoff__lte=models.F("afternoon_end")),
                name="working_time_cutoff_within_hours",
                violation_error_message=CUTOFF_OUTSIDE_HOURS,
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.morning_start:%H:%M}-{self.morning_end:%H:%M}, "
            f"{self.afternoon_start:%H:%M}-{self.afternoon_end:%H:%M}"
        )

    def clean(self) -> None:
        """Check the periods are in order, with a message on the field to correct."""
        times = (self.morning_start, self.morning_end, self.afternoon_start, self.afternoon_end)
        if any(t is None for t in (*times, self.daily_cutoff)):
            return  # a missing time already has its field's own message
        errors: dict[str, object] = {}
        if self.morning_start >= self.morning_end:
            errors["morning_end"] = MORNING_ORDER
        if self.morning_end > self.afternoon_start:
            errors["afternoon_start"] = LUNCH_ORDER
        if self.afternoon_start >= self.afternoon_end:
            errors["afternoon_end"] = AFTERNOON_ORDER
        if not self.morning_start <= self.daily_cutoff <= self.afternoon_end:
            errors["daily_cutoff"] = CUTOFF_OUTSIDE_HOURS
        if errors:
            raise ValidationError(errors)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("public holiday")
    DAY_OFF = "day_off", _("day off (in lieu, bridge, decided by the government)")
    WORKING_DAY = "working_day", _("working day (swapped weekend day)")


class DaySource(models.TextChoices):
    SEED = "holidays.VN", _("seeded from holidays.VN")
    ADMIN = "admin", _("entered by an administrator")


class SpecialDay(models.Model):
    """A date unlike its weekday: a day off on a weekday, or a working weekend day."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=DayKind.choices,
        help_text=_(
            "To cancel a seeded holiday, make the date a working day: a deleted "
            "holiday comes back with the next seeding."
        ),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    source = models.CharField(
        _("source"), max_length=12, choices=DaySource.choices, default=DaySource.ADMIN
    )

    class Meta:
        verbose_name = _("special day")
        verbose_name_plural = _("special days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"
