"""Due times of steps and the early / on time / late verdict, in working time.

The verdict follows Decision 766/QĐ-TTg as summarised in domain.md: a step or
dossier finished after its due time is late; a dossier whose applicant was
asked for supplements more often than the rules allow is late whatever its
time (``rules.supplements_over_limit``); one finished on a day before its due
day is early. An extended dossier is judged against its original due date
(``_base.finish_dossier``).
Supplement time never counts: the due time moves on by the working time the
clock was stopped.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from motcua.calendar import selectors as calendar
from motcua.catalog.models import ProcedureVersion, TimeUnit
from motcua.dossiers.models import Outcome

HUNDRED = Decimal(100)
SECONDS_PER_HOUR = Decimal(3600)


def outcome_of(
    *, finished_at: dt.datetime, due_at: dt.datetime | None, over_limit: bool = False
) -> Outcome:
    """Return whether work finished at ``finished_at`` was early, on time or late for ``due_at``.

    ``over_limit``: more supplement requests than allowed (dossiers only), late
    whatever the time. Work without a due time is on time.
    """
    if over_limit:
        return Outcome.LATE
    if due_at is None:
        return Outcome.ON_TIME
    if finished_at > due_at:
        return Outcome.LATE
    if timezone.localdate(finished_at) < timezone.localdate(due_at):
        return Outcome.EARLY
    return Outcome.ON_TIME


def legal_hours(
    version: ProcedureVersion, *, received_at: dt.datetime, legal_due: dt.datetime
) -> Decimal:
    """Return the legal processing time of ``version`` in working hours.

    A limit in working hours is what it says. A limit in working days is the
    working time from receipt to ``legal_due`` (the legal due date, before any
    pause): with seasonal hours each day counts its own length, and a same-day
    procedure has what was left of its day.
    """
    if version.processing_time_unit == TimeUnit.WORKING_HOURS:
        return Decimal(version.processing_time_value)
    return hours_of(calendar.working_time_between(start=received_at, end=legal_due))


def hours_of(delta: dt.timedelta) -> Decimal:
    """Return ``delta`` in hours, to the hundredth."""
    return (Decimal(delta.total_seconds()) / SECONDS_PER_HOUR).quantize(Decimal("0.01"))


def step_due_at(
    *, start: dt.datetime, share: Decimal, legal: Decimal, dossier_due_at: dt.datetime
) -> dt.datetime:
    """Return when a step started at ``start`` with ``share`` % of ``legal`` hours is due.

    A step is never due after its dossier: the last steps of a dossier that
    ran late share what is left, and one that starts overdue is due at once.
    """
    if start >= dossier_due_at or share <= 0:
        return dossier_due_at
    budget = (legal * share / HUNDRED).quantize(Decimal("0.01"))
    due = calendar.due_date(start=start, working_hours=budget).due_at
    return min(due, dossier_due_at)


def pushed_by_pause(
    due_at: dt.datetime, *, paused_at: dt.datetime, now: dt.datetime
) -> dt.datetime:
    """Return ``due_at`` moved on by the working time between ``paused_at`` and ``now``."""
    paused = calendar.working_time_between(start=paused_at, end=now)
    if paused <= dt.timedelta(0):
        return due_at
    return calendar.due_date(start=due_at, working_hours=hours_of(paused)).due_at
