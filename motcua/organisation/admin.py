from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed
from motcua.organisation.models import Agency
from motcua.organisation.services import agency_save, agency_validate

# django-stubs makes ModelAdmin generic for the type checker only.
if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[Agency]
    AgencyModelForm = ModelForm[Agency]
else:
    ModelAdmin = admin.ModelAdmin
    AgencyModelForm = ModelForm


class AgencyForm(AgencyModelForm):
    """Check the code, kind and parent with the service's rules before saving."""

    class Meta:
        model = Agency
        fields = "__all__"

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if self.errors:
            return
        try:
            agency_validate(agency=self.instance)
        except ValidationFailed as error:
            for name, messages in error.field_errors.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, str(message))


@admin.register(Agency)
class AgencyAdmin(ModelAdmin):
    form = AgencyForm
    list_display = ["code", "tree_name", "kind", "level", "is_one_stop_unit", "is_active"]
    list_filter = ["level", "kind", "is_one_stop_unit", "is_active"]
    search_fields = ["code", "name", "short_name"]
    list_select_related = ["parent", "parent__parent"]
    autocomplete_fields = ["parent", "administrative_unit"]
    ordering = ["level", "parent__name", "name"]

    @admin.display(description=_("name"), ordering="name")
    def tree_name(self, obj: Agency) -> str:
        """Show the agency under its parents, e.g. ``UBND … › Trung tâm … › Chi nhánh …``."""
        names = [obj.name]
        parent = obj.parent
        while parent is not None and len(names) < 3:
            names.append(parent.name)
            parent = parent.parent
        return " › ".join(reversed(names))

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        agency_save(agency=obj, actor=request.user)
