"""Template helpers of notifications: a person's unread notices, to include in any staff page.

``{% load notifications %}{% unread_notifications %}`` renders
``notifications/_list.html`` (count, latest notices linking to their
dossiers, a button to mark each read) for the signed-in person.
"""

from __future__ import annotations

from typing import Any

from django import template

from motcua.notifications.selectors import notifications_unread_summary

register = template.Library()


@register.inclusion_tag("notifications/_list.html", takes_context=True)
def unread_notifications(context: dict[str, Any], limit: int = 5) -> dict[str, Any]:
    """Return the signed-in person's latest unread notices and their count (two queries)."""
    request = context["request"]
    unread = notifications_unread_summary(recipient_id=request.user.pk, limit=limit)
    return {"request": request, "notifications": unread.notifications, "unread": unread.count}
