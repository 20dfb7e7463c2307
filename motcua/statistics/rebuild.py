"""Rollups recomputed from the facts, set-based: one ``INSERT ... SELECT ... GROUP BY`` per date.

Each family of measures counts on one of the fact's dates (``measures.MEASURES``:
received, finished, returned, paid online, paid at the counter, electronic
result, rated). For each family one statement adds the facts up in the
database: an inner aggregate by day and the finest keys (province, commune,
unit, agency, procedure), with each measure a ``SUM(CASE WHEN <its Q> THEN
<weight> END)`` compiled by Django from the measure's own ``Q``; an
outer ``UNION ALL`` of one ``GROUP BY`` per scope over it (the six scopes of
``rollup.scopes_of``), written to a temporary table without indexes; rows are
sparse (a measure counting nothing is NULL, see ``rollup``). One more statement
sums the staged rows into the day rows (families share rows: summed there,
never upserted), and one sums the day rows into the month rows. On PostgreSQL
the rows go into a new table, indexed once full and then renamed into the old
one's place, so readers keep the old rollups until the commit. Nothing
crosses into Python but the statements.

The same SQL runs on SQLite (the tests prove it gives the rows the Python
deltas give), but the Python path (``rollups_rebuild_python``) is kept: it is
the refresh's own arithmetic, the reference the SQL is tested against.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, Case, F, Q, Sum, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import NullIf

from .measures import MEASURES, NAMES, Measure
from .models import Fact, Grain, Rollup, Scope
from .rollup import add_sets

# The fact's column a weighted measure sums (the Python weight reads the same column); a test
# proves every weighted measure is here and gives what the Python path gives.
WEIGHT_COLUMNS: dict[str, str] = {
    "components": "components",
    "digitised": "digitised",
    "reused": "reused",
    "proc_seconds": "processing_seconds",
}

# The dates measures count on, in the order the families are added.
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(m.on for m in MEASURES))

# (scope, key column, key2 column or None, whether the key may be null): ``rollup.scopes_of``.
_SCOPES: tuple[tuple[str, str, str | None, bool], ...] = (
    (Scope.UNIT.value, "receiving_unit_id", None, False),
    (Scope.AGENCY.value, "agency_id", None, False),
    (Scope.PROCEDURE.value, "procedure_id", None, False),
    (Scope.UNIT_PROCEDURE.value, "receiving_unit_id", "procedure_id", False),
    (Scope.PROVINCE.value, "province_id", None, True),
    (Scope.COMMUNE.value, "commune_id", None, True),
)


def _alias(measure: Measure) -> str:
    # Some measures share a name with a fact's column (components): annotations may not.
    return f"m_{measure.name}"


def _amount(measure: Measure) -> Combinable:
    if measure.weight is None:
        return Value(1)
    column = WEIGHT_COLUMNS.get(measure.name)
    if column is None:
        raise LookupError(f"weighted measure {measure.name} has no column in WEIGHT_COLUMNS")
    return F(column)


STAGE = "statistics_rollup_stage"  # a temporary table: each connection has its own
NEXT = "statistics_rollup_next"  # the rebuild's new table, renamed to the rollups' at the end
UNIQUE = "rollup_unique"  # Rollup.Meta's constraint (built on the new table, then renamed)

ScopeSpec = tuple[str, str, str | None, bool]


def _family_sql(spec: ScopeSpec, on: str, where: Q | None) -> tuple[str, tuple[Any, ...]]:
    """Return the INSERT into the stage of one scope's day rows of one family, and parameters.

    ``where``: only the facts it selects (an import's chunk); all of them by default. Rows are
    sparse: a measure that counts nothing in a row is NULL (a weighted one summing to 0 too),
    and other families' columns are not written.
    """
    _scope, key, key2, nullable = spec
    measures = [m for m in MEASURES if m.on == on]
    facts = Fact.objects.filter(where if where is not None else Q())
    facts = facts.filter(**{f"{on}__isnull": False})
    if nullable:
        facts = facts.filter(**{f"{key}__isnull": False})
    keys = {"d": F(on), "k": F(key), **({"k2": F(key2)} if key2 else {})}
    inner = (
        facts.values(**keys)
        .annotate(
            **{
                _alias(m): NullIf(
                    Sum(
                        Case(
                            When(m.q if m.q else Q(pk__isnull=False), then=_amount(m)),
                            output_field=BigIntegerField(),
                        )
                    ),
                    Value(0),
                )
                for m in measures
            }
        )
        .order_by()
    )
    inner_sql, params = inner.query.get_compiler(connection=connection).as_sql()
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in ("day", "key", "key2", *(m.name for m in measures)))
    second = f"s.{q('k2')}" if key2 else "0"
    values = ", ".join(
        [f"s.{q('d')}", f"s.{q('k')}", second, *(f"s.{q(_alias(m))}" for m in measures)]
    )
    # Our own table's, columns' and aliases' quoted names; the values are parameters.
    sql = f"INSERT INTO {STAGE} ({columns}) SELECT {values} FROM ({inner_sql}) s"  # noqa: S608
    return sql, tuple(params)


def _month_of(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _rows_sql(scope: str, grain: str, *, into: str, add: bool = False) -> str:
    """Return the INSERT into ``into`` of one scope's rows of ``grain`` summed from the stage.

    Families share rows: their staged rows are summed into one. ``add``: added to the rows
    already there (``ON CONFLICT ... DO UPDATE``).
    """
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in ("grain", "day", "scope", "key", "key2", *NAMES))
    sums = ", ".join(f"SUM({q(n)})" for n in NAMES)
    day = _month_of(q("day")) if grain == Grain.MONTH else q("day")
    # SQLite needs the WHERE to tell an upsert's ON CONFLICT from a join's ON.
    sql = (
        f"INSERT INTO {into} ({columns}) "  # noqa: S608
        f"SELECT '{grain}', {day}, '{scope}', {q('key')}, {q('key2')}, {sums} "
        f"FROM {STAGE} WHERE true GROUP BY {day}, {q('key')}, {q('key2')}"
    )
    if add:
        keys = ", ".join(q(c) for c in ("scope", "key", "grain", "day", "key2"))
        sql += f" ON CONFLICT ({keys}) DO UPDATE SET {add_sets()}"
    return sql


def _scope_rows(spec: ScopeSpec, *, into: str, where: Q | None = None, add: bool = False) -> int:
    """Write one scope's day and month rows of the facts ``where`` selects into ``into``.

    Each family's day rows are staged (a temporary table without indexes), then summed into
    the day rows and the month rows. Returns the rows written.
    """
    q = connection.ops.quote_name
    table = q(Rollup._meta.db_table)
    names = ", ".join(q(c) for c in ("day", "key", "key2", *NAMES))
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} AS SELECT {names} FROM {table} WHERE 1 = 0"  # noqa: S608
        )
        for on in FAMILIES:
            sql, params = _family_sql(spec, on, where)
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {STAGE}")
        for grain in (Grain.DAY, Grain.MONTH):
            cursor.execute(_rows_sql(spec[0], grain, into=into, add=add))
            written += int(cursor.rowcount)
        cursor.execute(f"DROP TABLE {STAGE}")
    return written


def rollups_add_sql(where: Q) -> None:
    """Add the facts ``where`` selects to the rollups, in the database (an import's new facts).

    The same statements as the rebuild, added to the rows already there. Must run in a
    transaction holding the refresh lock, with the facts already written.
    """
    table = connection.ops.quote_name(Rollup._meta.db_table)
    for spec in _SCOPES:
        _scope_rows(spec, into=table, where=where, add=True)


def _work_mem(*, local: bool) -> None:
    """Give the hash aggregates the memory to stay out of temporary files (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('work_mem', %s, %s)", [settings.STATISTICS_REBUILD_WORK_MEM, local]
        )


def _in_workers(workers: int) -> int:
    """Create the new table and write every scope's rows into it from ``workers`` connections.

    Each worker is a thread with its own connection, outside the caller's transaction: it
    reads the facts as committed (the caller holds the refresh lock, so no writer moves
    them) and commits its rows into the new table, which the caller then swaps in.
    """
    q = connection.ops.quote_name
    table = q(Rollup._meta.db_table)
    # The finest scopes (most rows) first, so the last ones to finish are small.
    heavy = (Scope.UNIT_PROCEDURE.value, Scope.PROCEDURE.value)
    specs = sorted(_SCOPES, key=lambda spec: spec[0] not in heavy)
    lock = threading.Lock()
    errors: list[BaseException] = []
    written = [0]

    def prepare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {q(NEXT)}")
            cursor.execute(
                f"CREATE TABLE {q(NEXT)} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY)"
            )

    def work() -> None:
        _work_mem(local=False)
        while not errors:
            with lock:
                if not specs:
                    return
                spec = specs.pop(0)
            rows = _scope_rows(spec, into=q(NEXT))
            with lock:
                written[0] += rows

    _threads([prepare], errors)
    _threads([work] * workers, errors)
    return written[0]


def _threads(targets: list[Callable[[], None]], errors: list[BaseException]) -> None:
    """Run ``targets`` each in a thread with its own connection (closed after); wait for all.

    An error is kept in ``errors`` and raised again here, in the caller's thread.
    """

    def run(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as error:  # raised again in the caller's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def rollups_rebuild_sql(*, workers: int = 1) -> int:
    """Replace every rollup row by the sums of the facts, in the database; return the rows.

    On PostgreSQL the rows are built into a new table (no index while it fills, the unique
    index built once after), which then takes the old one's place: readers read the old
    rollups meanwhile and wait only for the swap's commit. Must run in a transaction (the
    caller holds the refresh lock), and last in it: the swap locks the table until the commit.
    ``workers`` > 1 (PostgreSQL): the scopes are written from that many connections at once,
    which read the facts as committed: only when the caller's transaction changed no fact.
    """
    q = connection.ops.quote_name
    table = q(Rollup._meta.db_table)
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        return sum(_scope_rows(spec, into=table) for spec in _SCOPES)
    _work_mem(local=True)
    if workers > 1:
        rows = _in_workers(workers)
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {q(NEXT)}")
            cursor.execute(
                f"CREATE TABLE {q(NEXT)} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY)"
            )
        rows = sum(_scope_rows(spec, into=q(NEXT)) for spec in _SCOPES)
    with connection.cursor() as cursor:
        _swap(cursor)
    return rows


def _swap(cursor: Any) -> None:
    """Index the new rollup table and put it in the old one's place, under the old names."""
    q = connection.ops.quote_name
    name = Rollup._meta.db_table
    columns = ", ".join(q(c) for c in ("scope", "key", "grain", "day", "key2"))
    cursor.execute(f"ALTER TABLE {q(NEXT)} ADD CONSTRAINT {q(NEXT + '_pkey')} PRIMARY KEY (id)")
    cursor.execute(f"ALTER TABLE {q(NEXT)} ADD CONSTRAINT {q(NEXT + '_unique')} UNIQUE ({columns})")
    cursor.execute(f"ANALYZE {q(NEXT)}")
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [NEXT])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"DROP TABLE {q(name)}")
    cursor.execute(f"ALTER TABLE {q(NEXT)} RENAME TO {q(name)}")
    cursor.execute(
        f"ALTER TABLE {q(name)} RENAME CONSTRAINT {q(NEXT + '_pkey')} TO {q(name + '_pkey')}"
    )
    cursor.execute(f"ALTER TABLE {q(name)} RENAME CONSTRAINT {q(NEXT + '_unique')} TO {q(UNIQUE)}")
    if sequence:
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {q(name + '_id_seq')}")


def rollups_rebuild_python(*, batch: int = 1000) -> int:
    """Replace every rollup row by the sums of the facts through Python deltas; return the rows."""
    from .rollup import delta_of, rollup_apply

    Rollup.objects.all().delete()
    last = 0
    while True:
        facts = list(Fact.objects.filter(pk__gt=last).order_by("pk")[:batch])
        if not facts:
            break
        rollup_apply(delta_of(facts))
        last = facts[-1].pk
    return Rollup.objects.count()


def rollups_rebuild(*, sql: bool | None = None, workers: int = 1) -> int:
    """Recompute the rollups from the facts: set-based on PostgreSQL, in Python elsewhere.

    ``workers``: see ``rollups_rebuild_sql``.
    """
    if sql is None:
        sql = connection.vendor == "postgresql"
    return rollups_rebuild_sql(workers=workers) if sql else rollups_rebuild_python()
