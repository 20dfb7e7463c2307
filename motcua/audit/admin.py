"""The audit log in the admin: read only, for administrators."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry

if TYPE_CHECKING:
    AuditEntryAdminBase = admin.ModelAdmin[AuditEntry]
else:
    AuditEntryAdminBase = admin.ModelAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(AuditEntryAdminBase):
    list_display = ["at", "kind", "action", "actor_name", "address", "object_type", "object_repr"]
    list_filter = ["kind", "action", "object_type"]
    search_fields = ["actor_name", "object_repr", "object_id", "action"]
    date_hierarchy = "at"
    fields = (
        "at",
        "kind",
        "action",
        "actor_name",
        "address",
        "object_type",
        "object_id",
        "object_repr",
        "before_pretty",
        "after_pretty",
        "note",
    )
    readonly_fields = fields
    list_select_related = False
    show_full_result_count = False

    class Media:
        css = {"all": ["css/admin/audit.css"]}  # no style attribute under the CSP

    @admin.display(description=_("before"))
    def before_pretty(self, obj: AuditEntry) -> str:
        return _pretty(obj.before)

    @admin.display(description=_("after"))
    def after_pretty(self, obj: AuditEntry) -> str:
        return _pretty(obj.after)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _pretty(value: Any) -> str:
    if value is None:
        return "-"
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
    return format_html("<pre class='audit-json'>{}</pre>", text)
