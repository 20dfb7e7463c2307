"""Payments in the admin: read-only records (changed only by the services), collectors edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.audit.admin import AuditedAdmin

from .models import Collector, Mismatch, Notification, Payment, PaymentLine, Receipt, Refund


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Records written by the services only: shown, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PaymentLineInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PaymentLine
    extra = 0
    can_delete = False
    fields = ("dossier", "fee_code", "kind", "name", "amount", "settled")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("reference", "method", "gateway", "state", "amount", "created_at", "paid_at")
    list_filter = ("state", "method", "gateway", "duplicate")
    search_fields = ("reference", "gateway_transaction", "lines__dossier__code")
    date_hierarchy = "created_at"
    inlines = [PaymentLineInline]
    # The payer's name, number and address are personal data: the receipt, whose reads are
    # audited, has them.
    exclude = ("payer_name", "payer_id_number", "payer_address", "client_ip")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "gateway", "reference", "answer", "http_method")
    list_filter = ("gateway", "answer")
    search_fields = ("reference",)
    date_hierarchy = "received_at"


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("issued_at", "agency", "series", "number", "payment")
    list_filter = ("agency", "year")
    search_fields = ("payment__reference",)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("at", "payment", "amount", "state", "response_code", "requested_by")
    list_filter = ("state", "outside_gateway")


@admin.register(Mismatch)
class MismatchAdmin(ReadOnlyAdmin):
    list_display = ("found_at", "kind", "gateway", "reference", "gateway_amount", "our_amount")
    list_filter = ("kind", "gateway", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("reference", "gateway_transaction")


@admin.register(Collector)
class CollectorAdmin(AuditedAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("agency", "tax_code", "form_symbol", "series_letters")
    search_fields = ("agency__name", "tax_code")
    autocomplete_fields = ("agency",)
