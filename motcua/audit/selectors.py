"""Reads of the audit log."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditEntry


def audit_entries_of(*, object_type: str, object_id: str | int) -> QuerySet[AuditEntry]:
    """Return the entries about one object, newest first."""
    return AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id)).order_by(
        "-at", "-id"
    )
