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


class LookupCode(models.Model):
    """One request for a one-time code to look up one's dossiers without an account.

    Every request is a row, whether or not a dossier matched (so that the
    limits count alike and say nothing about who has dossiers). The
    identification number and the phone are kept only as keyed hashes
    (HMAC with ``SECRET_KEY``) for the limits; the code only as a keyed hash
    (empty: nothing matched, no code was sent, no code can succeed).
    ``dossier_ids`` are the dossiers the code opens. Rows older than a day
    are deleted (``lookup.lookup_code_request``).
    """

    number_key = models.CharField(max_length=64)
    phone_key = models.CharField(max_length=64)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    dossier_ids = models.JSONField(default=list, blank=True)
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    created_at = models.DateTimeField(_("asked at"))
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lookup code")
        verbose_name_plural = _("lookup codes")
        indexes = [
            models.Index(fields=["number_key", "created_at"], name="lookup_by_number"),
            models.Index(fields=["phone_key", "created_at"], name="lookup_by_phone"),
            models.Index(fields=["address", "created_at"], name="lookup_by_address"),
            models.Index(fields=["created_at"], name="lookup_created"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"
