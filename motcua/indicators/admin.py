"""The indicator sets in Django's admin: read-only (changes go through the staff pages'
services, which keep published sets unchanged and audit every change)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Indicator, IndicatorGroup, IndicatorSet

if TYPE_CHECKING:
    ReadOnlyBase = admin.ModelAdmin[Any]
else:
    ReadOnlyBase = admin.ModelAdmin


class ReadOnly(ReadOnlyBase):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IndicatorSet)
class IndicatorSetAdmin(ReadOnly):
    list_display = ("code", "valid_from", "published", "name")


@admin.register(IndicatorGroup)
class IndicatorGroupAdmin(ReadOnly):
    list_display = ("code", "name", "max_points", "indicator_set")
    list_filter = ("indicator_set",)


@admin.register(Indicator)
class IndicatorAdmin(ReadOnly):
    list_display = ("code", "name", "max_points", "formula", "group")
    list_filter = ("group__indicator_set",)
