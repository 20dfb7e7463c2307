"""Admin of the calendar: the working time (one row) and the days that differ from their weekday.

A thin interface over ``services``: saves and deletes go through them, so a
day an administrator enters is marked as theirs and seeding leaves it alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from motcua.calendar.models import SpecialDay, WorkingTime
from motcua.calendar.services import (
    WORKING_TIME_FIELDS,
    special_day_delete,
    special_day_set,
    working_time_update,
)

# django-stubs makes the admin classes generic for the type checker only.
if TYPE_CHECKING:
    WorkingTimeAdminBase = admin.ModelAdmin[WorkingTime]
    SpecialDayAdminBase = admin.ModelAdmin[SpecialDay]
else:
    WorkingTimeAdminBase = SpecialDayAdminBase = admin.ModelAdmin


@admin.register(WorkingTime)
class WorkingTimeAdmin(WorkingTimeAdminBase):
    fieldsets = [
        (_("Morning"), {"fields": ["morning_start", "morning_end"]}),
        (_("Afternoon"), {"fields": ["afternoon_start", "afternoon_end"]}),
        (_("Same-day dossiers"), {"fields": ["daily_cutoff"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not WorkingTime.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: WorkingTime | None = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # One row: the list is a detour, open the row (or the form to create it).
        row = WorkingTime.objects.filter(pk=1).first()
        if row is None:
            return HttpResponseRedirect(reverse("admin:calendar_workingtime_add"))
        return HttpResponseRedirect(reverse("admin:calendar_workingtime_change", args=[row.pk]))

    def save_model(self, request: HttpRequest, obj: WorkingTime, form: Any, change: bool) -> None:
        saved = working_time_update(
            **{name: form.cleaned_data[name] for name in WORKING_TIME_FIELDS}
        )
        obj.pk = saved.pk


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        years = SpecialDay.objects.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(SpecialDay)
class SpecialDayAdmin(SpecialDayAdminBase):
    list_display = ["date", "weekday", "kind", "name", "source"]
    list_filter = ["kind", "source", YearFilter]
    search_fields = ["name"]
    date_hierarchy = "date"
    fields = ["date", "kind", "name", "source"]
    readonly_fields = ["source"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: SpecialDay) -> str:
        return str(WEEKDAYS[obj.date.weekday()])

    def get_readonly_fields(self, request: HttpRequest, obj: SpecialDay | None = None) -> Any:
        # A row is its date: to move a day, delete it and add the new date.
        if obj is not None:
            return [*self.readonly_fields, "date"]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: SpecialDay, form: Any, change: bool) -> None:
        saved = special_day_set(date=obj.date, kind=obj.kind, name=obj.name)
        obj.pk, obj.source = saved.pk, saved.source

    def delete_model(self, request: HttpRequest, obj: SpecialDay) -> None:
        special_day_delete(date=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SpecialDay]) -> None:
        for day in queryset:
            special_day_delete(date=day.date)
