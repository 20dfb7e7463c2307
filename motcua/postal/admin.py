"""The postal service in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import TrackingReview


# postcarrier (issue 12): the post's events set aside, to look at (written by postal.tracking).
@admin.register(TrackingReview)
class TrackingReviewAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("received_at", "carrier", "order_number", "code", "reason", "reviewed_at")
    list_filter = ("reason", "carrier", "source")
    search_fields = ("order_number", "external_id")
    date_hierarchy = "received_at"
    readonly_fields = (
        "carrier",
        "source",
        "external_id",
        "order_number",
        "order",
        "reason",
        "code",
        "message",
        "happened_at",
        "received_at",
        "raw",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
