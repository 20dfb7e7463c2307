"""Indicators a province sets yearly targets for, and the targets (for the province or an agency).

An indicator is data: its code is what dashboards, reports and the sector's
figures look targets up by (a sector metric gets an indicator of the same
code when it is created). This app knows nothing of where the values come
from; callers pass the value to assess.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MIN_YEAR = 2000
MAX_YEAR = 2100


class IndicatorUnit(models.TextChoices):
    PERCENT = "percent", _("Percent")
    NUMBER = "number", _("Number")
    PER100 = "per100", _("Per 100 inhabitants")


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("At least (higher is better)")
    AT_MOST = "at_most", _("At most (lower is better)")


class TargetIndicator(models.Model):
    """Something a target can be set for: a share of dossiers, a count, a density."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("name in English"), max_length=255, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=IndicatorUnit.choices)
    unit_label = models.CharField(
        _("unit label"),
        max_length=60,
        blank=True,
        help_text=_('What a number counts, e.g. "thuê bao" or "máy/100 dân".'),
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.AT_LEAST
    )
    source = models.TextField(_("source"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("target indicator")
        verbose_name_plural = _("target indicators")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """The value ``indicator`` should reach in ``year``, for a province or for one agency."""

    indicator = models.ForeignKey(
        TargetIndicator,
        on_delete=models.PROTECT,
        related_name="targets",
        verbose_name=_("indicator"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    province = models.ForeignKey(
        "territory.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    agency = models.ForeignKey(
        "organisation.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    value = models.DecimalField(_("target value"), max_digits=20, decimal_places=4)
    note = models.CharField(_("note"), max_length=500, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["-year", "indicator__order", "indicator__code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(province__isnull=False) & Q(agency__isnull=True))
                | (Q(province__isnull=True) & Q(agency__isnull=False)),
                name="target_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR) & Q(year__lte=MAX_YEAR), name="target_year_range"
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "province"],
                condition=Q(province__isnull=False),
                name="target_unique_province",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "agency"],
                condition=Q(agency__isnull=False),
                name="target_unique_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value}"
