"""Administrative units, current (after 1 July 2025) and historic, with the mapping between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District (before 2025)")
    COMMUNE = "commune", _("Commune")


class UnitEra(models.TextChoices):
    CURRENT = "current", _("Current (two-tier, from 1 July 2025)")
    LEGACY = "legacy", _("Before 1 July 2025")


class AdministrativeUnit(models.Model):
    """A province, a district or a commune with its official statistics-office code.

    Codes of units abolished in 2025 may have been reused by the units that
    replaced them, so a code is unique only within its level and era.
    """

    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=200)
    division_type = models.CharField(_("division type"), max_length=40, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices)
    era = models.CharField(
        _("era"), max_length=10, choices=UnitEra.choices, default=UnitEra.CURRENT
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    successors = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="predecessors",
        verbose_name=_("successors"),
        help_text=_("Current units that took over this historic unit's territory."),
    )
    default_successor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("main successor"),
        help_text=_(
            "The successor a lookup that needs one answer uses: the one that took most "
            "of the territory."
        ),
    )
    search_text = models.CharField(max_length=200, editable=False, default="")

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "era", "code"], name="unit_code_unique_per_era"
            )
        ]

    def __str__(self) -> str:
        return self.name
