"""Calendar test helpers: local moments, audit snapshots, and the 2026 calendar as announced.

The 2026 calendar the tests lean on (announced.py): Thu 1 and Fri 2 Jan off,
Sat 10 Jan worked; Tết Mon 16 - Fri 20 Feb; Hùng Kings Sun 26 Apr with Mon
27 Apr in lieu; Thu 30 Apr and Fri 1 May; Sat 22 Aug worked in exchange for
Mon 31 Aug; Tue 1 and Wed 2 Sep; Vietnam Culture Day Tue 24 Nov.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.calendar.services import calendar_seed_holidays


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """Return an aware moment in Vietnam time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


def before_of(entry: AuditEntry) -> dict[str, Any]:
    """Return an audit entry's "before" snapshot ({} if none)."""
    return dict(entry.before or {})


def after_of(entry: AuditEntry) -> dict[str, Any]:
    """Return an audit entry's "after" snapshot ({} if none)."""
    return dict(entry.after or {})


@pytest.fixture
def holidays_2026(db: None) -> None:
    calendar_seed_holidays(years=[2026])
