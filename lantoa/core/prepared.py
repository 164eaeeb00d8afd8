"""Hot hand-written reads run as PostgreSQL prepared statements, planned once per session.

A roll-up's statement (a node, its reporting children, their units, plans and total rows)
is answered by index lookups in 0.5–0.7 ms at scale 1.0, but PostgreSQL spends longer
again planning it (0.7–0.9 ms), on every request. Every lookup in such a statement is by
key, so one plan fits every unit: ``fetchall`` prepares the statement once per database
session (named after a hash of its text, in the same round trip as its first run) and
runs it with ``EXECUTE``. The sessions are opened with ``plan_cache_mode =
force_generic_plan`` (lantoa/config/database.py), so a prepared statement is planned once,
not re-planned for its first five runs as PostgreSQL would by default. Django itself
prepares nothing (its cursors bind parameters on the client), so the setting reaches only
the statements run here.

Only statements whose plan does not depend on the values belong here: equality on keys,
a fixed number of parameters. On SQLite, or with ``LANTOA_DB_PREPARE=0`` (a pooler in
transaction mode, which hands one server session to many clients and so loses prepared
statements), the statement runs as it is.
"""

import functools
import hashlib
import weakref

from django.conf import settings
from django.db import connections

# The statements prepared on each open database session (keyed by the driver's connection,
# so a reconnect starts afresh).
_prepared: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()


def prepares(alias: str = "default") -> bool:
    """Statements on this database are prepared (PostgreSQL, unless switched off)."""
    connection = connections[alias]
    return (
        settings.LANTOA_DB_PREPARE
        and connection.vendor == "postgresql"
        # Server-side binding cursors take one command per execute (and prepare on their own).
        and not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")
    )


def _numbered(sql: str) -> tuple[str, int]:
    """``sql`` with its ``%s`` placeholders numbered ``$1``, ``$2``…, and their count."""
    if "%%" in sql:
        raise ValueError("A prepared statement takes no literal %.")
    parts = sql.split("%s")
    numbered = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], start=1))
    return numbered, len(parts) - 1


def statement_name(sql: str) -> str:
    """The name ``sql`` is prepared under (the same text, the same name, in every session)."""
    return "lantoa_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:16]


@functools.lru_cache(maxsize=64)
def _statement(sql: str) -> tuple[str, str, int]:
    """(name, numbered text, placeholder count) of ``sql``: worked out once per process, not
    on every run of a hot read."""
    return statement_name(sql), *_numbered(sql)


def fetchall(sql: str, params: list, *, using: str = "default") -> list[tuple]:
    """Rows of ``sql`` (``%s`` placeholders) with ``params``: one round trip, prepared on
    PostgreSQL the first time this session runs it."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if not prepares(using):
            cursor.execute(sql, params)
            return cursor.fetchall()
        name, numbered, count = _statement(sql)
        if count != len(params):
            raise ValueError(f"{count} placeholders, {len(params)} parameters.")
        run = f"EXECUTE {name}({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}"
        done = _prepared.setdefault(connection.connection, set())
        if name in done:
            cursor.execute(run, params)
            return cursor.fetchall()
        # PREPARE outlives a rolled-back transaction, so it is recorded once it has run.
        cursor.execute(f"PREPARE {name} AS {numbered}; {run}", params)
        done.add(name)
        cursor.nextset()  # past PREPARE's empty result, to EXECUTE's rows
        return cursor.fetchall()
