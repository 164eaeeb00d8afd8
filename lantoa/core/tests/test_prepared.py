"""The hot reads' prepared statements: prepared once per PostgreSQL session in the round trip
of their first run, planned once (generic plan), the same rows as the plain statement;
run as they are on SQLite and when switched off. ORM lookups compiled once: the same
instances as their queryset."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from lantoa.core import prepared
from lantoa.units.models import Unit
from lantoa.units.services import unit_create

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)
SQL = (
    "SELECT u.id, u.name FROM units_unit u "
    "WHERE u.path LIKE %s AND u.kind = %s AND u.id <> %s ORDER BY u.path"
)


@pytest.fixture
def tree(db):
    root = unit_create(parent=None, name="Bộ Giáo dục và Đào tạo", kind="bo_gddt", code="BGDDT")
    so = unit_create(parent=root, name="Sở GDĐT Hà Nội", kind="so_gddt", code="SGDHN")
    schools = [
        unit_create(parent=so, name=f"Trường THCS số {i}", kind="truong_thcs", code=f"THCS{i}")
        for i in range(1, 4)
    ]
    return root, so, schools


def _plain(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _run(params: list) -> tuple[list[tuple], list[str]]:
    with CaptureQueriesContext(connection) as queries:
        rows = prepared.fetchall(SQL, params)
    return rows, [q["sql"] for q in queries.captured_queries]


def test_placeholders_are_numbered_and_a_literal_percent_refused():
    assert prepared._numbered("SELECT %s + %s, x FROM t WHERE y = %s") == (
        "SELECT $1 + $2, x FROM t WHERE y = $3",
        3,
    )
    assert prepared._numbered("SELECT 1") == ("SELECT 1", 0)
    with pytest.raises(ValueError):
        prepared._numbered("SELECT 'a%%' || %s")
    assert prepared.statement_name(SQL) == prepared.statement_name(SQL)
    assert prepared.statement_name(SQL) != prepared.statement_name(SQL + " ")


@ON_POSTGRESQL
def test_prepared_once_per_session_then_executed_with_a_generic_plan(transactional_db, tree):
    root, so, schools = tree
    connection.close()  # a new session: nothing prepared yet
    params = [so.path + "%", "truong_thcs", schools[0].pk]
    expected = _plain(SQL, params)
    assert [pk for pk, _name in expected] == [s.pk for s in schools[1:]]
    name = prepared.statement_name(SQL)

    rows, sql = _run(params)
    assert rows == expected
    assert len(sql) == 1 and sql[0].startswith(f"PREPARE {name} AS ") and "EXECUTE" in sql[0]

    # Other values, same statement: EXECUTE only, still one round trip, right rows.
    other = [root.path + "%", "so_gddt", root.pk]
    rows, sql = _run(other)
    assert rows == _plain(SQL, other) == [(so.pk, "Sở GDĐT Hà Nội")]
    assert sql == [f"EXECUTE {name}('{root.path}%', 'so_gddt', {root.pk})"]
    for _ in range(6):  # past PostgreSQL's five custom plans of its default mode
        prepared.fetchall(SQL, params)
    plans = _plain(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s",
        [name],
    )
    assert plans == [(8, 0)]  # planned once, reused: the session's plan_cache_mode


@ON_POSTGRESQL
def test_survives_a_rolled_back_transaction_and_a_reconnect(transactional_db, tree):
    _root, so, schools = tree
    params = [so.path + "%", "truong_thcs", 0]
    connection.close()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert len(prepared.fetchall(SQL, params)) == 3
        raise RuntimeError("rolled back after the statement was prepared")
    rows, sql = _run(params)  # PREPARE outlived the rollback: not prepared twice
    assert len(rows) == 3 and sql[0].startswith("EXECUTE ")
    connection.close()  # a new session prepares it again
    rows, sql = _run(params)
    assert len(rows) == 3 and sql[0].startswith("PREPARE ")
    Unit.objects.filter(pk=schools[0].pk).update(name="Trường THCS Ngọc Lâm")
    assert prepared.fetchall(SQL, params)[0] == (schools[0].pk, "Trường THCS Ngọc Lâm")


@override_settings(LANTOA_DB_PREPARE=False)
def test_switched_off_or_on_sqlite_the_statement_runs_as_it_is(tree):
    _root, so, schools = tree
    params = [so.path + "%", "truong_thcs", schools[2].pk]
    rows, sql = _run(params)
    assert rows == _plain(SQL, params) and len(rows) == 2
    assert len(sql) == 1 and sql[0].startswith("SELECT u.id, u.name FROM units_unit")
    assert not prepared.prepares()


def test_the_setting_follows_the_database(settings):
    assert prepared.prepares() == (connection.vendor == "postgresql" and settings.LANTOA_DB_PREPARE)


def test_not_prepared_on_server_side_binding_connections(db, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {"server_side_binding": True})
    assert not prepared.prepares()


# --- ORM queries compiled once ---------------------------------------------------------------


@prepared.compiled
def _units_of_kind(kind: str, since):
    return (
        Unit.objects.filter(kind=kind, created_at__gte=since, valid_to__isnull=True)
        .select_related("successor")
        .annotate(below=F("depth") + 1)
        .order_by("path")
    )


@prepared.compiled
def _unit_names(pk: int):
    return Unit.objects.filter(pk=pk).only("name", "path").order_by()


def _seen(units) -> list[tuple]:
    return [(u.pk, u.name, u.below, u.successor_id, u.created_at, u.depth) for u in units]


def test_a_compiled_query_gives_the_querysets_instances(tree):
    _root, so, schools = tree
    since = timezone.now() - timedelta(hours=1)
    got = _units_of_kind("truong_thcs", since)
    assert _seen(got) == _seen(_units_of_kind.__wrapped__("truong_thcs", since))
    assert [u.pk for u in got] == [s.pk for s in schools]
    assert got[0].below == so.depth + 2 and got[0]._state.db == "default"
    assert _units_of_kind("truong_thcs", timezone.now() + timedelta(hours=1)) == []
    assert [u.name for u in _units_of_kind("so_gddt", since)] == ["Sở GDĐT Hà Nội"]
    # Deferred fields load on access, as the queryset's would.
    (unit,) = _unit_names(so.pk)
    assert unit.get_deferred_fields() >= {"kind", "code"}
    assert (unit.name, unit.path, unit.kind) == ("Sở GDĐT Hà Nội", so.path, "so_gddt")


@ON_POSTGRESQL
def test_compiled_once_then_prepared_and_executed(transactional_db, tree):
    _root, so, schools = tree
    connection.close()
    with CaptureQueriesContext(connection) as queries:
        (first,) = _unit_names(schools[0].pk)
    with CaptureQueriesContext(connection) as again:
        (second,) = _unit_names(schools[1].pk)
    name = prepared.statement_name(_unit_names.plans["default"].sql)
    assert len(queries) == 1 and queries[0]["sql"].startswith(f"PREPARE {name} AS SELECT")
    assert [q["sql"] for q in again] == [f"EXECUTE {name}({schools[1].pk})"]
    assert (first.name, second.name) == ("Trường THCS số 1", "Trường THCS số 2")
    Unit.objects.filter(pk=schools[1].pk).update(name="Trường THCS Ngọc Lâm")
    assert _unit_names(schools[1].pk)[0].name == "Trường THCS Ngọc Lâm"  # rows, not a cache


@ON_POSTGRESQL
def test_a_compiled_query_refuses_arguments_that_do_not_reach_its_sql_as_they_are(tree):
    @prepared.compiled
    def by_part_of_name(part: str):
        return Unit.objects.filter(name__icontains=part)  # becomes '%part%'

    @prepared.compiled
    def by_flag(active: bool):
        return Unit.objects.filter(valid_to__isnull=active)

    with pytest.raises(ValueError, match="unchanged"):
        by_part_of_name("THCS")
    with pytest.raises(TypeError, match="bool"):
        by_flag(True)


@override_settings(LANTOA_DB_PREPARE=False)
def test_a_compiled_query_switched_off_runs_as_a_queryset(tree):
    _root, _so, schools = tree
    with CaptureQueriesContext(connection) as queries:
        (unit,) = _unit_names(schools[2].pk)
    assert unit.name == "Trường THCS số 3"
    assert len(queries) == 1 and queries[0]["sql"].startswith("SELECT")
