"""Connection budget: workers × threads (+ task workers) against max_connections; JIT off."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from lantoa.core.management.commands.db_connections import connections_needed


def test_connections_needed():
    assert connections_needed(servers=1, workers=4, threads=4, task_workers=4) == 25
    assert connections_needed(servers=3, workers=4, threads=8, task_workers=8) == 109


def test_command_accepts_a_plan_that_fits_and_refuses_one_that_does_not(db, capsys):
    call_command("db_connections", workers=2, threads=2, task_workers=1)
    assert "default" in capsys.readouterr().out
    if connection.vendor == "postgresql":
        with pytest.raises(CommandError, match="Quá số kết nối"):
            call_command("db_connections", servers=100, workers=16, threads=16)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL setting")
def test_postgresql_connections_run_without_jit(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
