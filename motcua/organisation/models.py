"""Agencies and one-stop units, as a tree under the provincial People's Committee."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class GovernmentLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune")
    MINISTRY = "ministry", _("Ministry branch")


class AgencyKind(models.TextChoices):
    PEOPLES_COMMITTEE = "ubnd_province", _("Provincial People's Committee")
    DEPARTMENT = "department", _("Department")
    COMMUNE_COMMITTEE = "ubnd_commune", _("Commune People's Committee")
    SERVICE_CENTRE = "service_centre", _("Provincial Public Administration Service Centre")
    CENTRE_BRANCH = "centre_branch", _("Branch of the service centre")
    COMMUNE_CENTRE = "commune_centre", _("Commune public administration service centre")
    MINISTRY_BRANCH = "ministry_branch", _("Ministry reception point")


class Agency(models.Model):
    """An agency that decides procedures, or a one-stop unit that receives dossiers, or both.

    ``code`` is the official electronic identifier (e.g. ``000.00.05.H15``, see
    ``codes``); a one-stop unit's code starts the codes of the dossiers it
    receives.
    """

    code = models.CharField(_("agency code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    notation = models.CharField(
        _("notation"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                r"^[^\W_]+(-[^\W_]+)*$",
                _("Use letters and digits, groups joined by hyphens, without spaces."),
            )
        ],
        help_text=_(
            "The abbreviation of the agency in the numbers of its documents, "
            "e.g. STP in 12/CV-STP (Decree 30/2020/ND-CP)."
        ),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=GovernmentLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent agency"),
        help_text=_(
            "The agency one level up in the code tree (none for a ministry's agency "
            "whose parent is not kept here)."
        ),
    )
    administrative_unit = models.ForeignKey(
        "territory.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="agencies",
        verbose_name=_("administrative unit"),
    )
    is_one_stop_unit = models.BooleanField(
        _("receives dossiers"), default=False, help_text=_("A one-stop unit with counters.")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("successor"),
        help_text=_("The agency that took over its work after a merger."),
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name
