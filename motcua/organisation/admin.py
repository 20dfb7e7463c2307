from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from motcua.organisation.models import Agency

# django-stubs makes ModelAdmin generic for the type checker only.
if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Agency]
else:
    ModelAdmin = admin.ModelAdmin


@admin.register(Agency)
class AgencyAdmin(ModelAdmin):
    list_display = ["code", "tree_name", "kind", "level", "is_one_stop_unit", "is_active"]
    list_filter = ["level", "kind", "is_one_stop_unit", "is_active"]
    search_fields = ["code", "name", "short_name"]
    list_select_related = ["parent", "parent__parent"]
    autocomplete_fields = ["parent", "administrative_unit"]
    ordering = ["level", "parent__name", "name"]

    @admin.display(description="name", ordering="name")
    def tree_name(self, obj: Agency) -> str:
        """Show the agency under its parents, e.g. ``UBND … › Trung tâm … › Chi nhánh …``."""
        names = [obj.name]
        parent = obj.parent
        while parent is not None and len(names) < 3:
            names.append(parent.name)
            parent = parent.parent
        return " › ".join(reversed(names))
