"""The working-day calendar: seasons of working hours, and the days that differ from the week.

Working hours are one row per season: a season starts on a (month, day) and
is in force each year until the next season starts (a single season is in
force all year). Weekends are Saturday and Sunday; a ``SpecialDay`` makes a
weekday a day off (holiday, day in lieu, extra day off) or a Saturday/Sunday
a working day (a swapped working Saturday). The government announces each
year's days, so they are data an administrator edits; ``seed_holidays``
starts them from the announcements kept in ``announced.py`` and, for the
other years, from ``holidays.VN``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MORNING_ORDER = _("The morning must end after it starts.")
LUNCH_ORDER = _("The afternoon must start at or after the end of the morning.")
AFTERNOON_ORDER = _("The afternoon must end after it starts.")
CUTOFF_OUTSIDE_HOURS = _(
    "The cut-off must fall between the start of the morning and the end of the afternoon."
)
SEASON_START_INVALID = _("Give a start that exists every year (29 February does not).")

# Days in each month of a year that is not a leap year: a season starts every year.
MONTH_DAYS = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def _season_start_exists() -> models.Q:
    condition = models.Q()
    for days in sorted(set(MONTH_DAYS.values())):
        months = [m for m, n in MONTH_DAYS.items() if n == days]
        condition |= models.Q(starts_month__in=months, starts_day__gte=1, starts_day__lte=days)
    return condition


def _span(a: dt.time, b: dt.time) -> dt.timedelta:
    return dt.datetime.combine(dt.date.min, b) - dt.datetime.combine(dt.date.min, a)


class WorkingTime(models.Model):
    """A season of working hours and its daily cut-off, in force from its start each year.

    The season in force on a date is the one with the latest start on or
    before that date's (month, day), or else the last season of the year
    (it runs on over the new year). The length of a working day follows from
    the hours in force that day.
    """

    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("For example: summer hours.")
    )
    starts_month = models.PositiveSmallIntegerField(
        _("starts in month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    starts_day = models.PositiveSmallIntegerField(
        _("starts on day"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("The season applies each year from this day until the next season starts."),
    )
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
        verbose_name = _("working hours (season)")
        verbose_name_plural = _("working hours")
        ordering = ["starts_month", "starts_day"]
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
            models.CheckConstraint(
                condition=_season_start_exists(),
                name="working_time_start_exists",
                violation_error_message=SEASON_START_INVALID,
            ),
            models.UniqueConstraint(
                fields=["starts_month", "starts_day"], name="working_time_one_season_per_start"
            ),
        ]

    def __str__(self) -> str:
        hours = (
            f"{self.morning_start:%H:%M}-{self.morning_end:%H:%M}, "
            f"{self.afternoon_start:%H:%M}-{self.afternoon_end:%H:%M}"
        )
        start = f"{self.starts_day:02d}/{self.starts_month:02d}"
        return f"{self.name} ({start}): {hours}" if self.name else f"{start}: {hours}"

    @property
    def day_length(self) -> dt.timedelta:
        """Return the working time of one working day in this season."""
        return _span(self.morning_start, self.morning_end) + _span(
            self.afternoon_start, self.afternoon_end
        )

    def clean(self) -> None:
        """Check the start and the periods, with a message on the field to correct."""
        errors: dict[str, object] = {}
        month, day = self.starts_month, self.starts_day
        if month in MONTH_DAYS and day is not None and not 1 <= day <= MONTH_DAYS[month]:
            errors["starts_day"] = SEASON_START_INVALID
        times = (self.morning_start, self.morning_end, self.afternoon_start, self.afternoon_end)
        if any(t is None for t in (*times, self.daily_cutoff)):
            if errors:
                raise ValidationError(errors)
            return  # a missing time already has its field's own message
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
    ANNOUNCED = "announced", _("seeded from the government's announcement")
    ADMIN = "admin", _("entered by an administrator")


# Rows that seeding owns: it may rewrite or remove them; an administrator's rows it never touches.
SEEDED_SOURCES = (DaySource.SEED, DaySource.ANNOUNCED)


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
    basis = models.CharField(
        _("announced by"),
        max_length=300,
        blank=True,
        help_text=_(
            "The notice or decision that set this day, e.g. Công văn 12729/VPCP-KGVX "
            "ngày 25/12/2025."
        ),
    )
    source = models.CharField(
        _("source"), max_length=12, choices=DaySource.choices, default=DaySource.ADMIN
    )

    class Meta:
        verbose_name = _("special day")
        verbose_name_plural = _("special days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}".strip()


class CalendarVersion(models.Model):
    """A stamp that changes with every change of the seasons or the special days.

    Each process keeps the calendar it read under the stamp it read first
    (``selectors.calendar_snapshot``): a request asks for the stamp (one small
    query) and reads the seasons and days again only when it changed. A save
    or delete of a season or a day writes a new random stamp in the same
    transaction (``signals``; writes that send no signal call
    ``services.calendar_changed`` themselves). Random, not counted: a change
    rolled back leaves a stamp nobody will ever read again.
    """

    name = models.CharField(max_length=20, unique=True)
    stamp = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("calendar version")
        verbose_name_plural = _("calendar versions")

    def __str__(self) -> str:
        return f"{self.name} {self.stamp}"
