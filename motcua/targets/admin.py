"""Admin: indicators are configuration (audited saves); targets are read only here (set on the
staff page, /can-bo/thong-ke/chi-tieu/, through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.audit.admin import AuditedAdmin

from .models import Target, TargetIndicator


@admin.register(TargetIndicator)
class TargetIndicatorAdmin(AuditedAdmin, admin.ModelAdmin[TargetIndicator]):
    list_display = ("order", "code", "name", "unit", "direction", "is_active")
    list_display_links = ("code",)
    list_editable = ("order", "is_active")
    search_fields = ("code", "name", "name_en")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin[Target]):
    list_display = ("indicator", "year", "province", "agency", "value", "set_by", "set_at")
    list_filter = ("year", "indicator")
    list_select_related = ("indicator", "province", "agency", "set_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
