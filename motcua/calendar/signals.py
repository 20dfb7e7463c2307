"""Every saved or deleted season or special day moves the calendar's version."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from .models import SpecialDay, WorkingTime
from .services import calendar_changed


def _changed(sender: Any, **kwargs: Any) -> None:
    calendar_changed()


def connect() -> None:
    for model in (SpecialDay, WorkingTime):
        post_save.connect(_changed, sender=model, dispatch_uid=f"calendar-saved-{model.__name__}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"calendar-deleted-{model.__name__}"
        )
