"""The indicators of Decision 766/QĐ-TTg as versioned data: sets, groups, indicators.

An ``IndicatorSet`` is one version of the rules (groups, indicators, points,
formulas and their parameters), in force from ``valid_from``. Scoring a
period uses the published set in force at the period's end, so a period
keeps the rules it was scored under when the guidance changes later. A new
version is a copy of an old one (``services.indicator_set_copy``), edited
while it is a draft and then published; a published set is never edited.

An ``Indicator`` names a formula (a key of ``formulas.FORMULAS``) and its
parameters (measure expressions over the statistics measures, the share at
which the full points are given, weights), checked by ``formulas.check``.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorSet(models.Model):
    """One version of the indicators, in force from ``valid_from`` once published."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    legal_source = models.TextField(_("legal source"), blank=True)
    valid_from = models.DateField(_("in force from"))
    published = models.BooleanField(_("published"), default=False)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")
        ordering = ["-valid_from", "-id"]

    def __str__(self) -> str:
        return f"{self.code} ({self.valid_from:%d/%m/%Y})"


class IndicatorGroup(models.Model):
    """A group of indicators and the points it is worth."""

    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=255)
    max_points = models.DecimalField(_("maximum points"), max_digits=6, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator group")
        verbose_name_plural = _("indicator groups")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"], name="indicator_group_code"),
            models.CheckConstraint(
                condition=models.Q(max_points__gte=0), name="indicator_group_points_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Indicator(models.Model):
    """An indicator: its formula (a key into the registry in code), parameters and points."""

    group = models.ForeignKey(IndicatorGroup, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=255)
    max_points = models.DecimalField(_("maximum points"), max_digits=6, decimal_places=2)
    formula = models.CharField(_("formula"), max_length=30)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    legal_source = models.TextField(_("legal source"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "code"], name="indicator_code"),
            models.CheckConstraint(
                condition=models.Q(max_points__gte=0), name="indicator_points_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self.params or {})
