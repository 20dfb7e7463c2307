from django.contrib import admin

from .models import PlatformNotification, PlatformTransaction


@admin.register(PlatformTransaction)
class PlatformTransactionAdmin(admin.ModelAdmin[PlatformTransaction]):
    list_display = ["transaction_id", "transaction_code", "trans_amount", "status", "created_at"]
    search_fields = ["transaction_id", "transaction_code"]


@admin.register(PlatformNotification)
class PlatformNotificationAdmin(admin.ModelAdmin[PlatformNotification]):
    list_display = ["transaction", "due_at", "delivered_at", "attempts", "status_code"]
