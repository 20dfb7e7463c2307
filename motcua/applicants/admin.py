"""Admin of applicants: found by identification number or name, read-only, province-wide only.

What the identity provider said about a person is personal data: only
province administrators (Django staff with the view permission, or
superusers) see this page, never an agency's administrator, and every
opening of an applicant's details is an audited read, as for a dossier.
Applicants change only by signing in again (``services.applicant_sign_in``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from motcua.audit.models import AuditChannel, ReadAction
from motcua.audit.services import audit_read
from motcua.dossiers.models import Dossier
from motcua.staff.permissions import admin_agencies

from .models import Applicant

if TYPE_CHECKING:
    ApplicantAdminBase = admin.ModelAdmin[Applicant]
else:
    ApplicantAdminBase = admin.ModelAdmin

APPLICANT_TYPE = "applicants.applicant"
NO_DOSSIER = _("No dossier with this identification number.")
MAX_DOSSIERS_SHOWN = 50


def applicant_read_target(applicant: Applicant) -> tuple[str, int, str]:
    """Return what an audited read of ``applicant`` names: its id only, no personal data."""
    return (APPLICANT_TYPE, applicant.pk, f"#{applicant.pk}")


@admin.register(Applicant)
class ApplicantAdmin(ApplicantAdminBase):
    list_display = ("name", "id_number", "kind", "loa", "signed_in_at")
    list_filter = ("kind", "loa")
    search_fields = ("=id_number", "name")
    ordering = ("-signed_in_at", "-id")
    fields = (
        "name",
        "id_number",
        "kind",
        "birthdate",
        "phone",
        "email",
        "tax_code",
        "loa",
        "subject",
        "signed_in_at",
        "created_at",
        "dossiers",
        "who_read",
    )
    readonly_fields = fields

    @admin.display(description=_("dossiers"))
    def dossiers(self, obj: Applicant) -> SafeString:
        """Link to the dossiers submitted with the applicant's number (online or at a counter)."""
        rows = (
            Dossier.objects.filter(applicant_id_number=obj.id_number)
            .order_by("-received_at", "-id")
            .values_list("pk", "code", "status")[:MAX_DOSSIERS_SHOWN]
        )
        if not rows:
            return format_html("{}", NO_DOSSIER)
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a>',
            ((reverse("admin:dossiers_dossier_change", args=[pk]), code) for pk, code, _s in rows),
        )

    @admin.display(description=_("who read it"))
    def who_read(self, obj: Applicant) -> SafeString:
        """Link to the reads of this applicant in the audit log."""
        query = urlencode(
            {"kind__exact": "read", "object_type": APPLICANT_TYPE, "object_id": str(obj.pk)}
        )
        return format_html(
            '<a href="{}?{}">{}</a>',
            reverse("admin:audit_auditentry_changelist"),
            query,
            _("Reads of this applicant in the audit log"),
        )

    def _province_wide(self, request: HttpRequest) -> bool:
        return admin_agencies(request.user) is None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._province_wide(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._province_wide(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Show an applicant (read-only): a read of personal data when it is shown."""
        response = super().change_view(request, object_id, form_url, extra_context)
        shown = getattr(response, "context_data", None) or {}
        applicant = shown.get("original")
        if response.status_code == 200 and isinstance(applicant, Applicant):
            audit_read(
                action=ReadAction.APPLICANT,
                target=applicant_read_target(applicant),
                actor=request.user,
                channel=AuditChannel.ADMIN,
            )
        return response
