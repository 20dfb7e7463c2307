from django.contrib import admin
from django.http import HttpRequest

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("created_at", "recipient", "kind", "subject", "read_at", "email_status")
    list_filter = ("kind", "email_status")
    search_fields = ("subject", "recipient__username", "key")
    raw_id_fields = ("recipient", "dossier")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
