"""Adding facts to the rollups: the scopes a fact counts in, deltas, and the upsert that adds them.

A change of a fact is applied as a delta: its old contributions taken away,
its new ones added. Deltas are summed in memory per rollup row and written
with one ``INSERT ... ON CONFLICT DO UPDATE SET column = column + excluded``
per row (PostgreSQL and SQLite alike), so concurrent writers add up.

Rollup rows are sparse: a measure a row does not count is NULL, not 0 (a
NULL costs a bit of the row's null bitmap, a 0 eight bytes; most of a day
row's seventy measures count nothing). Readers sum with ``Sum`` and read
None as 0; writers add with ``add_sets`` (``COALESCE`` both sides, ``NULLIF``
the result).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection

from .measures import NAMES, contributions
from .models import Fact, Grain, Rollup, Scope

RowKey = tuple[str, dt.date, str, int, int]  # grain, day, scope, key, key2


def scopes_of(fact: Fact) -> list[tuple[str, int, int]]:
    """Return the (scope, key, key2) rows ``fact`` counts in."""
    out = [
        (Scope.UNIT.value, fact.receiving_unit_id, 0),
        (Scope.AGENCY.value, fact.agency_id, 0),
        (Scope.PROCEDURE.value, fact.procedure_id, 0),
        (Scope.UNIT_PROCEDURE.value, fact.receiving_unit_id, fact.procedure_id),
    ]
    if fact.province_id is not None:
        out.append((Scope.PROVINCE.value, fact.province_id, 0))
    if fact.commune_id is not None:
        out.append((Scope.COMMUNE.value, fact.commune_id, 0))
    return out


class Delta:
    """Changes to rollup rows, summed per row and measure."""

    def __init__(self) -> None:
        self.rows: dict[RowKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, fact: Fact, sign: int) -> None:
        """Add (``sign`` 1) or take away (-1) what ``fact`` counts."""
        items = contributions(fact)
        if not items:
            return
        scopes = scopes_of(fact)
        for day, name, amount in items:
            month = day.replace(day=1)
            for scope, key, key2 in scopes:
                self.rows[(Grain.DAY.value, day, scope, key, key2)][name] += sign * amount
                self.rows[(Grain.MONTH.value, month, scope, key, key2)][name] += sign * amount

    def __bool__(self) -> bool:
        return any(any(v for v in m.values()) for m in self.rows.values())


def add_sets() -> str:
    """Return the ``SET`` list of an upsert that adds ``excluded``'s measures to a rollup row.

    Rows are sparse (NULL for nothing counted, see the module): NULL reads as 0 and a sum
    that comes back to 0 is written NULL again.
    """
    q = connection.ops.quote_name
    table = q(Rollup._meta.db_table)
    return ", ".join(
        f"{q(n)} = NULLIF(COALESCE({table}.{q(n)}, 0) + COALESCE(excluded.{q(n)}, 0), 0)"
        for n in NAMES
    )


def _upsert_sql() -> str:
    table = connection.ops.quote_name(Rollup._meta.db_table)
    q = connection.ops.quote_name
    cols = ["grain", "day", "scope", "key", "key2", *NAMES]
    sets = add_sets()
    # Our own table's and columns' quoted names; the values are parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(q(c) for c in cols)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(cols))}) "
        f"ON CONFLICT ({q('scope')}, {q('key')}, {q('grain')}, {q('day')}, {q('key2')}) "
        f"DO UPDATE SET {sets}"
    )
    return sql


def rollup_apply(delta: Delta, *, chunk: int = 500) -> int:
    """Add ``delta`` to the rollups; return the rows written. Must run in a transaction."""
    params: list[list[Any]] = []
    for (grain, day, scope, key, key2), changes in delta.rows.items():
        if not any(changes.values()):
            continue
        params.append([grain, day, scope, key, key2, *(changes.get(n) or None for n in NAMES)])
    if not params:
        return 0
    sql = _upsert_sql()
    with connection.cursor() as cursor:
        for start in range(0, len(params), chunk):
            cursor.executemany(sql, params[start : start + chunk])
    return len(params)


def delta_of(facts: Iterable[Fact], sign: int = 1) -> Delta:
    """Return the delta that adds (or takes away) ``facts``."""
    delta = Delta()
    for fact in facts:
        delta.add(fact, sign)
    return delta
