"""Model instances written with a fixed text (``prepared.insert``/``update``): the rows the
ORM would write, keys set back, prepared once per PostgreSQL session; and the PostgreSQL
backend's health check, which reads the socket instead of sending ``SELECT 1``."""

import select
import time
from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lantoa.accounts.models import ApiToken, User
from lantoa.core import prepared
from lantoa.history.models import HistoryEntry
from lantoa.units.services import unit_create

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's sessions and sockets"
)


@pytest.fixture
def unit(db):
    return unit_create(parent=None, name="Sở GDĐT Hà Nội", kind="so_gddt", code="SGDHN")


@pytest.fixture
def user(db):
    return User.objects.create_user(username="so.hanoi", password="x" * 12)


def _entry(unit, user, n: int) -> HistoryEntry:
    return HistoryEntry(
        actor=user,
        unit=unit,
        object_type="report",
        object_id=str(n),
        action="save",
        summary=f"Lưu báo cáo 2026 (phiên bản {n})",
        before={"values": {"lop_hoc": n}},
        after={"values": {"lop_hoc": n + 1}, "ghi_chú": "Tuần lễ"},
    )


def test_insert_writes_what_the_orm_would_and_sets_the_keys(unit, user):
    before = timezone.now()
    entries = prepared.insert([_entry(unit, user, n) for n in (1, 2, 3)])
    assert all(e.pk and not e._state.adding for e in entries)
    stored = {e.pk: e for e in HistoryEntry.objects.filter(pk__in=[e.pk for e in entries])}
    assert len(stored) == 3
    for n, entry in enumerate(entries, start=1):
        row = stored[entry.pk]
        assert (row.actor_id, row.unit_id, row.object_id) == (user.pk, unit.pk, str(n))
        assert row.summary == f"Lưu báo cáo 2026 (phiên bản {n})"
        assert row.before == {"values": {"lop_hoc": n}}
        assert row.after == {"values": {"lop_hoc": n + 1}, "ghi_chú": "Tuần lễ"}
        assert before <= row.created_at <= timezone.now()  # auto_now_add stamped
        assert row.created_at == entry.created_at


def test_insert_refuses_saved_or_mixed_instances_and_bulk_creates_many(unit, user):
    saved = prepared.insert([_entry(unit, user, 1)])[0]
    with pytest.raises(ValueError):
        prepared.insert([saved])
    with pytest.raises(ValueError):
        prepared.insert([_entry(unit, user, 2), ApiToken(user=user, digest="d" * 64)])
    many = [_entry(unit, user, n) for n in range(prepared.MAX_INSERT_ROWS + 5)]
    with CaptureQueriesContext(connection) as queries:
        prepared.insert(many)
    assert len(queries) == 1 and "INSERT INTO" in queries[0]["sql"]  # bulk_create's own text
    assert HistoryEntry.objects.filter(object_type="report").count() == len(many) + 1


def test_a_duplicate_key_is_an_integrity_error_and_the_transaction_goes_on(user):
    expires = timezone.now() + timedelta(days=30)
    prepared.insert([ApiToken(user=user, digest="a" * 64, expires_at=expires)])
    with pytest.raises(IntegrityError), transaction.atomic():
        prepared.insert([ApiToken(user=user, digest="a" * 64, expires_at=expires)])
    prepared.insert([ApiToken(user=user, digest="b" * 64, expires_at=expires)])
    assert set(ApiToken.objects.values_list("digest", flat=True)) == {"a" * 64, "b" * 64}


def test_update_writes_the_named_fields_only(user):
    expires = timezone.now() + timedelta(days=30)
    token = prepared.insert([ApiToken(user=user, digest="c" * 64, expires_at=expires)])[0]
    now = timezone.now()
    token.last_used_at, token.digest = now, "changed but not named"
    prepared.update(token, ["last_used_at"])
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.last_used_at == now and stored.digest == "c" * 64
    ApiToken.objects.filter(pk=token.pk).delete()
    with pytest.raises(DatabaseError):
        prepared.update(token, ["last_used_at"])


@ON_POSTGRESQL
def test_prepared_once_per_session_then_executed(transactional_db, unit, user):
    connection.close()
    sql, _fields = prepared._insert_sql(HistoryEntry, "default", 1)
    name = prepared.statement_name(sql)
    with CaptureQueriesContext(connection) as first:
        prepared.insert([_entry(unit, user, 1)])
    with CaptureQueriesContext(connection) as second:
        prepared.insert([_entry(unit, user, 2)])
    assert first[0]["sql"].startswith(f"PREPARE {name} AS INSERT INTO")
    assert second[0]["sql"].startswith(f"EXECUTE {name}(")
    assert HistoryEntry.objects.filter(object_type="report").count() == 2


# --- the health check -------------------------------------------------------------------------


def _own_connection():
    """A connection of its own (not the test's), health checks on."""
    wrapper = connections.create_connection("default")
    wrapper.settings_dict["CONN_HEALTH_CHECKS"] = True
    wrapper.ensure_connection()
    return wrapper


def _last_query_of(pid: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


@ON_POSTGRESQL
def test_a_live_connection_passes_the_health_check_without_a_round_trip(transactional_db):
    own = _own_connection()
    try:
        with own.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), 'the last statement sent'")
            pid = cursor.fetchone()[0]
        assert own.is_usable()
        assert own.is_usable()
        # Django's check would have sent SELECT 1: the server saw nothing after our statement.
        assert _last_query_of(pid) == "SELECT pg_backend_pid(), 'the last statement sent'"
    finally:
        own.close()


@ON_POSTGRESQL
def test_a_session_the_server_ended_fails_the_check_and_the_next_request_reconnects(
    transactional_db,
):
    own = _own_connection()
    try:
        with own.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with connection.cursor() as cursor:  # as a restart or an administrator would
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        poller = select.poll()
        poller.register(own.connection.pgconn.socket, select.POLLIN)
        deadline = time.monotonic() + 5
        while not poller.poll(50) and time.monotonic() < deadline:
            pass
        assert not own.is_usable()
        own.health_check_done = False
        own.close_if_health_check_failed()  # what Django does as a request starts
        assert own.connection is None
        with own.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != pid
    finally:
        own.close()
