"""A result document signed by its agency, and what became of it (revoked, replaced)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignedState(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    REPLACED = "replaced", _("Replaced")


class SignedResult(models.Model):
    """The signed PDF of an electronic result (``dossiers.DossierResult`` keeps the upload).

    Written once, at the leader's approval, with the file: the signer and the
    certificate that signed, when, and the SHA-256 of the signed file (what
    the verification page looks a PDF up by). A revoked or replaced result
    stays, marked, with who did it, when and why.
    """

    result = models.OneToOneField(
        "dossiers.DossierResult", on_delete=models.PROTECT, related_name="signed"
    )
    file = models.FileField(upload_to="signed/%Y/%m/")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(_("SHA-256 of the signed file"), max_length=64, unique=True)
    agency = models.ForeignKey(
        "organisation.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    signed_by_name = models.CharField(_("signer's name on the stamp"), max_length=200)
    signed_at = models.DateTimeField(_("signed at"))
    backend = models.CharField(_("signing backend"), max_length=20)
    certificate_subject = models.CharField(_("certificate subject"), max_length=500)
    certificate_issuer = models.CharField(_("certificate issuer"), max_length=500)
    certificate_serial = models.CharField(_("certificate serial number"), max_length=80)
    certificate_sha256 = models.CharField(max_length=64, db_index=True)
    timestamped = models.BooleanField(_("timestamped (RFC 3161)"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=SignedState.choices, default=SignedState.VALID
    )
    changed_at = models.DateTimeField(_("revoked or replaced at"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )

    class Meta:
        verbose_name = _("signed result")
        verbose_name_plural = _("signed results")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="replaced") | models.Q(replaced_by__isnull=False),
                name="signed_result_replaced_by",
            )
        ]

    def __str__(self) -> str:
        return f"{self.result_id} {self.state}"


class SecretFailure(models.Model):
    """A wrong result secret given on the tracking page: what the limits count.

    Kept a day (older rows are deleted as new ones come); each one also has its
    audit entry.
    """

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("wrong result secret")
        verbose_name_plural = _("wrong result secrets")
        indexes = [
            models.Index(fields=["dossier", "at"], name="esign_secret_dossier"),
            models.Index(fields=["address", "at"], name="esign_secret_address"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.at:%Y-%m-%d %H:%M}"
