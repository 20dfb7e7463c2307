"""Admin of the catalogue: a thin interface over ``services`` and ``importing``.

Versions are never edited once a dossier uses them: their admin turns
read-only, and changes go through "publish a new version".
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from motcua.catalog.cases import ProcessingCaseSpec, case_spec_problems
from motcua.catalog.fees import (
    FEE_CODES_UNKNOWN,
    TIERS_INVALID,
    FeeExemptionSpec,
    FeeSpec,
    eform_number_fields,
    exemption_spec_problems,
    fee_codes_from_text,
    fee_spec_problems,
    tiers_from_json,
    tiers_from_text,
    tiers_to_json,
    tiers_to_text,
)
from motcua.catalog.history_import import catalogue_history_import_file
from motcua.catalog.importing import (
    ImportFileError,
    catalog_import_file,
    export_json,
    export_xlsx,
    procedures_for_export,
)
from motcua.catalog.models import (
    Component,
    Fee,
    FeeExemption,
    Field,
    Procedure,
    ProcedureProvision,
    ProcedureVersion,
    ProcessingCase,
    SearchAbbreviation,
)
from motcua.catalog.services import (
    IDENTITY_FIELDS,
    field_upsert,
    procedure_create,
    procedure_publish_content,
    procedure_update,
    procedure_version_revise,
    search_abbreviation_delete,
    search_abbreviation_save,
    version_content,
    version_is_in_use,
    version_snapshot,
)
from motcua.core.errors import DomainError, ValidationFailed

# django-stubs makes the admin classes generic for the type checker only.
if TYPE_CHECKING:
    FieldAdminBase = admin.ModelAdmin[Field]
    AbbreviationAdminBase = admin.ModelAdmin[SearchAbbreviation]
    ProcedureAdminBase = admin.ModelAdmin[Procedure]
    VersionAdminBase = admin.ModelAdmin[ProcedureVersion]
    VersionInlineBase = admin.TabularInline[ProcedureVersion, Procedure]
    ProvisionInlineBase = admin.TabularInline[ProcedureProvision, Procedure]
    ComponentInlineBase = admin.TabularInline[Component, ProcedureVersion]
    FeeInlineBase = admin.StackedInline[Fee, ProcedureVersion]
    ExemptionInlineBase = admin.StackedInline[FeeExemption, ProcedureVersion]
    CaseInlineBase = admin.StackedInline[ProcessingCase, ProcedureVersion]
    FeeFormBase = forms.ModelForm[Fee]
    ExemptionFormBase = forms.ModelForm[FeeExemption]
    CaseFormBase = forms.ModelForm[ProcessingCase]
    InlineFormSetBase = BaseInlineFormSet[Any, ProcedureVersion, Any]
else:
    FieldAdminBase = ProcedureAdminBase = VersionAdminBase = admin.ModelAdmin
    AbbreviationAdminBase = admin.ModelAdmin
    VersionInlineBase = ComponentInlineBase = ProvisionInlineBase = admin.TabularInline
    FeeInlineBase = ExemptionInlineBase = CaseInlineBase = admin.StackedInline
    FeeFormBase = ExemptionFormBase = CaseFormBase = forms.ModelForm
    InlineFormSetBase = BaseInlineFormSet

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@admin.register(SearchAbbreviation)
class SearchAbbreviationAdmin(AbbreviationAdminBase):
    """The abbreviations the catalogue search expands (LLTP -> lý lịch tư pháp)."""

    list_display = ["abbreviation", "expansion"]
    search_fields = ["abbreviation", "expansion"]
    fields = ["abbreviation", "expansion"]

    def save_model(
        self, request: HttpRequest, obj: SearchAbbreviation, form: Any, change: bool
    ) -> None:
        try:
            search_abbreviation_save(
                abbreviation=obj.abbreviation,
                expansion=obj.expansion,
                instance=obj,
                actor=request.user,
            )
        except DomainError as exc:
            raise PermissionDenied(str(exc.message)) from exc

    def delete_model(self, request: HttpRequest, obj: SearchAbbreviation) -> None:
        search_abbreviation_delete(instance=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            search_abbreviation_delete(instance=obj, actor=request.user)


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


class HistoryImportForm(forms.Form):
    file = forms.FileField(label=_("Catalogue of a past year (.csv or .xlsx)"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=9999)
    dry_run = forms.BooleanField(
        label=_("Dry run: report what would happen, save nothing"), required=False, initial=True
    )


class ProvisionInline(ProvisionInlineBase):
    """The procedure's history (catalog.history), read only: the services write it."""

    model = ProcedureProvision
    fk_name = "procedure"
    extra = 0
    can_delete = False
    fields = (
        "valid_from",
        "valid_to",
        "is_published",
        "online_level",
        "legacy_online_level",
        "agency",
        "level",
        "source",
        "recorded_at",
        "recorded_by",
    )
    readonly_fields = fields
    ordering = ["-valid_from"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
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
    inlines = [VersionInline, ProvisionInline]
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
                procedure_update(procedure=obj, actor=request.user, **data)
            else:
                saved = procedure_create(code=obj.code, name=obj.name, actor=request.user, **data)
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
                procedure=procedure, content=version_content(current), actor=request.user
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
                "history-import/",
                self.admin_site.admin_view(self.history_import_view),
                name="catalog_procedure_history_import",
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
                    name=upload.name,
                    data=upload.read(),
                    dry_run=form.cleaned_data["dry_run"],
                    actor=request.user,
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

    def history_import_view(self, request: HttpRequest) -> HttpResponse:
        """Import the catalogue as it was in a past year into the catalogue's history."""
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        report = None
        form = HistoryImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = catalogue_history_import_file(
                    name=upload.name,
                    data=upload.read(),
                    year=form.cleaned_data["year"],
                    dry_run=form.cleaned_data["dry_run"],
                    actor=request.user,
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            except ValidationFailed as exc:
                form.add_error("year", str(exc.message))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import the catalogue of a past year"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/catalog/procedure/history_import.html", context)


def _editable(obj: Any) -> bool:
    return not (isinstance(obj, ProcedureVersion) and version_is_in_use(obj))


class ComponentInline(ComponentInlineBase):
    model = Component
    extra = 0
    fields = [
        "order",
        "name",
        "originals",
        "copies",
        "is_required",
        "reusable",
        "template_name",
        "template",
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_delete_permission(request, obj)


class FeeRowsFormSet(InlineFormSetBase):
    """Gives each row its version (with the e-form as edited on the same page)."""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "parent": self.instance}


class ExemptionRowsFormSet(FeeRowsFormSet):
    """Checks that each exemption names fees of the fee rows as posted on the same page."""

    fee_formset: FeeRowsFormSet | None = None

    def clean(self) -> None:
        super().clean()
        if self.fee_formset is None:
            return
        codes = set()
        for form in self.fee_formset.forms:
            data = form.cleaned_data if form.is_valid() else {}
            if data.get("code") and not data.get("DELETE"):
                codes.add(data["code"])
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if data.get("DELETE"):
                continue
            named = fee_codes_from_text(data.get("fee_codes", ""))
            if any(code not in codes for code in named):
                form.add_error("fee_codes", FEE_CODES_UNKNOWN)


def _add_problems(form: forms.ModelForm[Any], problems: list[tuple[str, Any]]) -> None:
    for key, message in problems:
        name = "tiers_text" if key == "tiers" else key
        form.add_error(name if name in form.fields else None, message)


class FeeForm(FeeFormBase):
    """A fee rule; tiers are written as text ("3: 1000") and checked as the import checks them."""

    tiers_text = forms.CharField(
        label=_("tiers"),
        required=False,
        help_text=_("From a unit on, another amount: e.g. '3: 1000' (from the 3rd page)."),
    )

    class Meta:
        model = Fee
        fields = [
            "code",
            "kind",
            "name",
            "basis",
            "amount",
            "tiers_text",
            "cap",
            "due",
            "quantity_source",
            "copies_field",
            "pages_field",
            "legal_basis",
            "note",
        ]

    def __init__(self, *args: Any, parent: ProcedureVersion | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parent = parent
        if self.instance.pk:
            self.initial["tiers_text"] = tiers_to_text(tiers_from_json(self.instance.tiers))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            tiers = tiers_from_text(data.get("tiers_text") or "")
        except ValueError:
            self.add_error("tiers_text", TIERS_INVALID)
            return data
        self.instance.tiers = tiers_to_json(tiers)
        if self.errors or data.get("DELETE"):
            return data
        spec = FeeSpec(
            kind=data["kind"],
            amount=data["amount"],
            code=data["code"],
            name=data["name"],
            basis=data["basis"],
            tiers=tiers,
            cap=data.get("cap"),
            due=data["due"],
            quantity_source=data["quantity_source"],
            copies_field=data.get("copies_field", ""),
            pages_field=data.get("pages_field", ""),
        )
        eform = self.parent.eform if self.parent is not None else None
        _add_problems(self, fee_spec_problems(spec, eform_number_fields(eform)))
        return data


class ExemptionForm(ExemptionFormBase):
    class Meta:
        model = FeeExemption
        fields = [
            "code",
            "name",
            "fee_codes",
            "trigger",
            "channel",
            "percent",
            "proof",
            "legal_basis",
            "valid_from",
            "valid_until",
        ]

    def __init__(self, *args: Any, parent: ProcedureVersion | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parent = parent

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or data.get("DELETE"):
            return data
        spec = FeeExemptionSpec(
            code=data["code"],
            name=data["name"],
            percent=data["percent"],
            fee_codes=fee_codes_from_text(data.get("fee_codes", "")),
            trigger=data["trigger"],
            channel=data.get("channel"),
            proof=data.get("proof", ""),
            valid_from=data.get("valid_from"),
            valid_until=data.get("valid_until"),
        )
        # The fee codes are checked by the formset, against the fee rows posted with it.
        _add_problems(self, [p for p in exemption_spec_problems(spec) if p[0] != "fee_codes"])
        self.instance.fee_codes = ", ".join(spec.fee_codes)
        return data


class ProcessingCaseForm(CaseFormBase):
    """A processing-time case, checked as the services check it.

    Its time is compared with the version's time as edited on the same page.
    """

    class Meta:
        model = ProcessingCase
        fields = [
            "code",
            "name",
            "processing_time_value",
            "processing_time_unit",
            "order",
            "note",
            "legal_basis",
        ]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, parent: ProcedureVersion | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parent = parent

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("DELETE"):
            return data
        spec = ProcessingCaseSpec(
            code=data.get("code", ""),
            name=data.get("name", ""),
            processing_time_value=data.get("processing_time_value", Decimal(-1)),
            processing_time_unit=data.get("processing_time_unit", ""),
        )
        parent = self.parent
        ordinary = (
            (parent.processing_time_value, parent.processing_time_unit)
            if parent is not None and parent.processing_time_value is not None
            else None
        )
        # Fields Django already refused keep their own message.
        _add_problems(
            self, [p for p in case_spec_problems(spec, ordinary) if p[0] not in self.errors]
        )
        return data


class _EditableInline:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class FeeInline(_EditableInline, FeeInlineBase):
    model = Fee
    form = FeeForm
    formset = FeeRowsFormSet
    extra = 0

    @admin.display(description=_("tiers"))
    def tiers_text(self, obj: Fee) -> str:
        """Show the tiers as text where the version is read-only (a dossier uses it)."""
        return tiers_to_text(tiers_from_json(obj.tiers)) or "-"

    fieldsets = [
        (None, {"fields": [("code", "kind"), "name", ("basis", "due")]}),
        (
            _("Amount"),
            {
                "fields": [
                    ("amount", "tiers_text", "cap"),
                    ("quantity_source", "copies_field", "pages_field"),
                ]
            },
        ),
        (None, {"fields": ["legal_basis", "note"]}),
    ]


class FeeExemptionInline(_EditableInline, ExemptionInlineBase):
    model = FeeExemption
    form = ExemptionForm
    formset = ExemptionRowsFormSet
    extra = 0
    fieldsets = [
        (None, {"fields": [("code", "name"), ("trigger", "channel", "percent"), "fee_codes"]}),
        (None, {"fields": ["proof", "legal_basis", ("valid_from", "valid_until")]}),
    ]


class ProcessingCaseInline(_EditableInline, CaseInlineBase):
    model = ProcessingCase
    form = ProcessingCaseForm
    formset = FeeRowsFormSet  # gives each row the version; Django refuses a code given twice
    extra = 0
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("code", "name"),
                    ("processing_time_value", "processing_time_unit", "order"),
                    "note",
                    "legal_basis",
                ]
            },
        )
    ]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(VersionAdminBase):
    """Versions are made by publishing; one no dossier uses yet may still be corrected."""

    list_display = ["procedure", "number", "name", "processing_time_value", "created_at"]
    list_select_related = ["procedure"]
    search_fields = ["procedure__code", "name"]
    readonly_fields = ["procedure", "number", "created_at"]
    inlines = [ProcessingCaseInline, ComponentInline, FeeInline, FeeExemptionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)

    def _create_formsets(self, request: HttpRequest, obj: Any, change: bool) -> Any:
        # Django's hook builds the inline formsets one by one; the exemptions' check
        # needs the fee rows posted on the same page, so hand it their formset.
        formsets, inlines = super()._create_formsets(request, obj, change)  # type: ignore[misc]
        fees = next((f for f in formsets if isinstance(f, FeeRowsFormSet) and f.model is Fee), None)
        for formset in formsets:
            if isinstance(formset, ExemptionRowsFormSet):
                formset.fee_formset = fees
        return formsets, inlines

    def save_model(
        self, request: HttpRequest, obj: ProcedureVersion, form: Any, change: bool
    ) -> None:
        # Saved with its rows in save_related (the admin's view is one transaction),
        # so that the service checks and audits the whole edited content at once.
        stored = ProcedureVersion.objects.get(pk=obj.pk)
        request._version_before = version_snapshot(stored)  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        try:
            procedure_version_revise(
                version=form.instance,
                actor=request.user,
                before=getattr(request, "_version_before", None),
            )
        except DomainError as exc:
            raise PermissionDenied(str(exc.message)) from exc
