"""Fee amounts in templates: whole VND with dots between thousands (200.000)."""

from __future__ import annotations

from django import template

from motcua.catalog.fees import format_vnd

register = template.Library()


@register.filter
def vnd_number(amount: int | None) -> str:
    """Return ``amount`` with dots between thousands: 200000 -> "200.000" (None -> "")."""
    if amount is None:
        return ""
    return f"{int(amount):,}".replace(",", ".")


@register.filter
def vnd_text(amount: int | None) -> str:
    """Return ``amount`` as "200.000 đồng" in the active language (None -> "")."""
    if amount is None:
        return ""
    return format_vnd(amount)
