"""Admin of the catalogue: a thin interface over ``services`` and ``importing``.

Versions are never edited once a dossier uses them: their admin turns
read-only, and changes go through "publish a new version".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from motcua.catalog.importing import (
    ImportFileError,
    catalog_import_file,
    export_json,
    export_xlsx,
    procedures_for_export,
)
from motcua.catalog.models import Component, Fee, Field, Procedure, ProcedureVersion
from motcua.catalog.services import (
    IDENTITY_FIELDS,
    field_upsert,
    procedure_create,
    procedure_publish_content,
    procedure_update,
    procedure_version_revise,
    version_content,
    version_is_in_use,
)
from motcua.core.errors import DomainError

# django-stubs makes the admin classes generic for the type checker only.
if TYPE_CHECKING:
    FieldAdminBase = admin.ModelAdmin[Field]
    ProcedureAdminBase = admin.ModelAdmin[Procedure]
    VersionAdminBase = admin.ModelAdmin[ProcedureVersion]
    VersionInlineBase = admin.TabularInline[ProcedureVersion, Procedure]
    ComponentInlineBase = admin.TabularInline[Component, ProcedureVersion]
    FeeInlineBase = admin.TabularInline[Fee, ProcedureVersion]
else:
    FieldAdminBase = ProcedureAdminBase = VersionAdminBase = admin.ModelAdmin
    VersionInlineBase = ComponentInlineBase = FeeInlineBase = admin.TabularInline

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@admin.register(Field)
class FieldAdmin(FieldAdminBase):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]

    def save_model(self, request: HttpRequest, obj: Field, form: Any, change: bool) -> None:
        saved = field_upsert(code=obj.code, name=obj.name)
        obj.pk = saved.pk


class VersionInline(VersionInlineBase):
    model = ProcedureVersion
    fk_name = "procedure"
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("number", "name", "processing_time_value", "processing_time_unit", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Catalogue file (.json or .xlsx)"))
    dry_run = forms.BooleanField(
        label=_("Dry run: report what would happen, save nothing"), required=False, initial=True
    )


@admin.register(Procedure)
class ProcedureAdmin(ProcedureAdminBase):
    list_display = [
        "code",
        "name",
        "agency",
        "level",
        "online_level",
        "processing_time_value",
        "processing_time_unit",
        "is_published",
    ]
    list_filter = ["level", "online_level", "is_published", "field", "agency"]
    search_fields = ["code", "national_code", "search_text"]
    list_select_related = ["agency", "field"]
    autocomplete_fields = ["agency", "field"]
    readonly_fields = ["current_version", "processing_time_value", "processing_time_unit"]
    inlines = [VersionInline]
    actions = ["publish_new_version", "export_as_json", "export_as_xlsx"]
    change_list_template = "admin/catalog/procedure/change_list.html"
    fieldsets = [
        (None, {"fields": ["code", "national_code", "name", "field", "agency", "level"]}),
        (
            _("Online and channels"),
            {
                "fields": [
                    "online_level",
                    "legacy_online_level",
                    "accepts_counter",
                    "accepts_online",
                    "accepts_post",
                    "returns_by_post",
                    "boundary_free",
                    "is_published",
                ]
            },
        ),
        (
            _("Current version"),
            {"fields": ["current_version", "processing_time_value", "processing_time_unit"]},
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Procedure | None = None) -> Any:
        # The code is the identity; the name follows the published version.
        if obj is not None:
            return [*self.readonly_fields, "code", "name"]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Procedure, form: Any, change: bool) -> None:
        data = {k: form.cleaned_data[k] for k in IDENTITY_FIELDS if k in form.cleaned_data}
        try:
            if change:
                procedure_update(procedure=obj, **data)
            else:
                saved = procedure_create(code=obj.code, name=obj.name, **data)
                obj.pk = saved.pk
        except DomainError as exc:
            raise PermissionDenied(str(exc.message)) from exc

    @admin.action(description=_("Publish a new version (a copy of the current one, to edit)"))
    def publish_new_version(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> None:
        for procedure in queryset.select_related("agency", "field"):
            current = procedure.current_version
            if current is None:
                self.message_user(
                    request,
                    _("%(code)s has no version to copy; import one.") % {"code": procedure.code},
                    messages.WARNING,
                )
                continue
            version = procedure_publish_content(
                procedure=procedure, content=version_content(current)
            )
            url = reverse("admin:catalog_procedureversion_change", args=[version.pk])
            self.message_user(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("Published version %(n)s of %(code)s.")
                    % {"n": version.number, "code": procedure.code},
                    url,
                    _("Edit it"),
                ),
            )

    def _export(self, queryset: QuerySet[Procedure], kind: str) -> HttpResponse:
        procedures = procedures_for_export().filter(pk__in=queryset.values("pk"))
        if kind == "json":
            response = HttpResponse(export_json(procedures), content_type="application/json")
        else:
            response = HttpResponse(export_xlsx(procedures), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="procedures.{kind}"'
        return response

    @admin.action(description=_("Export as JSON"))
    def export_as_json(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> HttpResponse:
        return self._export(queryset, "json")

    @admin.action(description=_("Export as XLSX"))
    def export_as_xlsx(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> HttpResponse:
        return self._export(queryset, "xlsx")

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="catalog_procedure_import",
            ),
            path(
                "export/<str:kind>/",
                self.admin_site.admin_view(self.export_view),
                name="catalog_procedure_export",
            ),
        ]
        return extra + super().get_urls()

    def export_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        if not self.has_view_permission(request) or kind not in {"json", "xlsx"}:
            raise PermissionDenied
        return self._export(Procedure.objects.all(), kind)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = catalog_import_file(
                    name=upload.name, data=upload.read(), dry_run=form.cleaned_data["dry_run"]
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import procedures"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/catalog/procedure/import.html", context)


def _editable(obj: Any) -> bool:
    return not (isinstance(obj, ProcedureVersion) and version_is_in_use(obj))


class ComponentInline(ComponentInlineBase):
    model = Component
    extra = 0
    fields = ["order", "name", "originals", "copies", "is_required", "reusable", "template"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_delete_permission(request, obj)


class FeeInline(FeeInlineBase):
    model = Fee

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_delete_permission(request, obj)

    extra = 0
    fields = ["kind", "amount", "description", "exemptions"]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(VersionAdminBase):
    """Versions are made by publishing; one no dossier uses yet may still be corrected."""

    list_display = ["procedure", "number", "name", "processing_time_value", "created_at"]
    list_select_related = ["procedure"]
    search_fields = ["procedure__code", "name"]
    readonly_fields = ["procedure", "number", "created_at"]
    inlines = [ComponentInline, FeeInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: ProcedureVersion, form: Any, change: bool
    ) -> None:
        try:
            procedure_version_revise(version=obj)
        except DomainError as exc:
            raise PermissionDenied(str(exc.message)) from exc
