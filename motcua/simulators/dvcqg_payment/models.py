"""What the national payment platform simulator keeps: transactions and their notifications."""

from __future__ import annotations

import httpx
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlatformTransaction(models.Model):
    """One transaction a merchant created (its ``transaction_id`` once per client)."""

    client_id = models.CharField(_("client id"), max_length=100)
    transaction_id = models.CharField(_("merchant transaction id"), max_length=100)
    transaction_code = models.CharField(_("platform transaction code"), max_length=30, unique=True)
    trans_amount = models.BigIntegerField(_("amount (VND)"))
    addition_fee = models.BigIntegerField(_("addition fee (VND)"), default=0)
    command = models.CharField(_("command"), max_length=20)
    version = models.CharField(_("version"), max_length=10)
    description = models.CharField(_("description"), max_length=255, blank=True)
    return_url = models.URLField(_("return URL"), max_length=1000)
    bills = models.JSONField(_("bills"), default=list)
    # Empty until the payer chooses: "0" paid, "1" failed, "2" cancelled.
    status = models.CharField(_("status"), max_length=2, blank=True)
    payment_time = models.CharField(_("paid (yyyyMMddHHmmss)"), max_length=14, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("simulated platform transaction")
        verbose_name_plural = _("simulated platform transactions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client_id", "transaction_id"], name="dvcqg_sim_one_transaction_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.transaction_id} ({self.transaction_code})"

    @property
    def amount_shown(self) -> str:
        """The amount as Vietnamese write it: 50.000."""
        return f"{self.trans_amount:,}".replace(",", ".")


class PlatformNotification(models.Model):
    """One notification to send (a JSON POST with the checksum), now or when due."""

    transaction = models.ForeignKey(
        PlatformTransaction, on_delete=models.CASCADE, related_name="notifications"
    )
    url = models.URLField(_("notification URL"), max_length=1000)
    body = models.JSONField(_("body"))
    due_at = models.DateTimeField(_("due at"), db_index=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    answer = models.TextField(_("merchant's answer"), blank=True)

    class Meta:
        verbose_name = _("simulated platform notification")
        verbose_name_plural = _("simulated platform notifications")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"notification {self.transaction_id} @ {self.due_at:%H:%M:%S}"

    def send(self, client: httpx.Client) -> httpx.Response:
        return client.post(self.url, json=self.body)

    def accepted(self, response: httpx.Response) -> bool:
        """The platform stops resending on ``return_code`` 0."""
        try:
            return response.status_code == 200 and response.json().get("return_code") == 0
        except (ValueError, AttributeError):
            return False
