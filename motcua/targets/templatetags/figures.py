"""Figures in templates: numbers as the active language writes them (``core.numbers``)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from motcua.core.numbers import number_text

register = template.Library()


@register.filter
def figure(value: Decimal | int | float | None) -> str:
    """Return ``value`` as "1.169.375" or "72,6" in Vietnamese ("" for None)."""
    return number_text(value)


@register.filter
def plain_figure(value: Decimal | int | float | None) -> str:
    """Return ``value`` for an input box: no thousands dots, a decimal comma ("72,6")."""
    return number_text(value, 4, grouping=False)


@register.filter
def signed_figure(value: Decimal | None) -> str:
    """Return a change with its sign: "+1.250", "-3,2" ("" for None)."""
    if value is None:
        return ""
    return ("+" if value > 0 else "") + number_text(value)
