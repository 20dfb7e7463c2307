from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed
from motcua.territory.models import AdministrativeUnit
from motcua.territory.services import unit_save, unit_validate

# django-stubs makes ModelAdmin generic for the type checker only.
if TYPE_CHECKING:
    ModelAdmin = admin.ModelAdmin[AdministrativeUnit]
    UnitForm = ModelForm[AdministrativeUnit]
else:
    ModelAdmin = admin.ModelAdmin
    UnitForm = ModelForm


class AdministrativeUnitForm(UnitForm):
    """Check the level, parent and successors with the service's rules before saving."""

    class Meta:
        model = AdministrativeUnit
        fields = [
            "code",
            "name",
            "division_type",
            "level",
            "era",
            "parent",
            "successors",
            "default_successor",
        ]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if self.errors:
            return
        try:
            unit_validate(
                unit=self.instance,
                successors=list(self.cleaned_data.get("successors") or []),
            )
        except ValidationFailed as error:
            by_field = {
                name: messages
                for name, messages in error.field_errors.items()
                if name in self.fields
            }
            self.add_error(None, ValidationError(str(error.message)))
            for name, messages in by_field.items():
                for message in messages:
                    self.add_error(name, str(message))


def _links(units: QuerySet[AdministrativeUnit]) -> SafeString:
    return format_html_join(
        ", ", "{} ({})", ((u.name, u.code) for u in units.order_by("code"))
    ) or SafeString("-")


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ModelAdmin):
    form = AdministrativeUnitForm
    list_display = ["code", "name", "division_type", "level", "era", "parent"]
    list_filter = ["level", "era"]
    search_fields = ["code", "name", "search_text"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent", "successors", "default_successor"]
    readonly_fields = ["predecessor_list", "successor_list"]
    fieldsets = [
        (None, {"fields": ["code", "name", "division_type", "level", "era", "parent"]}),
        (
            _("Before and after 1 July 2025"),
            {
                "fields": [
                    "successors",
                    "default_successor",
                    "successor_list",
                    "predecessor_list",
                ]
            },
        ),
    ]

    @admin.display(description=_("took over by"))
    def successor_list(self, obj: AdministrativeUnit) -> SafeString:
        """List the current units that took over this historic unit."""
        if obj.pk is None:
            return SafeString("-")
        return _links(obj.successors.all())

    @admin.display(description=_("formed from"))
    def predecessor_list(self, obj: AdministrativeUnit) -> SafeString:
        """List the historic units whose territory this current unit took over."""
        if obj.pk is None:
            return SafeString("-")
        return _links(obj.predecessors.all())

    def save_model(
        self, request: HttpRequest, obj: AdministrativeUnit, form: Any, change: bool
    ) -> None:
        unit_save(unit=obj, successors=list(form.cleaned_data["successors"]), actor=request.user)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The successors were saved by unit_save, with the audit entry.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
