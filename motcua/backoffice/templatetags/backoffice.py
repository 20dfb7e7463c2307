"""Template helpers of the back office: working time left, the staff menu."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motcua.core.names import person_name
from motcua.notifications.selectors import notifications_unread_count
from motcua.staff.models import Role
from motcua.staff.permissions import ADMIN_ROLES
from motcua.staff.selectors import user_agency_roles
from motcua.workflow.selectors import TimeLeft

register = template.Library()


def _span(left: dt.timedelta, day: dt.timedelta) -> str:
    minutes = int(abs(left).total_seconds() // 60)
    day_minutes = max(1, int(day.total_seconds() // 60))
    days, rest = divmod(minutes, day_minutes)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d working day", "%(n)d working days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes and not days:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts) or _("less than a minute")


@register.filter
def time_left(left: TimeLeft | None, day: dt.timedelta | None = None) -> str:
    """Say how much working time is left before a due time, or how long it is overdue."""
    if left is None or left.left is None:
        return ""
    if left.overdue and left.left > -dt.timedelta(minutes=1):
        # Past due outside working hours (a weekend, the evening): no working time lost yet.
        return str(_("overdue"))
    span = _span(left.left, day or dt.timedelta(hours=8))
    if left.overdue:
        return _("overdue by %(span)s") % {"span": span}
    return _("%(span)s left") % {"span": span}


@register.filter(name="person_name")
def person_name_filter(user: Any) -> str:
    """Write a person's name family name first (\"Nguyễn Thị Thu\")."""
    return person_name(user)


@register.inclusion_tag("backoffice/_nav.html", takes_context=True)
def staff_nav(context: dict[str, Any]) -> dict[str, Any]:
    """Return the staff menu: inbox, the counter for receiving officers, admin for admins."""
    request = context["request"]
    held: set[str] = set().union(*user_agency_roles(user=request.user).values())
    return {
        "request": request,
        "is_officer": Role.RECEIVING_OFFICER in held,
        # Province-wide admins (Django staff) and agency or centre administrators.
        "is_admin": request.user.is_staff or bool(held & ADMIN_ROLES),
        "user": request.user,
        "unread": notifications_unread_count(recipient_id=request.user.pk),
    }


@register.filter
def value_of(data: Any, name: str) -> str:
    """Return what was posted under ``name`` (to show a refused form back), or ''."""
    if not data:
        return ""
    return str(data.get(name, ""))


@register.filter
def errors_of(errors: dict[str, list[str]] | None, name: str) -> list[str]:
    """Return the messages of one input from a service's field errors."""
    return (errors or {}).get(name, [])
