"""Report forms in the admin: a new circular's form is a new version with its columns and periods.

Every save and delete, of a form and of its columns and schedules, is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.audit.admin import AuditedAdmin
from motcua.audit.services import audited_delete, audited_save

from .models import ReportColumn, ReportForm, ReportSchedule


class ReportColumnInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ReportColumn
    extra = 0
    fields = ("order", "code", "group", "subgroup", "header", "expression")


class ReportScheduleInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ReportSchedule
    extra = 0
    fields = ("kind", "cut_off", "cut_off_day", "deadline_day")


@admin.register(ReportForm)
class ReportFormAdmin(AuditedAdmin, admin.ModelAdmin[ReportForm]):
    list_display = ("code", "name", "circular", "valid_from", "grouping", "active")
    list_filter = ("active", "grouping")
    search_fields = ("code", "name", "circular")
    inlines = (ReportColumnInline, ReportScheduleInline)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for obj in formset.save(commit=False):
            audited_save(instance=obj, actor=request.user)
        for obj in formset.deleted_objects:
            audited_delete(instance=obj, actor=request.user)
