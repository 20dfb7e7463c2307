"""Admin: the criteria are edited by a province administrator (audited); ratings are read only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.audit.admin import AuditedAdmin

from .models import Criterion, Rating, RatingScore


@admin.register(Criterion)
class CriterionAdmin(AuditedAdmin, admin.ModelAdmin[Criterion]):
    list_display = ("order", "code", "name", "is_active", "source")
    list_display_links = ("code",)
    list_editable = ("order", "is_active")
    search_fields = ("code", "name", "name_en")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The code names the tallies' rows: fixed once created.
        return ("code",) if obj is not None else ()


class ScoreInline(admin.TabularInline[RatingScore, Rating]):
    model = RatingScore
    extra = 0
    fields = ("criterion", "level")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin[Rating]):
    """Ratings as the applicants gave them: read only (the tallies count them)."""

    list_display = ("dossier", "agency", "procedure", "created_at")
    list_select_related = ("dossier", "agency", "procedure")
    date_hierarchy = "created_at"
    search_fields = ("dossier__code",)
    fields = ("dossier", "agency", "receiving_unit", "procedure", "comment", "created_at")
    readonly_fields = fields
    inlines = (ScoreInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
