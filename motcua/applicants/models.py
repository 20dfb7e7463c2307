"""Applicants: citizens and businesses signed in with the national identity, and their drafts.

An applicant is not staff: the profile is tied to a Django user that has no
password, no staff flag and no staff role, so every staff page and the admin
refuse it (``staff.decorators.staff_required``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import ApplicantKind


class Applicant(models.Model):
    """What the identity provider said about a person or business at their last sign-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applicant"
    )
    subject = models.CharField(_("subject at the identity provider"), max_length=255, unique=True)
    id_number = models.CharField(_("personal identification number"), max_length=12)
    kind = models.CharField(
        _("account type"),
        max_length=15,
        choices=ApplicantKind.choices,
        default=ApplicantKind.PERSON,
    )
    name = models.CharField(_("full name"), max_length=200)
    birthdate = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    tax_code = models.CharField(_("tax or enterprise code"), max_length=20, blank=True)
    loa = models.PositiveSmallIntegerField(_("level of assurance"), default=1)
    signed_in_at = models.DateTimeField(_("last signed in at"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("applicant")
        verbose_name_plural = _("applicants")
        indexes = [models.Index(fields=["id_number"], name="applicant_id_number")]

    def __str__(self) -> str:
        return self.name


class Draft(models.Model):
    """A submission form saved to be finished later: its answers and the files kept for it.

    ``data`` holds the form's inputs (never files); ``kept`` the tokens of the
    files kept for it (``dossiers.uploads.PendingUpload``, by component input),
    which expire after ``MOTCUA_KEPT_UPLOADS_HOURS`` like every kept upload.
    One draft per applicant and procedure.
    """

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="drafts")
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(_("answers"), default=dict, blank=True)
    kept = models.JSONField(_("kept files"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "procedure"], name="draft_one_per_procedure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.applicant_id} / {self.procedure_id}"
