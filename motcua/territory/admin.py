from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.territory.models import AdministrativeUnit
from motcua.territory.services import unit_save

# django-stubs makes ModelAdmin generic for the type checker only.
if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[AdministrativeUnit]
else:
    ModelAdmin = admin.ModelAdmin


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ModelAdmin):
    list_display = ["code", "name", "division_type", "level", "era", "parent"]
    list_filter = ["level", "era"]
    search_fields = ["code", "name", "search_text"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent", "successors"]
    fields = ["code", "name", "division_type", "level", "era", "parent", "successors"]

    def save_model(
        self, request: HttpRequest, obj: AdministrativeUnit, form: Any, change: bool
    ) -> None:
        unit_save(unit=obj)
