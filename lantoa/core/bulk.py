"""Set-based writes of any number of rows in ONE statement: the rows travel as a single JSON
parameter, read as a derived table (``jsonb_to_recordset`` on PostgreSQL, ``json_each`` on
SQLite). Django's ``bulk_create``/``bulk_update`` split by the backend's parameter limit
(999 on SQLite), so their statement count grows with the rows; bulk restructuring must not.
"""

import json

from django.db import connection, models

_PG_TYPES = {
    "AutoField": "int",
    "BigAutoField": "bigint",
    "ForeignKey": "bigint",
    "BigIntegerField": "bigint",
    "IntegerField": "int",
    "PositiveIntegerField": "int",
    "PositiveSmallIntegerField": "int",
    "BooleanField": "boolean",
    "CharField": "text",
    "TextField": "text",
    "SlugField": "text",
    "DateField": "date",
    "DateTimeField": "timestamptz",
    "DecimalField": "numeric",
    "JSONField": "jsonb",
}


def json_rows(columns: list[tuple[str, str]]) -> str:
    """SQL for a derived table ``m`` read from one JSON parameter (a list of objects):
    ``columns`` are (name, PostgreSQL type)."""
    if connection.vendor == "postgresql":
        spec = ", ".join(f"{name} {kind}" for name, kind in columns)
        return f"jsonb_to_recordset(%s::jsonb) AS m({spec})"
    picks = ", ".join(f"json_extract(value, '$.{name}') AS {name}" for name, _kind in columns)
    return f"(SELECT {picks} FROM json_each(%s)) m"  # noqa: S608 — our column names


def _value(field: models.Field, value):
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return str(connection.ops.adapt_datetimefield_value(value))
    if isinstance(field, models.DateField):
        return value.isoformat()
    if isinstance(field, models.DecimalField):
        return str(value)
    return value


def insert_rows(model: type[models.Model], rows: list[dict]) -> int:
    """INSERT ``rows`` (dicts keyed by field name; ``attname`` for foreign keys) into
    ``model``'s table in one statement; returns the row count."""
    if not rows:
        return 0
    fields = [model._meta.get_field(name) for name in rows[0]]
    columns = [(f.column, _PG_TYPES[f.get_internal_type()]) for f in fields]
    data = [
        {f.column: _value(f, row[name]) for f, name in zip(fields, row, strict=True)}
        for row in rows
    ]
    names = ", ".join(c for c, _t in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({names}) "  # noqa: S608 — our names
            f"SELECT {', '.join(f'm.{c}' for c, _t in columns)} FROM {json_rows(columns)}",
            [json.dumps(data)],
        )
    return len(rows)


def update_rows(model: type[models.Model], rows: list[dict], assignments: str) -> None:
    """One UPDATE of ``model``'s table from ``rows`` (JSON; ``id`` is the key, the other
    keys are column names): ``assignments`` is the SET clause, reading ``m.<column>``."""
    if not rows:
        return
    table = model._meta.db_table
    columns = [
        (name, _PG_TYPES[model._meta.get_field(name).get_internal_type()]) for name in rows[0]
    ]
    data = [
        {name: _value(model._meta.get_field(name), v) for name, v in row.items()} for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {json_rows(columns)} "  # noqa: S608
            f"WHERE {table}.id = m.id",
            [json.dumps(data)],
        )
