"""Admin of dossiers: read-only; every change goes through the services and the back office.

Files hold personal data: they are never served from MEDIA_URL, only through
``file_download`` here, behind the admin's staff check and the view permission.
Opening a dossier's page and downloading a file here are audited reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from motcua.audit.models import AuditChannel, ReadAction
from motcua.audit.services import audit_dossier_read
from motcua.core.text import fold

from .files import private_file_response
from .models import Dossier, DossierComponent, DossierEvent, DossierFile

if TYPE_CHECKING:
    DossierAdminBase = admin.ModelAdmin[Dossier]
    EventInlineBase = admin.TabularInline[DossierEvent, Dossier]
    ComponentInlineBase = admin.TabularInline[DossierComponent, Dossier]
else:
    DossierAdminBase = admin.ModelAdmin
    EventInlineBase = admin.TabularInline
    ComponentInlineBase = admin.TabularInline


class ReadOnlyInline:
    """Parts of a dossier, shown to whoever may view the dossier, changed by no one here."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("dossiers.view_dossier")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(ReadOnlyInline, EventInlineBase):
    model = DossierEvent
    fields = ("at", "kind", "from_status", "to_status", "actor_label", "note", "is_public")
    readonly_fields = fields


class ComponentInline(ReadOnlyInline, ComponentInlineBase):
    model = DossierComponent
    fields = ("name", "originals", "copies", "is_digitised", "file_links")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[DossierComponent]:
        return super().get_queryset(request).prefetch_related("files")

    @admin.display(description=_("files"))
    def file_links(self, obj: DossierComponent) -> SafeString:
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a> ({}, {}, SHA-256 {}…)',
            (
                (
                    reverse("admin:dossiers_dossier_file", args=[f.pk]),
                    f.original_name or f.file.name,
                    f.content_type,
                    filesizeformat(f.size),
                    f.sha256[:12],
                )
                for f in obj.files.all()
            ),
        )


@admin.register(Dossier)
class DossierAdmin(DossierAdminBase):
    list_display = ("code", "procedure", "status", "channel", "received_at", "due_at")
    list_filter = ("status", "channel", "delivery")
    search_fields = ("code", "applicant_search", "applicant_id_number")
    list_select_related = ("procedure",)
    date_hierarchy = "received_at"
    inlines = (ComponentInline, EventInline)
    exclude = ("request_fingerprint", "applicant_search", "receipt_pdf")
    readonly_fields = ("who_read",)

    @admin.display(description=_("who read it"))
    def who_read(self, obj: Dossier) -> SafeString:
        """Link to the reads of this dossier in the audit log (for those who may see the log)."""
        query = urlencode(
            {"kind__exact": "read", "object_type": "dossiers.dossier", "object_id": str(obj.pk)}
        )
        return format_html(
            '<a href="{}?{}">{}</a>',
            reverse("admin:audit_auditentry_changelist"),
            query,
            _("Reads of this dossier in the audit log"),
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Dossier], search_term: str
    ) -> tuple[QuerySet[Dossier], bool]:
        # Names are searched without diacritics, as applicant_search stores them.
        return super().get_search_results(request, queryset, fold(search_term))

    def get_urls(self) -> list[URLPattern]:
        download = path(
            "file/<int:pk>/",
            self.admin_site.admin_view(self.file_download),
            name="dossiers_dossier_file",
        )
        return [download, *super().get_urls()]

    def file_download(self, request: HttpRequest, pk: int) -> FileResponse:
        """Send a dossier's file to a staff member who may view dossiers."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        stored = get_object_or_404(
            DossierFile.objects.annotate(
                dossier_pk=F("component__dossier_id"), dossier_code=F("component__dossier__code")
            ),
            pk=pk,
        )
        response = private_file_response(stored)
        audit_dossier_read(
            action=ReadAction.FILE,
            dossier_id=stored.dossier_pk,  # type: ignore[attr-defined]
            code=stored.dossier_code,  # type: ignore[attr-defined]
            actor=request.user,
            channel=AuditChannel.ADMIN,
            note=f"file {stored.pk}",
        )
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Show a dossier (read-only here): a read of personal data when it is shown."""
        response = super().change_view(request, object_id, form_url, extra_context)
        shown = getattr(response, "context_data", None) or {}
        dossier = shown.get("original")
        if response.status_code == 200 and isinstance(dossier, Dossier):
            audit_dossier_read(
                action=ReadAction.DOSSIER,
                dossier_id=dossier.pk,
                code=dossier.code,
                actor=request.user,
                channel=AuditChannel.ADMIN,
            )
        return response

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
