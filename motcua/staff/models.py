"""Staff roles, each scoped to an agency or one-stop unit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RECEIVING_OFFICER = "receiving_officer", _("Receiving officer")
    SPECIALIST = "specialist", _("Specialist")
    LEADER = "leader", _("Leader")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    CENTRE_ADMIN = "centre_admin", _("Centre administrator")
    ACCOUNTANT = "accountant", _("Accountant (fees and reconciliation)")
    STATISTICIAN = "statistician", _("Statistician (figures, reports, targets)")


class StaffRole(models.Model):
    """A user holds ``role`` in ``agency`` (a deciding agency or a one-stop unit).

    A user may hold several roles in several agencies; what they see and may do
    on a dossier follows from these rows only.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        "organisation.Agency", on_delete=models.PROTECT, related_name="staff_roles"
    )
    is_active = models.BooleanField(_("active"), default=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "agency"], name="staff_role_unique")
        ]
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} - {self.agency}"
