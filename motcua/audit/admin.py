"""The audit log in the admin: read only, for province administrators.

Only users with Django's ``audit.view_auditentry`` permission (province-wide
administrators: Django staff given it, superusers) see it; agency and centre
administrators do not (their backend grants no audit permission). The filters
are cheap on a large log: choices for kind and channel, ranges for the date,
and exact values typed in for the user, object type, object id and action,
each served by an index (no filter lists the distinct values of the table).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib import admin
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry
from .services import audited_delete, audited_save

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    AuditEntryAdminBase = admin.ModelAdmin[AuditEntry]
else:
    AuditEntryAdminBase = admin.ModelAdmin


class TextFilter(admin.SimpleListFilter):
    """A filter on one exact value typed in a box (no list of the table's distinct values)."""

    template = "admin/audit/text_filter.html"
    lookup: ClassVar[str]

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("", "")]  # one entry, so that the filter is shown

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = (self.value() or "").strip()
        return queryset.filter(**{self.lookup: value}) if value else queryset

    def choices(self, changelist: ChangeList) -> Any:
        yield {
            "name": self.parameter_name,
            "value": self.value() or "",
            "hidden": [
                (name, value)
                for name, value in changelist.params.items()
                if name not in {self.parameter_name, PAGE_VAR}
            ],
        }


def _text_filter(name: str, title: _StrPromise, lookup: str) -> type[TextFilter]:
    return type(
        f"{name.title().replace('_', '')}Filter",
        (TextFilter,),
        {"title": title, "parameter_name": name, "lookup": lookup},
    )


ActorFilter = _text_filter("user", _("username"), "actor__username")
ObjectTypeFilter = _text_filter("object_type", _("object type"), "object_type")
ObjectIdFilter = _text_filter("object_id", _("object id"), "object_id")
ActionFilter = _text_filter("action", _("action"), "action")


@admin.register(AuditEntry)
class AuditEntryAdmin(AuditEntryAdminBase):
    list_display = [
        "at",
        "kind",
        "action",
        "actor_name",
        "address",
        "channel",
        "object_type",
        "object_repr",
        "note",
    ]
    list_filter = [
        "kind",
        "channel",
        ("at", admin.DateFieldListFilter),
        ActorFilter,
        ObjectTypeFilter,
        ObjectIdFilter,
        ActionFilter,
    ]
    search_fields = ["actor_name", "object_repr", "object_id"]
    fields = (
        "at",
        "kind",
        "action",
        "actor_name",
        "address",
        "channel",
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


class AuditedAdmin:
    """Mixin for a model admin of plain configuration rows: saves and deletes are audited."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        audited_save(instance=obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audited_delete(instance=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            audited_delete(instance=obj, actor=request.user)
