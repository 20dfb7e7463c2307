"""Admin of dossiers: read-only; every change goes through the services and the back office."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Dossier, DossierComponent, DossierEvent

if TYPE_CHECKING:
    DossierAdminBase = admin.ModelAdmin[Dossier]
    EventInlineBase = admin.TabularInline[DossierEvent, Dossier]
    ComponentInlineBase = admin.TabularInline[DossierComponent, Dossier]
else:
    DossierAdminBase = admin.ModelAdmin
    EventInlineBase = admin.TabularInline
    ComponentInlineBase = admin.TabularInline


class ReadOnlyInline:
    extra = 0
    can_delete = False

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
    fields = ("name", "originals", "copies", "is_digitised")
    readonly_fields = fields


@admin.register(Dossier)
class DossierAdmin(DossierAdminBase):
    list_display = ("code", "procedure", "status", "channel", "received_at", "due_at")
    list_filter = ("status", "channel", "delivery")
    search_fields = ("code",)
    list_select_related = ("procedure",)
    date_hierarchy = "received_at"
    inlines = (ComponentInline, EventInline)
    exclude = ("request_fingerprint", "applicant_search", "receipt_pdf")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
