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

from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, Case, F, Q, Sum, Value, When
from django.db.models.expressions import Combinable

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

# (scope, key column, key2 column or None, whether the key may be null) of the inner aggregate.
_SCOPES: tuple[tuple[str, str, str | None, bool], ...] = (
    (Scope.UNIT.value, "receiving_unit_id", None, False),
    (Scope.AGENCY.value, "agency_id", None, False),
    (Scope.PROCEDURE.value, "procedure_id", None, False),
    (Scope.UNIT_PROCEDURE.value, "receiving_unit_id", "procedure_id", False),
    (Scope.PROVINCE.value, "province_id", None, True),
    (Scope.COMMUNE.value, "commune_id", None, True),
)
_KEYS = ("province_id", "commune_id", "receiving_unit_id", "agency_id", "procedure_id")


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


STAGE = "statistics_rollup_stage"
NEXT = "statistics_rollup_next"  # the rebuild's new table, renamed to the rollups' at the end
UNIQUE = "rollup_unique"  # Rollup.Meta's constraint (built on the new table, then renamed)


def _family_sql(on: str, where: Q | None = None) -> tuple[str, list[str], tuple[Any, ...]]:
    """Return the INSERT of one family's day rows into the stage, its measures and parameters.

    ``where``: only the facts it selects (an import's chunk); all of them by default. Rows are
    sparse: a measure that counts nothing in a row is NULL, and other families' are not written.
    """
    measures = [m for m in MEASURES if m.on == on]
    inner = (
        Fact.objects.filter(where if where is not None else Q())
        .filter(**{f"{on}__isnull": False})
        .values(*_KEYS, d=F(on))
        .annotate(
            **{
                _alias(m): Sum(
                    Case(
                        When(m.q if m.q else Q(pk__isnull=False), then=_amount(m)),
                        output_field=BigIntegerField(),
                    )
                )
                for m in measures
            }
        )
        .order_by()
    )
    inner_sql, params = inner.query.get_compiler(connection=connection).as_sql()
    q = connection.ops.quote_name
    # A weighted measure may sum to 0 (no components): NULL too.
    sums = ", ".join(f"NULLIF(SUM(t.{q(_alias(m))}), 0)" for m in measures)
    parts = []
    for scope, key, key2, nullable in _SCOPES:
        second = f"t.{q(key2)}" if key2 else "0"
        group = f"t.{q('d')}, t.{q(key)}" + (f", t.{q(key2)}" if key2 else "")
        known = f" WHERE t.{q(key)} IS NOT NULL" if nullable else ""
        parts.append(
            f"SELECT t.{q('d')} AS day, '{scope}' AS scope, "  # noqa: S608
            f"t.{q(key)} AS key, {second} AS key2, {sums} FROM t{known} GROUP BY {group}"
        )
    columns = ", ".join(q(c) for c in ("day", "scope", "key", "key2", *(m.name for m in measures)))
    # Our own table's, columns' and aliases' quoted names; the values are parameters.
    sql = f"WITH t AS ({inner_sql}) INSERT INTO {STAGE} ({columns}) {' UNION ALL '.join(parts)}"
    return sql, [m.name for m in measures], tuple(params)


def _month_of(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _rows_sql(grain: str, *, into: str, source: str, add: bool = False) -> str:
    """Return the INSERT into ``into`` of the rows of ``grain`` summed from ``source``'s day rows.

    ``source``: the stage (the families' rows, summed into shared rows) or, for the months of a
    rebuild, the day rows just written (fewer rows than the stage). ``add``: added to the rows
    already there (``ON CONFLICT ... DO UPDATE``).
    """
    q = connection.ops.quote_name
    names = [m.name for m in MEASURES]
    columns = ", ".join(q(c) for c in ("grain", "day", "scope", "key", "key2", *names))
    sums = ", ".join(f"SUM({q(n)})" for n in names)
    day = _month_of(q("day")) if grain == Grain.MONTH else q("day")
    # SQLite needs a WHERE to tell an upsert's ON CONFLICT from a join's ON.
    only_days = f"{q('grain')} = '{Grain.DAY.value}'" if source != STAGE else "true"
    sql = (
        f"INSERT INTO {into} ({columns}) "  # noqa: S608
        f"SELECT '{grain}', {day}, {q('scope')}, {q('key')}, {q('key2')}, {sums} "
        f"FROM {source} WHERE {only_days} GROUP BY {day}, {q('scope')}, {q('key')}, {q('key2')}"
    )
    if add:
        keys = ", ".join(q(c) for c in ("scope", "key", "grain", "day", "key2"))
        sql += f" ON CONFLICT ({keys}) DO UPDATE SET {add_sets()}"
    return sql


def _stage(cursor: Any, where: Q | None) -> None:
    """Stage the day rows of every family of the facts ``where`` selects (all by default)."""
    q = connection.ops.quote_name
    table = q(Rollup._meta.db_table)
    names = ", ".join(q(c) for c in ("day", "scope", "key", "key2", *NAMES))
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    # Without any index; a column a family does not write stays NULL.
    cursor.execute(
        f"CREATE TEMPORARY TABLE {STAGE} AS SELECT {names} FROM {table} WHERE 1 = 0"  # noqa: S608
    )
    for on in FAMILIES:
        sql, _names, params = _family_sql(on, where)
        cursor.execute(sql, params)
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {STAGE}")


def rollups_add_sql(where: Q) -> None:
    """Add the facts ``where`` selects to the rollups, in the database (an import's new facts).

    The same statements as the rebuild, staged and then added to the rows already there.
    Must run in a transaction holding the refresh lock, with the facts already written.
    """
    table = connection.ops.quote_name(Rollup._meta.db_table)
    with connection.cursor() as cursor:
        _stage(cursor, where)
        cursor.execute(_rows_sql(Grain.DAY, into=table, source=STAGE, add=True))
        cursor.execute(_rows_sql(Grain.MONTH, into=table, source=STAGE, add=True))
        cursor.execute(f"DROP TABLE {STAGE}")


def rollups_rebuild_sql() -> int:
    """Replace every rollup row by the sums of the facts, in the database; return the rows.

    On PostgreSQL the rows are built into a new table (no index while it fills, the unique
    index built once after), which then takes the old one's place: readers read the old
    rollups meanwhile and wait only for the swap's commit. Must run in a transaction (the
    caller holds the refresh lock), and last in it: the swap locks the table until the commit.
    """
    q = connection.ops.quote_name
    table = q(Rollup._meta.db_table)
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            # The hash aggregates get the memory to stay out of temporary files.
            cursor.execute(
                "SELECT set_config('work_mem', %s, true)", [settings.STATISTICS_REBUILD_WORK_MEM]
            )
            cursor.execute(f"DROP TABLE IF EXISTS {q(NEXT)}")
            cursor.execute(
                f"CREATE TABLE {q(NEXT)} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY)"
            )
            into = q(NEXT)
        else:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            into = table
        _stage(cursor, None)
        cursor.execute(_rows_sql(Grain.DAY, into=into, source=STAGE))
        rows = int(cursor.rowcount)
        cursor.execute(f"DROP TABLE {STAGE}")
        cursor.execute(_rows_sql(Grain.MONTH, into=into, source=into))
        rows += int(cursor.rowcount)
        if postgresql:
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


def rollups_rebuild(*, sql: bool | None = None) -> int:
    """Recompute the rollups from the facts: set-based on PostgreSQL, in Python elsewhere."""
    if sql is None:
        sql = connection.vendor == "postgresql"
    return rollups_rebuild_sql() if sql else rollups_rebuild_python()
