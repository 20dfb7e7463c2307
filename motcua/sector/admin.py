"""Admin: metrics are added and changed here too (audited, with their target indicator);
periods and figures are read only (they change through the staff page's services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import SectorFigure, SectorMetric, SectorPeriod
from .services import sector_metric_save


@admin.register(SectorMetric)
class SectorMetricAdmin(admin.ModelAdmin[SectorMetric]):
    list_display = ("order", "code", "name", "kind", "unit_label", "is_active")
    list_display_links = ("code",)
    list_editable = ("order", "is_active")
    search_fields = ("code", "name", "name_en")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The code names figures, imports and the target indicator: fixed once created.
        return ("code",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: SectorMetric, form: Any, change: bool) -> None:
        sector_metric_save(metric=obj, actor=request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire a metric (not active); its figures stay


class ReadOnlyAdmin:
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SectorPeriod)
class SectorPeriodAdmin(ReadOnlyAdmin, admin.ModelAdmin[SectorPeriod]):
    list_display = ("__str__", "state", "closed_at", "closed_by", "reopened_at", "reopen_reason")
    list_filter = ("state", "year")


@admin.register(SectorFigure)
class SectorFigureAdmin(ReadOnlyAdmin, admin.ModelAdmin[SectorFigure]):
    list_display = ("metric", "period", "unit", "value", "entered_by", "entered_at")
    list_filter = ("metric", "period__year")
    list_select_related = ("metric", "period", "unit", "entered_by")
    raw_id_fields = ("unit",)
