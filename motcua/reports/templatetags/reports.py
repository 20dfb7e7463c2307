"""Filters of the report's page and PDF: figures with grouped thousands, "—" when not counted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template

register = template.Library()


@register.filter
def figure(value: int | None) -> str:
    """Write ``value`` as Vietnamese documents do (1.234.567); "—" when not counted."""
    if value is None:
        return "—"
    return f"{value:,}".replace(",", ".")


@register.filter
def column_numbers(columns: Sequence[Any]) -> range:
    """Return the numbers printed under the header: (1) STT, (2) the label, then each column."""
    return range(1, len(columns) + 3)


@register.filter
def get(data: Any, name: str) -> Any:
    """Return ``data[name]`` (names with a hyphen, like ``doi-tuong``), or ''."""
    try:
        return data.get(name, "")
    except AttributeError:
        return ""
