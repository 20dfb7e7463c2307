"""Numbers that run without gaps: one statement takes the next and keeps the row locked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import connection, models


def counter_next(
    model: type[models.Model], *, keys: Mapping[str, Any], field: str
) -> tuple[int, int]:
    """Add one to ``field`` of the row of ``model`` with ``keys`` (created at 1).

    Returns the row's id and the new number.

    One ``INSERT ... ON CONFLICT (keys) DO UPDATE ... RETURNING`` (PostgreSQL,
    and SQLite from 3.35): the row stays locked until the caller's transaction
    ends, so concurrent callers queue on it, no number is given twice, and a
    rolled-back caller gives its number back. ``keys`` must be the columns
    (``attname``) of a unique constraint of the model. Call it in a transaction.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = model._meta.pk
    assert pk is not None and pk.column is not None  # noqa: S101 - every model has a pk column
    columns = [*keys, field]
    # Only identifiers of the model, quoted, are formatted in: the values are parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) "
        f"DO UPDATE SET {quote(field)} = {table}.{quote(field)} + 1 "
        f"RETURNING {quote(pk.column)}, {quote(field)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*keys.values(), 1])
        row = cursor.fetchone()
    return int(row[0]), int(row[1])
