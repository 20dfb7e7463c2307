"""The postal service in the admin.

Postal units, postal workers and charges are configuration: added and
changed here, each save and delete audited (``AuditedAdmin``; a postal
unit's list of served units too). Adding a ``PostalWorker`` to an account is
how a user becomes a postal worker. Orders, hand-over records, tracking
events and remittances are records the services write: shown here, never
changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from motcua.audit.admin import AuditedAdmin
from motcua.audit.services import audit_record

from .models import (
    Handover,
    HandoverLine,
    Order,
    OrderItem,
    PostalUnit,
    PostalWorker,
    Remittance,
    Tariff,
    TrackingCursor,
    TrackingEvent,
    TrackingReview,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Records written by the services only: shown, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PostalUnit)
class PostalUnitAdmin(AuditedAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "phone", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    autocomplete_fields = ("administrative_unit", "serves")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Save the served units with an audit entry when they changed."""
        unit: PostalUnit = form.instance
        with transaction.atomic():
            before = sorted(unit.serves.values_list("pk", flat=True)) if change else []
            super().save_related(request, form, formsets, change)
            after = sorted(unit.serves.values_list("pk", flat=True))
            if before != after:
                audit_record(
                    action="postal.postalunit.serves",
                    target=unit,
                    actor=request.user,
                    before={"serves": before},
                    after={"serves": after},
                )


@admin.register(PostalWorker)
class PostalWorkerAdmin(AuditedAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "unit", "phone", "is_active")
    list_filter = ("is_active", "unit")
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__code")
    autocomplete_fields = ("user", "unit")
    list_select_related = ("user", "unit")


@admin.register(Tariff)
class TariffAdmin(AuditedAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("service", "zone", "amount", "valid_from", "basis")
    list_filter = ("service", "zone")
    date_hierarchy = "valid_from"


class OrderItemInline(ReadOnlyInline):
    model = OrderItem
    fields = ("name", "originals", "copies", "note")
    readonly_fields = fields


class TrackingEventInline(ReadOnlyInline):
    model = TrackingEvent
    fields = ("happened_at", "source", "code", "state", "message", "received_at")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "service",
        "state",
        "unit",
        "postal_unit",
        "tracking_number",
        "fees_collected",
        "charge_collected",
        "created_at",
    )
    list_filter = ("service", "state", "carrier", "postal_unit")
    search_fields = ("number", "tracking_number", "dossier__code")
    date_hierarchy = "created_at"
    list_select_related = ("unit", "postal_unit")
    inlines = [OrderItemInline, TrackingEventInline]
    # The applicant's name, number, phone and address are personal data: the back office,
    # whose reads are audited, shows them.
    exclude = ("person_name", "id_number", "phone", "email", "address")


class HandoverLineInline(ReadOnlyInline):
    model = HandoverLine
    fields = ("order", "dossier", "recounted", "matches", "discrepancy", "fees_amount")
    readonly_fields = fields


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "direction",
        "unit",
        "postal_unit",
        "packages",
        "fees_total",
        "discrepancies",
        "created_at",
        "signed_at",
    )
    list_filter = ("direction", "postal_unit", ("signed_at", admin.EmptyFieldListFilter))
    search_fields = ("number",)
    date_hierarchy = "created_at"
    list_select_related = ("unit", "postal_unit")
    inlines = [HandoverLineInline]


@admin.register(TrackingEvent)
class TrackingEventAdmin(ReadOnlyAdmin):
    list_display = ("order", "source", "code", "state", "happened_at", "received_at")
    list_filter = ("source", "state")
    search_fields = ("order__number", "external_id")
    list_select_related = ("order",)


@admin.register(TrackingCursor)
class TrackingCursorAdmin(ReadOnlyAdmin):
    list_display = ("carrier", "last_event_id", "pulled_at")


@admin.register(Remittance)
class RemittanceAdmin(ReadOnlyAdmin):
    list_display = ("paid_on", "postal_unit", "unit", "amount", "bank_reference", "recorded_by")
    list_filter = ("postal_unit",)
    search_fields = ("bank_reference",)
    date_hierarchy = "paid_on"
    list_select_related = ("postal_unit", "unit", "recorded_by")


# The post's events set aside for review (written by postal.tracking): read only.
@admin.register(TrackingReview)
class TrackingReviewAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "carrier", "order_number", "code", "reason", "reviewed_at")
    list_filter = ("reason", "carrier", "source")
    search_fields = ("order_number", "external_id")
    date_hierarchy = "received_at"
