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

``compiled`` does the same for the API's hot ORM lookups by key (the token and its
memberships, a report with its campaign and unit, a tree node): the queryset is built and
compiled once per process, run prepared, and its rows become the instances the queryset
would give. Django's compiler cost about 0.8 ms of CPU per lookup and PostgreSQL's planner
0.3–0.5 ms; compiled and prepared, such a lookup takes 0.2 ms of CPU and 0.3 ms in all.

A write of a fixed text (an upsert whose rows travel as one JSON parameter) goes through
``fetchall`` too, ending in ``RETURNING`` so there are rows to read. ``insert`` and
``update`` write model instances that way (the report, version, history and notice rows of
every save and transition): Django compiles an INSERT on every ``save()`` (0.2–0.3 ms of
CPU), and PostgreSQL parses and plans its text, which carries the values, every time.

Only statements whose plan does not depend on the values belong here: equality on keys,
a fixed number of parameters. On SQLite, or with ``LANTOA_DB_PREPARE=0`` (a pooler in
transaction mode, which hands one server session to many clients and so loses prepared
statements), the statement runs as it is.
"""

import datetime
import functools
import hashlib
import weakref

from django.conf import settings
from django.db import DatabaseError, connections, router

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


@functools.lru_cache(maxsize=256)
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


# --- ORM queries compiled once -------------------------------------------------------------


class _Slot:
    """Where a call's argument goes among a compiled statement's parameters."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


def _sentinel(index: int, value):
    """A value of ``value``'s type that no real argument takes, found back among the
    compiled parameters to learn where argument ``index`` goes."""
    if isinstance(value, bool):
        raise TypeError("A compiled query takes no bool argument: write it into the query.")
    if isinstance(value, int):
        return -987_654_000 - index
    if isinstance(value, str):
        return f"\x01lantoa-argument-{index}\x01"
    if isinstance(value, datetime.datetime):
        return datetime.datetime(1901, 1, 1, 0, 0, index, tzinfo=datetime.UTC)
    raise TypeError(f"A compiled query takes int, str or datetime arguments, not {type(value)}.")


class _Plan:
    """One query compiled for one database: its SQL, where the arguments go among its
    parameters, and the compiler that knows how to turn its rows into instances."""

    def __init__(self, queryset, sentinels: list, using: str):
        self.using = using
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()  # also fills select, klass_info, annotation_col_map
        self.sql, self.compiler = sql, compiler
        self.params: list = []
        found = set()
        for param in params:
            index = next(
                (i for i, s in enumerate(sentinels) if type(param) is type(s) and param == s),
                None,
            )
            if index is None:
                self.params.append(param)
            else:
                self.params.append(_Slot(index))
                found.add(index)
        if found != set(range(len(sentinels))):
            raise ValueError(
                "A compiled query's arguments must reach its SQL unchanged (plain lookups)."
            )
        from django.db.models.query import get_related_populators

        klass_info = compiler.klass_info
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_columns = slice(start, end)
        self.init_list = [column[0].target.attname for column in compiler.select[start:end]]
        self.related_populators = get_related_populators(klass_info, compiler.select, using)
        self.annotations = list(compiler.annotation_col_map.items())
        # Each column's converters, found once (results_iter looks them up on every run).
        columns = [column[0] for column in compiler.select[0 : compiler.col_count]]
        self.converters = list(compiler.get_converters(columns).items())

    def _converted(self, rows: list[tuple]):
        if not self.converters:
            yield from rows
            return
        connection = connections[self.using]
        for row in rows:
            row = list(row)
            for position, (converters, expression) in self.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
            yield row

    def run(self, args: tuple) -> list:
        params = [args[p.index] if isinstance(p, _Slot) else p for p in self.params]
        rows = fetchall(self.sql, params, using=self.using)
        objects = []
        for row in self._converted(rows):
            obj = self.model.from_db(self.using, self.init_list, row[self.model_columns])
            for populator in self.related_populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


def compiled(build):
    """Decorator for a hot ORM lookup by key: ``build(*args)`` returns a queryset (model
    instances, ``select_related`` and annotations allowed) whose lookups take ``args``
    (int, str or aware datetime) as they are; the decorated function returns its
    instances as a list.

    On PostgreSQL (``prepares()``) the queryset is built and compiled once per process and
    database, then run with ``fetchall``: prepared once per session, so neither Django's
    compiler nor PostgreSQL's planner runs on every request; the rows become instances as
    the queryset's own would (converters, related objects, annotations). Elsewhere it runs
    as a queryset. Without ``using``, the router chooses the database, as for the queryset."""
    plans: dict[str, _Plan] = {}
    models: list = []  # the queryset's model, once known (to ask the router)

    @functools.wraps(build)
    def run(*args, using: str | None = None):
        queryset = None
        if using is None:
            if not models:
                queryset = build(*args)
                models.append(queryset.model)
            using = router.db_for_read(models[0])
        if not prepares(using):
            return list((queryset if queryset is not None else build(*args)).using(using))
        plan = plans.get(using)
        if plan is None:
            sentinels = [_sentinel(i, value) for i, value in enumerate(args)]
            plan = plans[using] = _Plan(build(*sentinels), sentinels, using)
        return plan.run(args)

    run.plans = plans
    return run


# --- model instances written with a fixed text ----------------------------------------------

# Up to this many rows an INSERT has one text per row count, each prepared once per session;
# more rows go through bulk_create (issuing to thousands of units: one text per count would
# only fill the sessions with statements run once).
MAX_INSERT_ROWS = 16


@functools.cache
def _insert_sql(model, alias: str, rows: int) -> tuple[str, tuple]:
    """(text, fields) of an INSERT of ``rows`` rows of ``model``, every concrete field but
    the automatic primary key, returning the keys."""
    opts, ops = model._meta, connections[alias].ops
    fields = tuple(f for f in opts.concrete_fields if f is not opts.pk and not f.generated)
    if any(f.has_db_default() for f in fields) or not getattr(opts.pk, "db_returning", False):
        raise TypeError(f"{model.__name__}: write it with the ORM (database defaults, own keys).")
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {ops.quote_name(opts.db_table)} "  # noqa: S608 — the model's names
        f"({', '.join(ops.quote_name(f.column) for f in fields)}) "
        f"VALUES {', '.join([one] * rows)} RETURNING {ops.quote_name(opts.pk.column)}"
    )
    return sql, fields


def insert(objs: list, *, using: str | None = None) -> list:
    """Insert new instances of one model as ``bulk_create`` does (each field's ``pre_save``,
    so ``auto_now_add`` stamps them; no signals; the keys are set back on them), in one
    statement of fixed text for their number, prepared once per session on PostgreSQL.

    Django compiles an INSERT on every ``save()`` (0.2–0.3 ms of CPU) and PostgreSQL plans
    its text, which carries the values, every time; the hot transitions write three or four
    such rows."""
    if not objs:
        return objs
    model = type(objs[0])
    using = using or router.db_for_write(model, instance=objs[0])
    if len(objs) > MAX_INSERT_ROWS:
        return model._default_manager.using(using).bulk_create(objs)
    connection = connections[using]
    sql, fields = _insert_sql(model, using, len(objs))
    params = []
    for obj in objs:
        if type(obj) is not model or obj.pk is not None:
            raise ValueError("insert() takes new instances of one model.")
        params += [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    for obj, (pk,) in zip(objs, fetchall(sql, params, using=using), strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, using
    return objs


@functools.cache
def _update_sql(model, alias: str, names: tuple[str, ...]) -> tuple[str, tuple]:
    opts, ops = model._meta, connections[alias].ops
    fields = tuple(opts.get_field(name) for name in names)
    pk = ops.quote_name(opts.pk.column)
    sets = ", ".join(f"{ops.quote_name(f.column)} = %s" for f in fields)
    table = ops.quote_name(opts.db_table)
    sql = f"UPDATE {table} SET {sets} WHERE {pk} = %s RETURNING {pk}"  # noqa: S608 — our names
    return sql, fields


def update(obj, fields, *, using: str | None = None) -> None:
    """``obj.save(update_fields=fields)`` in a fixed text prepared once per session (each
    field's ``pre_save``, so an ``auto_now`` field named here is stamped; no signals).
    Raises ``DatabaseError`` when the row is gone, as ``save`` does."""
    model = type(obj)
    using = using or obj._state.db or router.db_for_write(model, instance=obj)
    connection = connections[using]
    sql, model_fields = _update_sql(model, using, tuple(fields))
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in model_fields]
    if not fetchall(sql, [*params, obj.pk], using=using):
        raise DatabaseError("Save with update_fields did not affect any rows.")
