"""Show money the Vietnamese way: 200.000 đồng."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    """Format an amount of VND with dots between thousands: 8000 -> "8.000 đồng"."""
    if amount is None:
        return ""
    if amount == 0:
        return _("Free")
    return _("%(amount)s VND") % {"amount": f"{int(amount):,}".replace(",", ".")}
