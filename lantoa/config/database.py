"""Database connections from environment variables.

- ``DATABASE_URL``            the primary (default SQLite in the data folder)
- ``DATABASE_REPLICA_URL``    a PostgreSQL streaming replica of it (optional): the public
                              portal and the dashboards read from it, see
                              lantoa/core/dbrouting.py
- ``LANTOA_DB_CONN_MAX_AGE``  seconds a connection is kept for the next request (default 60;
                              0 closes it after each request). Kept connections are checked
                              before reuse (``CONN_HEALTH_CHECKS``), so a restarted database
                              costs one reconnect, not an error; on PostgreSQL the check
                              reads the socket instead of sending ``SELECT 1``
                              (lantoa/core/db/postgresql/base.py)
- ``LANTOA_DB_JIT``           ``1`` keeps PostgreSQL's JIT compiler on (default off: it adds
                              0.3–0.8 s of compilation to large aggregates that run in
                              milliseconds without it)
- ``LANTOA_DB_PREPARE``       ``0`` runs the hot hand-written reads unprepared (default: each
                              PostgreSQL session prepares them once, with a generic plan, see
                              lantoa/core/prepared.py); set it behind a pooler in transaction
                              mode, which shares one server session among clients

Each web thread holds at most one connection per alias, so one application server needs
``workers × threads`` connections on the primary (plus as many on the replica), and each task
worker process ``-w`` more: ``lantoa db_connections`` checks the sum against the server's
``max_connections``.
"""

from collections.abc import Mapping

import dj_database_url

PRIMARY = "default"
REPLICA = "replica"


def prepares_statements(environ: Mapping[str, str]) -> bool:
    """The hot reads are prepared on PostgreSQL (``LANTOA_DB_PREPARE``, default on)."""
    return environ.get("LANTOA_DB_PREPARE", "1") != "0"


def _connection(url: str, environ: Mapping[str, str]) -> dict:
    db = dj_database_url.parse(
        url,
        conn_max_age=int(environ.get("LANTOA_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["CONN_MAX_AGE"] = 0
        db["CONN_HEALTH_CHECKS"] = False
        db["OPTIONS"] = {
            # WAL lets readers work while a writer commits; IMMEDIATE takes the
            # write lock at BEGIN so concurrent writers queue instead of failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif db["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend with a health check that asks the socket, not the server.
        db["ENGINE"] = "lantoa.core.db.postgresql"
        flags = []
        if environ.get("LANTOA_DB_JIT") != "1":
            flags.append("-c jit=off")
        if prepares_statements(environ):
            # Only lantoa.core.prepared prepares statements: plan them once per session.
            flags.append("-c plan_cache_mode=force_generic_plan")
        if flags:
            options = db.setdefault("OPTIONS", {})
            options["options"] = " ".join([options.get("options", ""), *flags]).strip()
    return db


def databases_from_env(environ: Mapping[str, str], *, sqlite_path) -> dict:
    """The ``DATABASES`` setting: the primary, and the replica when one is configured."""
    databases = {
        PRIMARY: _connection(environ.get("DATABASE_URL", f"sqlite:///{sqlite_path}"), environ)
    }
    if replica_url := environ.get("DATABASE_REPLICA_URL", "").strip():
        replica = _connection(replica_url, environ)
        # Tests never create a database on the replica: it follows the primary's.
        replica["TEST"] = {"MIRROR": PRIMARY}
        databases[REPLICA] = replica
    return databases
