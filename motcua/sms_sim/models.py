"""What the eSMS.vn simulator "sent", and how it is told to misbehave."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SimulatedSms(models.Model):
    """One SMS the simulator accepted (its ``request_id`` once: a second is code 124)."""

    # Null when the client sent none: unique among those that did.
    request_id = models.CharField(  # noqa: DJ001
        _("request id"), max_length=50, unique=True, null=True
    )
    sms_id = models.CharField(_("SMS id"), max_length=40, unique=True)
    phone = models.CharField(_("phone"), max_length=20)
    brandname = models.CharField(_("brandname"), max_length=20)
    content = models.TextField(_("content"))
    is_unicode = models.BooleanField(_("Unicode"), default=False)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("simulated SMS")
        verbose_name_plural = _("simulated SMS")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.sms_id


class SimulatorControl(models.Model):
    """The one row telling the simulator to fail the next sends or to answer slowly."""

    fail_next = models.PositiveIntegerField(
        _("fail the next sends"), default=0, help_text=_("How many sends to refuse from now.")
    )
    fail_code = models.CharField(
        _("error code"),
        max_length=5,
        default="103",
        help_text=_(
            "The code refused sends get: 103 no balance, 99 number blocked, 108 bad number."
        ),
    )
    delay_ms = models.PositiveIntegerField(_("delay (ms)"), default=0)

    class Meta:
        verbose_name = _("simulator setting")
        verbose_name_plural = _("simulator settings")

    def __str__(self) -> str:
        return str(_("SMS gateway simulator"))
