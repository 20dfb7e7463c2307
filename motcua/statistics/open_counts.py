"""Dossiers open at the end of a day, per scope: counted set-based from the facts (``OpenCount``).

A fact is open at the end of ``day`` when it was received on or before it and
had not finished by then (``finished_on`` empty or after ``day``). It is past
its due when its ``due_at`` is before the end of the day (the start of the next
local day), within it otherwise (no due date: within).

Paused states: for today they are the live dossier's state (the fact joined to
its dossier; an imported fact: its own state). For a past day the state then
is not kept: a fact still open now counts in its present paused state (it has
been paused since, or is so again), one that finished since counts 0. The
counts of a past day are therefore exact for open / within / past and a lower
bound for the paused ones; the refresh takes today's counts every run and the
daily job freezes yesterday's shortly after midnight, so a day counted while it
was today or just after keeps close to live paused numbers.

Many days are counted in one statement (the rebuild's month ends): the facts
are joined to the list of days and grouped per day and scope, one ``GROUP BY``
per scope over a common table, the same SQL on PostgreSQL and SQLite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierState

from .models import Fact, OpenCount, Scope

PAUSED = {
    "paused_supplement": DossierState.SUPPLEMENT_REQUESTED.value,
    "paused_payment": DossierState.PAYMENT_REQUESTED.value,
    "withdrawal_requested": DossierState.WITHDRAWAL_REQUESTED.value,
}
COUNTS = ("open", "within", "past", *PAUSED)

# (scope, key column, key2 column or None) as the rollups' scopes (rollup.scopes_of).
_SCOPES: tuple[tuple[str, str, str | None], ...] = (
    (Scope.PROVINCE.value, "province_id", None),
    (Scope.UNIT.value, "receiving_unit_id", None),
    (Scope.AGENCY.value, "agency_id", None),
    (Scope.PROCEDURE.value, "procedure_id", None),
    (Scope.COMMUNE.value, "commune_id", None),
    (Scope.UNIT_PROCEDURE.value, "receiving_unit_id", "procedure_id"),
)


def end_of(day: dt.date) -> dt.datetime:
    """Return the end of ``day`` in local time (the start of the next day), aware."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _sql(days: Sequence[dt.date], *, live: bool) -> tuple[str, list[Any]]:
    q = connection.ops.quote_name
    ops = connection.ops
    fact = q(Fact._meta.db_table)
    dossier = q(Dossier._meta.db_table)
    params: list[Any] = []
    ends = []
    for day in days:
        ends.append("SELECT %s AS d, %s AS e")
        params += [ops.adapt_datefield_value(day), ops.adapt_datetimefield_value(end_of(day))]
    state = "COALESCE(o.state, f.state)" if live else "f.state"
    join = f"LEFT JOIN {dossier} o ON o.id = f.dossier_id " if live else ""
    paused = []
    for name, value in PAUSED.items():
        # Past days: only facts still open now count in their (present) paused state.
        still = "" if live else "f.finished_on IS NULL AND "
        paused.append(f"SUM(CASE WHEN {still}{state} = %s THEN 1 ELSE 0 END) AS {q(name)}")
        params.append(value)
    # Today: the open facts are those not finished (the partial index on unfinished facts).
    is_open = (
        "f.finished_at IS NULL" if live else "(f.finished_on IS NULL OR f.finished_on > ends.d)"
    )
    within = "CASE WHEN f.due_at IS NOT NULL AND f.due_at < ends.e THEN 0 ELSE 1 END"
    past = "CASE WHEN f.due_at IS NOT NULL AND f.due_at < ends.e THEN 1 ELSE 0 END"
    keys = "f.province_id, f.commune_id, f.receiving_unit_id, f.agency_id, f.procedure_id"
    if live or connection.vendor != "postgresql":
        facts = f"{fact} f JOIN ends ON f.received_on <= ends.d AND {is_open} {join}"
    else:
        # Past days on PostgreSQL: each fact read once, its days found beside it (the planner
        # would otherwise walk the received_on index once per day: minutes for many days),
        # and the facts finished before the first day or received after the last skipped.
        facts = (
            f"{fact} f CROSS JOIN LATERAL (SELECT ends.d, ends.e FROM ends "  # noqa: S608
            f"WHERE f.received_on <= ends.d AND {is_open}) ends "
            f"WHERE f.received_on <= %s AND (f.finished_on IS NULL OR f.finished_on > %s)"
        )
        params += [ops.adapt_datefield_value(max(days)), ops.adapt_datefield_value(min(days))]
    sums = ", ".join(f"SUM({q(n)})" for n in COUNTS)
    parts = []
    for scope, key, key2 in _SCOPES:
        second = f"w.{q(key2)}" if key2 else "0"
        group = f"w.d, w.{q(key)}" + (f", w.{q(key2)}" if key2 else "")
        parts.append(
            f"SELECT w.d, '{scope}', w.{q(key)}, {second}, {sums} "  # noqa: S608
            f"FROM w WHERE w.{q(key)} IS NOT NULL GROUP BY {group}"
        )
    table = q(OpenCount._meta.db_table)
    columns = ", ".join(q(c) for c in ("day", "scope", "key", "key2", *COUNTS))
    # Our own tables' and columns' quoted names; the values are parameters. The open facts
    # are first counted per day and finest keys (many share them), then summed per scope.
    sql = (
        f"WITH ends AS ({' UNION ALL '.join(ends)}), "  # noqa: S608
        f"w AS (SELECT ends.d AS d, {keys}, COUNT(*) AS {q('open')}, "
        f"SUM({within}) AS within, SUM({past}) AS past, "
        f"{', '.join(paused)} "
        f"FROM {facts} GROUP BY ends.d, {keys}) "
        f"INSERT INTO {table} ({columns}) {' UNION ALL '.join(parts)}"
    )
    return sql, params


def open_counts_take_many(*, days: Sequence[dt.date], live: bool = False) -> int:
    """Count the open dossiers at the end of each of ``days`` (replacing their counts).

    ``live``: the days are today (paused states from the live dossiers, see the
    module). Must run in a transaction. Returns the rows written.
    """
    days = sorted(set(days))
    if not days:
        return 0
    OpenCount.objects.filter(day__in=days).delete()
    sql, params = _sql(days, live=live)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def open_counts_take(*, day: dt.date) -> int:
    """Count the open dossiers of every scope at the end of ``day``; return the rows written.

    Today's (or a later day's) counts take the paused states from the live
    dossiers; a past day's from the facts (see the module). Must run in a
    transaction (the refresh's, under its lock).
    """
    return open_counts_take_many(days=[day], live=day >= timezone.localdate())


def period_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """Return the last day of every month from ``first``'s month to before ``last``'s month.

    Quarters, halves and years end on month ends, so these cover every period's end.
    """
    out: list[dt.date] = []
    month = first.replace(day=1)
    while True:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        end = following - dt.timedelta(days=1)
        if end >= last:
            return out
        out.append(end)
        month = following
