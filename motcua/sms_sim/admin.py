from django.contrib import admin
from django.http import HttpRequest

from .models import SimulatedSms, SimulatorControl


@admin.register(SimulatedSms)
class SimulatedSmsAdmin(admin.ModelAdmin[SimulatedSms]):
    """What the simulator "sent": read only."""

    list_display = ("received_at", "phone", "content", "request_id", "sms_id")
    search_fields = ("request_id", "sms_id")
    date_hierarchy = "received_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SimulatorControl)
class SimulatorControlAdmin(admin.ModelAdmin[SimulatorControl]):
    list_display = ("__str__", "fail_next", "fail_code", "delay_ms")
