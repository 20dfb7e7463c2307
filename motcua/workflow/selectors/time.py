"""Working time left before a due moment, for every row of a list at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from motcua.calendar import selectors as calendar


@dataclass(frozen=True)
class TimeLeft:
    """Working time left before a due moment, and whether the moment has passed.

    ``left`` is working time (negative when overdue by that much). A dossier
    due at 17:00 on Friday is overdue on Saturday although no working time
    has passed since: ``overdue`` compares the moments themselves.
    """

    due_at: dt.datetime | None
    left: dt.timedelta | None
    overdue: bool = False

    @property
    def hours(self) -> float | None:
        return None if self.left is None else self.left.total_seconds() / 3600


def time_left(
    dues: Sequence[dt.datetime | None], *, now: dt.datetime | None = None
) -> list[TimeLeft]:
    """Return the working time left before each of ``dues`` (two queries in all)."""
    now = now or timezone.now()
    known = [d for d in dues if d is not None]
    lefts = iter(calendar.working_times_from(start=now, ends=known))
    out = []
    for due in dues:
        if due is None:
            out.append(TimeLeft(None, None))
            continue
        left = next(lefts)
        overdue = due < now
        if overdue and left > dt.timedelta(0):
            left = dt.timedelta(0)
        out.append(TimeLeft(due, left, overdue))
    return out
