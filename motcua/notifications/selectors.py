"""Reads of notifications: a person's unread notices."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Notification


def notifications_unread(*, recipient_id: int, limit: int = 20) -> list[Notification]:
    """Return a person's latest unread notices, with their dossiers (two queries at most)."""
    return list(
        Notification.objects.filter(recipient_id=recipient_id, read_at__isnull=True)
        .select_related("dossier")
        .order_by("-created_at", "-id")[:limit]
    )


def notifications_unread_count(*, recipient_id: int) -> int:
    """Return how many unread notices a person has (an index-only count)."""
    return Notification.objects.filter(recipient_id=recipient_id, read_at__isnull=True).count()


def notifications_of(*, recipient_id: int) -> QuerySet[Notification]:
    """Return all of a person's notices, newest first."""
    return Notification.objects.filter(recipient_id=recipient_id).select_related("dossier")


@dataclass(frozen=True)
class Unread:
    """A person's unread notices: the latest few, and how many there are in all."""

    notifications: list[Notification]
    count: int


def notifications_unread_summary(*, recipient_id: int, limit: int = 5) -> Unread:
    """Return the latest ``limit`` unread notices and the count of all unread (two queries)."""
    return Unread(
        notifications=notifications_unread(recipient_id=recipient_id, limit=limit),
        count=notifications_unread_count(recipient_id=recipient_id),
    )
