from django.contrib import admin

from .models import SimEvent, SimOrder, SimWebhook


@admin.register(SimOrder)
class SimOrderAdmin(admin.ModelAdmin[SimOrder]):
    list_display = ["order_number", "item_code", "status_code", "cod_amount", "created_at"]
    search_fields = ["order_number", "item_code"]


@admin.register(SimEvent)
class SimEventAdmin(admin.ModelAdmin[SimEvent]):
    list_display = ["id", "order", "status_code", "event_time"]


@admin.register(SimWebhook)
class SimWebhookAdmin(admin.ModelAdmin[SimWebhook]):
    list_display = ["id", "due_at", "delivered_at", "attempts", "status_code"]
