"""Legal processing times in templates: a version's time with its cases, in one line."""

from __future__ import annotations

from django import template

from motcua.catalog.cases import version_time_summary
from motcua.catalog.models import ProcedureVersion

register = template.Library()


@register.filter
def processing_time_summary(version: ProcedureVersion) -> str:
    """Return "10 ngày làm việc; trường hợp cần xác minh: 15 ngày làm việc" (active language)."""
    return version_time_summary(version)
