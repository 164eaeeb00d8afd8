"""Set-based writes of any number of rows in ONE statement: the rows travel as a single JSON
parameter, read as a derived table (``jsonb_to_recordset`` on PostgreSQL, ``json_each`` on
SQLite). Django's ``bulk_create``/``bulk_update`` split by the backend's parameter limit
(999 on SQLite), so their statement count grows with the rows; bulk restructuring must not.
"""

import json
from datetime import date

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


def _converter(field: models.Field):
    """How a Python value of ``field`` travels in the JSON parameter (picked once per field;
    a datetime is adapted once per distinct value: every row of a write shares "now")."""
    if isinstance(field, models.DateTimeField):
        seen: dict = {}

        def adapt(value):
            if value not in seen:
                seen[value] = str(connection.ops.adapt_datetimefield_value(value))
            return seen[value]

        return adapt
    if isinstance(field, models.DateField):
        return date.isoformat
    if isinstance(field, models.DecimalField):
        return str
    return None


def _rows_json(fields: list[models.Field], keys: list[str], rows: list[dict]) -> str:
    converters = [_converter(f) for f in fields]
    data = [
        {
            f.column: (row[k] if convert is None or row[k] is None else convert(row[k]))
            for f, k, convert in zip(fields, keys, converters, strict=True)
        }
        for row in rows
    ]
    return json.dumps(data)


def insert_rows(model: type[models.Model], rows: list[dict]) -> int:
    """INSERT ``rows`` (dicts keyed by field name; ``attname`` for foreign keys) into
    ``model``'s table in one statement; returns the row count."""
    if not rows:
        return 0
    keys = list(rows[0])
    fields = [model._meta.get_field(name) for name in keys]
    columns = [(f.column, _PG_TYPES[f.get_internal_type()]) for f in fields]
    names = ", ".join(c for c, _t in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({names}) "  # noqa: S608 — our names
            f"SELECT {', '.join(f'm.{c}' for c, _t in columns)} FROM {json_rows(columns)}",
            [_rows_json(fields, keys, rows)],
        )
    return len(rows)


def update_rows(model: type[models.Model], rows: list[dict], assignments: str) -> None:
    """One UPDATE of ``model``'s table from ``rows`` (JSON; ``id`` is the key, the other
    keys are column names): ``assignments`` is the SET clause, reading ``m.<column>``."""
    if not rows:
        return
    table = model._meta.db_table
    keys = list(rows[0])
    fields = [model._meta.get_field(name) for name in keys]
    columns = [(f.column, _PG_TYPES[f.get_internal_type()]) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {json_rows(columns)} "  # noqa: S608
            f"WHERE {table}.id = m.id",
            [_rows_json(fields, keys, rows)],
        )
