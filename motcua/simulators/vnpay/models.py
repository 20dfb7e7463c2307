"""What the VNPAY simulator keeps: the payments started at it, their IPNs and refunds."""

from __future__ import annotations

import httpx
from django.db import models
from django.utils.translation import gettext_lazy as _


class SimTransaction(models.Model):
    """One payment a merchant sent a payer to (one ``vnp_TxnRef`` per terminal)."""

    tmn_code = models.CharField(_("terminal code"), max_length=8)
    txn_ref = models.CharField(_("merchant reference"), max_length=100)
    transaction_no = models.CharField(_("VNPAY transaction number"), max_length=20, unique=True)
    amount = models.BigIntegerField(_("amount (VND)"))
    order_info = models.CharField(_("order information"), max_length=255)
    locale = models.CharField(_("locale"), max_length=2, default="vn")
    return_url = models.URLField(_("return URL"), max_length=1000)
    ip_addr = models.CharField(_("payer IP"), max_length=45)
    create_date = models.CharField(_("created (yyyyMMddHHmmss)"), max_length=14)
    expire_date = models.CharField(_("expires (yyyyMMddHHmmss)"), max_length=14)
    bank_code = models.CharField(_("bank"), max_length=20, blank=True)
    # Empty until the payer chooses; a late payment reads "01" (not completed) until settled_at.
    response_code = models.CharField(_("response code"), max_length=2, blank=True)
    transaction_status = models.CharField(_("transaction status"), max_length=2, blank=True)
    pay_date = models.CharField(_("paid (yyyyMMddHHmmss)"), max_length=14, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    refunded = models.BigIntegerField(_("refunded (VND)"), default=0)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("simulated VNPAY payment")
        verbose_name_plural = _("simulated VNPAY payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tmn_code", "txn_ref"], name="vnpay_sim_one_txn_ref")
        ]

    def __str__(self) -> str:
        return f"{self.txn_ref} ({self.transaction_no})"

    @property
    def amount_shown(self) -> str:
        """The amount as Vietnamese write it: 50.000."""
        return f"{self.amount:,}".replace(",", ".")


class SimNotification(models.Model):
    """One IPN to send (a GET with the signed fields), now or when due."""

    transaction = models.ForeignKey(
        SimTransaction, on_delete=models.CASCADE, related_name="notifications"
    )
    url = models.URLField(_("IPN URL"), max_length=1000)
    query = models.TextField(_("signed query"))
    due_at = models.DateTimeField(_("due at"), db_index=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    answer = models.TextField(_("merchant's answer"), blank=True)

    class Meta:
        verbose_name = _("simulated VNPAY IPN")
        verbose_name_plural = _("simulated VNPAY IPNs")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"IPN {self.transaction_id} @ {self.due_at:%H:%M:%S}"

    def send(self, client: httpx.Client) -> httpx.Response:
        joiner = "&" if "?" in self.url else "?"
        return client.get(f"{self.url}{joiner}{self.query}")

    def accepted(self, response: httpx.Response) -> bool:
        """VNPAY stops resending on 00 (confirmed) or 02 (already confirmed)."""
        try:
            return response.status_code == 200 and response.json().get("RspCode") in ("00", "02")
        except (ValueError, AttributeError):
            return False


class SimRefund(models.Model):
    """One refund the simulator accepted (its ``vnp_RequestId`` once)."""

    transaction = models.ForeignKey(
        SimTransaction, on_delete=models.CASCADE, related_name="refunds"
    )
    request_id = models.CharField(_("request id"), max_length=32, unique=True)
    transaction_no = models.CharField(_("refund transaction number"), max_length=20, unique=True)
    transaction_type = models.CharField(_("type"), max_length=2)
    amount = models.BigIntegerField(_("amount (VND)"))
    created_by = models.CharField(_("created by"), max_length=250)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("simulated VNPAY refund")
        verbose_name_plural = _("simulated VNPAY refunds")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.transaction_no
