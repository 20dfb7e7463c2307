"""What the VNPost simulator keeps: the orders created at it, their events, the webhooks to send."""

from __future__ import annotations

import httpx
from django.db import models
from django.utils.translation import gettext_lazy as _


class SimOrder(models.Model):
    """One order a customer created (one ``OrderNumber`` per customer code)."""

    customer_code = models.CharField(_("customer code"), max_length=40)
    order_number = models.CharField(_("order number"), max_length=40)
    item_code = models.CharField(_("item code"), max_length=20, unique=True)
    cod_amount = models.BigIntegerField(_("cash on delivery (VND)"), default=0)
    request = models.JSONField(_("order as sent"), default=dict)
    status_code = models.PositiveSmallIntegerField(_("last status code"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("simulated VNPost order")
        verbose_name_plural = _("simulated VNPost orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer_code", "order_number"], name="vnpost_sim_one_order_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_number} ({self.item_code})"

    @property
    def cod_shown(self) -> str:
        """The amount as Vietnamese write it: 72.000."""
        return f"{self.cod_amount:,}".replace(",", ".")

    @property
    def receiver(self) -> str:
        return str(self.request.get("ReceiverName", ""))

    @property
    def sender(self) -> str:
        return str(self.request.get("SenderName", ""))


class SimEvent(models.Model):
    """One tracking event; its ``_id`` is its row id as 24 hex digits (ordered like the pk)."""

    order = models.ForeignKey(SimOrder, on_delete=models.CASCADE, related_name="events")
    status_code = models.PositiveSmallIntegerField(_("status code"))
    message = models.CharField(_("message"), max_length=255)
    notes = models.CharField(_("notes"), max_length=255, blank=True)
    pos_id = models.CharField(_("post office"), max_length=20, default="550000")
    event_time = models.DateTimeField(_("event time"))

    class Meta:
        verbose_name = _("simulated VNPost event")
        verbose_name_plural = _("simulated VNPost events")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.oid} {self.status_code}"

    @property
    def oid(self) -> str:
        return f"{self.pk:024x}"

    def doc(self) -> dict[str, object]:
        """The event as the tracking list and the webhook give it (``rh:doc``)."""
        return {
            "_id": {"$oid": self.oid},
            "CustomerCode": self.order.customer_code,
            "OrderNumber": self.order.order_number,
            "EventTime": int(self.event_time.timestamp() * 1000),
            "POSID": self.pos_id,
            "ItemCode": self.order.item_code,
            "StatusCode": self.status_code,
            "StatusMessage": self.message,
            "Notes": self.notes,
        }


class SimWebhook(models.Model):
    """One webhook to send (a signed POST of events), now or when due."""

    url = models.URLField(_("webhook URL"), max_length=1000)
    body = models.TextField(_("body"))
    signature = models.CharField(_("signature"), max_length=128)
    due_at = models.DateTimeField(_("due at"), db_index=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    answer = models.TextField(_("customer's answer"), blank=True)

    class Meta:
        verbose_name = _("simulated VNPost webhook")
        verbose_name_plural = _("simulated VNPost webhooks")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"webhook {self.pk} @ {self.due_at:%H:%M:%S}"

    def send(self, client: httpx.Client) -> httpx.Response:
        return client.post(
            self.url,
            content=self.body.encode(),
            headers={"Content-Type": "application/json", "X-VNPost-Signature": self.signature},
        )

    def accepted(self, response: httpx.Response) -> bool:
        return response.status_code == 200
