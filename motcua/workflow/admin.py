"""Admin of process definitions and of the control-slip lines: thin, over ``processes``.

A process is created from a default template (``processes.default_steps``).
A version is edited only while it is a draft: no dossier used it and it is
not the current version, so what dossiers are accepted with is always a
version ``processes.process_version_publish`` checked. Any other version is
read-only here; "revise" copies it into a new draft, "publish" makes a draft
current after checking it can run. Dossier steps are shown, never changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from motcua.catalog.models import Procedure
from motcua.core.errors import DomainError
from motcua.core.text import fold
from motcua.organisation.models import Agency
from motcua.staff.permissions import AgencyScopedAdmin, admin_agencies

from .models import DossierStep, Process, ProcessStep, ProcessTransition, ProcessVersion
from .processes import (
    default_steps,
    process_draft_edit,
    process_version_create,
    process_version_in_use,
    process_version_publish,
    process_version_revise,
)

# django-stubs makes the admin classes generic for the type checker only.
if TYPE_CHECKING:
    ProcessAdminBase = admin.ModelAdmin[Process]
    VersionAdminBase = admin.ModelAdmin[ProcessVersion]
    DossierStepAdminBase = admin.ModelAdmin[DossierStep]
    VersionInlineBase = admin.TabularInline[ProcessVersion, Process]
    StepInlineBase = admin.TabularInline[ProcessStep, ProcessVersion]
    TransitionInlineBase = admin.TabularInline[ProcessTransition, ProcessVersion]
    TransitionFormBase = forms.ModelForm[ProcessTransition]
    ProcessFormBase = forms.ModelForm[Process]
else:
    ProcessAdminBase = VersionAdminBase = DossierStepAdminBase = admin.ModelAdmin
    VersionInlineBase = StepInlineBase = TransitionInlineBase = admin.TabularInline
    TransitionFormBase = ProcessFormBase = forms.ModelForm

SINGLE = "single"
INTER_AGENCY = "inter_agency"
PARTNER_REQUIRED = _("Choose the partner agency of an inter-agency process.")
PARTNER_IS_COMPETENT = _("The partner must be another agency than the procedure's own.")
SAME_STEP = _("A transition goes from a step to another one.")
PUBLISHED = _("Version %(n)s of %(code)s is now the current process.")
NOT_PUBLISHED = _("Version %(n)s of %(code)s was not published: %(reason)s")
REVISED = _("Version %(n)s of %(code)s is a copy of version %(old)s.")
CREATED = _("The process of %(code)s was created from the template.")
NOT_A_DRAFT = _(
    "Only a draft can be changed: this version is current or dossiers used it. Revise it."
)


def _editable(version: ProcessVersion | None) -> bool:
    """Tell whether ``version`` is a draft: never published, not current, no dossier used it.

    Uses the flags ``ProcessVersionAdmin.get_queryset`` annotates; otherwise
    asks once and keeps the answer on the instance (the form and each inline
    ask again on one page).
    """
    if version is None or version.pk is None:
        return True
    if version.published_at is not None:
        return False  # published once: frozen, revised into a new draft
    current, in_use = _flags(version)
    return not (current or in_use)


def _flags(version: ProcessVersion) -> tuple[bool, bool]:
    """Return whether ``version`` is current, and whether dossiers used it."""
    if not hasattr(version, "is_current") or not hasattr(version, "is_in_use"):
        process = Process.objects.filter(pk=version.process_id)
        version.is_current = process.values_list("current_version_id", flat=True).first() == (  # type: ignore[attr-defined]
            version.pk
        )
        version.is_in_use = process_version_in_use(version)  # type: ignore[attr-defined]
    return bool(version.is_current), bool(version.is_in_use)  # type: ignore[attr-defined]


def _redirect_to_version(version: ProcessVersion) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:workflow_processversion_change", args=[version.pk]))


# --- Processes ----------------------------------------------------------------------------------


class ProcessCreateForm(ProcessFormBase):
    """A new process for a procedure, from one of the default templates."""

    template = forms.ChoiceField(
        label=_("template"),
        choices=[
            (SINGLE, _("Single agency: intake, specialist, leader, return")),
            (
                INTER_AGENCY,
                _("Inter-agency: the partner agency's specialist and leader in between"),
            ),
        ],
        initial=SINGLE,
    )
    partner = forms.ModelChoiceField(
        label=_("partner agency"),
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        widget=AutocompleteSelect(ProcessStep._meta.get_field("agency"), admin.site),
        help_text=_("For an inter-agency (liên thông) process only."),
    )
    publish = forms.BooleanField(
        label=_("publish at once"),
        required=False,
        initial=True,
        help_text=_("Dossiers accepted from now on follow it. Leave unticked to edit it first."),
    )

    class Meta:
        model = Process
        fields = ["procedure"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        partner = data.get("partner")
        if data.get("template") == INTER_AGENCY:
            procedure = data.get("procedure")
            if partner is None:
                self.add_error("partner", PARTNER_REQUIRED)
            elif procedure is not None and partner.pk == procedure.agency_id:
                self.add_error("partner", PARTNER_IS_COMPETENT)
        else:
            data["partner"] = None
        return data


class VersionInline(VersionInlineBase):
    model = ProcessVersion
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["number", "note", "created_at"]
    readonly_fields = ["number", "note", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Process)
class ProcessAdmin(AgencyScopedAdmin[Process], ProcessAdminBase):
    """One process per procedure; created from a template, changed through its versions.

    An agency administrator sees and creates the processes of their agency's procedures.
    """

    agency_lookup = "procedure__agency"

    list_display = ["procedure_code", "procedure_name", "agency", "current_version_number"]
    list_select_related = ["procedure__agency", "current_version"]
    list_filter = ["procedure__level"]
    search_fields = ["procedure__code", "procedure__search_text"]
    autocomplete_fields = ["procedure"]
    ordering = ["procedure__code"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Process], search_term: str
    ) -> tuple[QuerySet[Process], bool]:
        # search_text is folded (no diacritics), so the term is folded too.
        return super().get_search_results(request, queryset, fold(search_term))

    @admin.display(description=_("procedure code"), ordering="procedure__code")
    def procedure_code(self, obj: Process) -> str:
        return obj.procedure.code

    @admin.display(description=_("procedure"), ordering="procedure__name")
    def procedure_name(self, obj: Process) -> str:
        return obj.procedure.name

    @admin.display(description=_("agency"))
    def agency(self, obj: Process) -> Agency:
        return obj.procedure.agency

    @admin.display(description=_("current version"), ordering="current_version__number")
    def current_version_number(self, obj: Process) -> int | None:
        return obj.current_version.number if obj.current_version else None

    def get_form(
        self, request: HttpRequest, obj: Process | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = ProcessCreateForm
        form = super().get_form(request, obj, change, **kwargs)
        agencies = admin_agencies(request.user)
        if obj is None and agencies is not None:
            # Only their agencies' procedures are valid choices.
            field = form.base_fields["procedure"]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - a foreign key
            field.queryset = Procedure.objects.filter(agency__in=agencies)
        return form

    def get_fields(self, request: HttpRequest, obj: Process | None = None) -> Any:
        if obj is None:
            return ["procedure", "template", "partner", "publish"]
        return ["procedure", "current_version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Process | None = None) -> Any:
        # The current version changes only by publishing a version.
        return ["procedure", "current_version"] if obj is not None else []

    def get_inlines(self, request: HttpRequest, obj: Process | None = None) -> Any:
        return [VersionInline] if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Nothing of a process is edited on its page: its versions are.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Process, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            version = process_version_create(
                procedure=data["procedure"],
                steps=default_steps(partner=data.get("partner")),
                publish=bool(data.get("publish")),
                actor=request.user,
            )
        except DomainError as exc:
            raise PermissionDenied(str(exc.message)) from exc
        obj.pk = version.process_id
        obj.current_version_id = version.pk if data.get("publish") else None

    def response_add(
        self, request: HttpRequest, obj: Process, post_url_continue: str | None = None
    ) -> HttpResponse:
        version = ProcessVersion.objects.filter(process=obj).order_by("-number").first()
        if version is None or "_addanother" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(request, CREATED % {"code": obj.procedure.code}, messages.SUCCESS)
        return _redirect_to_version(version)


# --- Process versions ---------------------------------------------------------------------------


class DraftOnly:
    """Inline rows of a version: added, changed and deleted only while it is a draft."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class StepInline(DraftOnly, StepInlineBase):
    model = ProcessStep
    extra = 0
    fields = ["order", "name", "kind", "role", "agency_source", "agency", "share"]
    autocomplete_fields = ["agency"]
    ordering = ["order"]


class TransitionForm(TransitionFormBase):
    class Meta:
        model = ProcessTransition
        fields = ["source", "target", "kind"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source, target = data.get("source"), data.get("target")
        if source is not None and source == target:
            self.add_error("target", SAME_STEP)
        return data


class TransitionInline(DraftOnly, TransitionInlineBase):
    model = ProcessTransition
    form = TransitionForm
    fk_name = "version"
    extra = 0
    fields = ["source", "target", "kind"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProcessTransition]:
        return super().get_queryset(request).select_related("source", "target")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        # Moves only between this version's own steps.
        steps = ProcessStep.objects.filter(version=obj).order_by("order")
        for name in ("source", "target"):
            field = formset.form.base_fields[name]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - a foreign key
            field.queryset = steps
        return formset


@admin.register(ProcessVersion)
class ProcessVersionAdmin(AgencyScopedAdmin[ProcessVersion], VersionAdminBase):
    """Versions come from a template or from "revise"; only drafts are edited."""

    agency_lookup = "process__procedure__agency"

    list_display = ["procedure_code", "number", "state", "note", "created_at"]
    list_select_related = ["process__procedure"]
    search_fields = ["process__procedure__code", "process__procedure__search_text"]
    readonly_fields = ["process", "number", "created_at", "state", "buttons"]
    fields = ["process", "number", "state", "note", "created_at", "buttons"]
    inlines = [StepInline, TransitionInline]
    actions = ["publish_versions", "revise_versions"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProcessVersion]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                is_current=Q(pk=F("process__current_version")),
                is_in_use=Exists(DossierStep.objects.filter(step__version=OuterRef("pk"))),
            )
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[ProcessVersion], search_term: str
    ) -> tuple[QuerySet[ProcessVersion], bool]:
        return super().get_search_results(request, queryset, fold(search_term))

    @admin.display(description=_("procedure"), ordering="process__procedure__code")
    def procedure_code(self, obj: ProcessVersion) -> str:
        procedure = obj.process.procedure
        return f"{procedure.code} {procedure.name}"

    @admin.display(description=_("state"))
    def state(self, obj: ProcessVersion) -> str:
        current, in_use = _flags(obj)
        if current:
            return str(_("current"))
        return str(_("used by dossiers") if in_use else _("draft"))

    @admin.display(description=_("actions"))
    def buttons(self, obj: ProcessVersion) -> SafeString:
        if obj.pk is None:
            return format_html("")
        if _editable(obj):
            return format_html(
                '<button type="submit" class="button" name="_publish" value="1">{}</button> '
                '<p class="help">{}</p>',
                _("Save and publish"),
                _(
                    "Publishing checks the process can run, then dossiers accepted from now "
                    "on follow it."
                ),
            )
        return format_html(
            '<button type="submit" class="button" formaction="{}" formmethod="post">{}</button> '
            '<p class="help">{}</p>',
            reverse("admin:workflow_processversion_revise", args=[obj.pk]),
            _("Revise"),
            _("This version is current or dossiers used it: revise it to get an editable copy."),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)

    def _may_write(self, request: HttpRequest) -> bool:
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")

    def get_form(
        self,
        request: HttpRequest,
        obj: ProcessVersion | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)

        class DraftForm(form):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                data: dict[str, Any] = super().clean() or {}
                if self.instance.pk is not None and not _editable(self.instance):
                    raise forms.ValidationError(NOT_A_DRAFT)
                return data

        return DraftForm

    def save_model(
        self, request: HttpRequest, obj: ProcessVersion, form: Any, change: bool
    ) -> None:
        # The note only: the steps and moves come with the formsets (save_formset).
        self._edit(request, obj, note=obj.note)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        saved = formset.save(commit=False)
        self._edit(request, form.instance, save=saved, delete=list(formset.deleted_objects))
        formset.save_m2m()

    def _edit(self, request: HttpRequest, version: ProcessVersion, **changes: Any) -> None:
        try:
            process_draft_edit(version=version, actor=request.user, **changes)
        except DomainError as exc:
            # Published meanwhile (the form checked it was a draft): nothing was written.
            raise PermissionDenied(str(exc.message)) from exc

    def response_change(self, request: HttpRequest, obj: ProcessVersion) -> HttpResponse:
        if "_publish" not in request.POST:
            return super().response_change(request, obj)
        self._publish(request, obj)
        return _redirect_to_version(obj)

    def _publish(self, request: HttpRequest, version: ProcessVersion) -> bool:
        try:
            process_version_publish(version=version, actor=request.user)
        except DomainError as exc:
            self.message_user(
                request,
                NOT_PUBLISHED
                % {
                    "n": version.number,
                    "code": version.process.procedure.code,
                    "reason": exc.message,
                },
                messages.ERROR,
            )
            return False
        self.message_user(
            request,
            PUBLISHED % {"n": version.number, "code": version.process.procedure.code},
            messages.SUCCESS,
        )
        return True

    @admin.action(description=_("Publish the selected versions (make each current)"))
    def publish_versions(self, request: HttpRequest, queryset: QuerySet[ProcessVersion]) -> None:
        if not self._may_write(request):
            raise PermissionDenied
        for version in queryset.select_related("process__procedure"):
            self._publish(request, version)

    @admin.action(description=_("Revise the selected versions (an editable copy of each)"))
    def revise_versions(self, request: HttpRequest, queryset: QuerySet[ProcessVersion]) -> None:
        if not self._may_write(request):
            raise PermissionDenied
        for version in queryset.select_related("process__procedure"):
            copy = process_version_revise(version=version, actor=request.user)
            self._revised(request, version, copy)

    def _revised(self, request: HttpRequest, version: ProcessVersion, copy: ProcessVersion) -> None:
        self.message_user(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                REVISED
                % {"n": copy.number, "code": version.process.procedure.code, "old": version.number},
                reverse("admin:workflow_processversion_change", args=[copy.pk]),
                _("Edit it"),
            ),
            messages.SUCCESS,
        )

    def get_urls(self) -> list[URLPattern]:
        revise = path(
            "<int:pk>/revise/",
            self.admin_site.admin_view(require_POST(self.revise_view)),
            name="workflow_processversion_revise",
        )
        return [revise, *super().get_urls()]

    def revise_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Copy a version into a new draft and open it."""
        if not self._may_write(request):
            raise PermissionDenied
        version = get_object_or_404(
            self.get_queryset(request).select_related("process__procedure"), pk=pk
        )
        copy = process_version_revise(version=version, actor=request.user)
        self._revised(request, version, copy)
        return _redirect_to_version(copy)


# --- Dossier steps (control-slip lines) ---------------------------------------------------------


class OpenFilter(admin.SimpleListFilter):
    title = _("open")
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Open (where the dossier is)")), ("no", _("Finished"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(finished_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(finished_at__isnull=False)
        return queryset


@admin.register(DossierStep)
class DossierStepAdmin(DossierStepAdminBase):
    """Read-only: the lines of every dossier's control slip, for support staff."""

    list_display = [
        "dossier_code",
        "step_name",
        "agency",
        "role",
        "assignee",
        "started_at",
        "due_at",
        "finished_at",
        "outcome",
    ]
    list_select_related = ["dossier", "step", "agency", "assignee"]
    list_filter = [OpenFilter, "outcome", "role", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["dossier__code", "assignee__username"]
    date_hierarchy = "started_at"
    ordering = ["-started_at", "-id"]

    @admin.display(description=_("dossier code"), ordering="dossier__code")
    def dossier_code(self, obj: DossierStep) -> str:
        return obj.dossier.code

    @admin.display(description=_("step"), ordering="step__order")
    def step_name(self, obj: DossierStep) -> str:
        return obj.step.name

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
