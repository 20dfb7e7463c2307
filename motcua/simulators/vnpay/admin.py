from django.contrib import admin

from .models import SimNotification, SimRefund, SimTransaction


@admin.register(SimTransaction)
class SimTransactionAdmin(admin.ModelAdmin[SimTransaction]):
    list_display = [
        "txn_ref",
        "transaction_no",
        "amount",
        "response_code",
        "refunded",
        "created_at",
    ]
    search_fields = ["txn_ref", "transaction_no"]


@admin.register(SimNotification)
class SimNotificationAdmin(admin.ModelAdmin[SimNotification]):
    list_display = ["transaction", "due_at", "delivered_at", "attempts", "status_code"]


@admin.register(SimRefund)
class SimRefundAdmin(admin.ModelAdmin[SimRefund]):
    list_display = ["transaction", "transaction_no", "transaction_type", "amount", "created_at"]
