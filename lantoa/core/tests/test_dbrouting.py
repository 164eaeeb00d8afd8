"""Replica routing decisions (any database); the real streaming replica is exercised in
test_replica_postgres.py."""

import time

import pytest
from django.db import router
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve

from lantoa.activities.models import Activity
from lantoa.config.database import databases_from_env
from lantoa.core.dbrouting import PIN_COOKIE, ReplicaRoutingMiddleware, reads_from
from lantoa.reports.models import Report


def _run(path, *, method="get", cookies=None, write=False):
    """One request through the middleware; returns (alias read by the view, response)."""
    seen = {}

    def view(request):
        seen["before"] = router.db_for_read(Activity)
        if write:
            seen["write"] = router.db_for_write(Report)
        seen["after"] = router.db_for_read(Activity)
        return HttpResponse("ok")

    request = getattr(RequestFactory(), method)(path)
    request.COOKIES.update(cookies or {})
    request.resolver_match = resolve(path)
    middleware = ReplicaRoutingMiddleware(
        lambda r: middleware.process_view(r, view, (), {}) or view(r)
    )
    response = middleware(request)
    return seen, response


@pytest.fixture
def replica(settings):
    settings.LANTOA_READ_REPLICA = "replica"
    settings.LANTOA_REPLICA_PIN_SECONDS = 10


def test_public_and_dashboard_reads_go_to_the_replica(replica):
    for path in ("/cong-khai/", "/cong-khai/lich/", "/tong-hop/", "/tong-quan/"):
        seen, response = _run(path)
        assert seen == {"before": "replica", "after": "replica"}, path
        assert PIN_COOKIE not in response.cookies
    # Everything else reads from the primary.
    for path in ("/bao-cao/", "/van-ban/", "/don-vi/"):
        assert _run(path)[0]["before"] == "default", path
    # Outside a request (task workers, commands) too.
    assert reads_from() == "default"
    assert router.db_for_read(Activity) == "default"


def test_a_write_pins_the_rest_of_the_request_and_the_browser_to_the_primary(replica):
    seen, response = _run("/cong-khai/", write=True)
    assert seen == {"before": "replica", "write": "default", "after": "default"}
    until = float(response.cookies[PIN_COOKIE].value)
    assert time.time() + 9 < until <= time.time() + 10.01
    assert response.cookies[PIN_COOKIE]["max-age"] == 10
    # The next requests of that browser read from the primary until the pin expires.
    assert _run("/tong-hop/", cookies={PIN_COOKIE: str(until)})[0]["before"] == "default"
    expired = {PIN_COOKIE: str(time.time() - 1)}
    assert _run("/tong-hop/", cookies=expired)[0]["before"] == "replica"
    assert _run("/tong-hop/", cookies={PIN_COOKIE: "rác"})[0]["before"] == "replica"


def test_unsafe_methods_never_read_the_replica_and_pin(replica):
    seen, response = _run("/cong-khai/dang-ky/", method="post")
    assert seen["before"] == "default"
    assert PIN_COOKIE in response.cookies


def test_without_a_replica_nothing_changes(settings):
    settings.LANTOA_READ_REPLICA = ""
    seen, response = _run("/cong-khai/", write=True)
    assert seen == {"before": "default", "write": "default", "after": "default"}
    assert PIN_COOKIE not in response.cookies


def test_writes_go_to_the_primary_even_for_objects_read_from_the_replica(replica):
    report = Report()
    report._state.db = "replica"
    assert router.db_for_write(Report, instance=report) == "default"
    assert router.allow_migrate("replica", "reports") is False
    assert router.allow_migrate("default", "reports") is True


def test_database_settings_from_the_environment(tmp_path):
    sqlite = databases_from_env({}, sqlite_path=tmp_path / "x.sqlite3")
    assert list(sqlite) == ["default"]
    assert sqlite["default"]["CONN_MAX_AGE"] == 0
    env = {
        "DATABASE_URL": "postgresql://u@db:5432/lantoa",
        "DATABASE_REPLICA_URL": "postgresql://u@replica:5432/lantoa",
        "LANTOA_DB_CONN_MAX_AGE": "120",
    }
    pg = databases_from_env(env, sqlite_path=tmp_path / "x.sqlite3")
    assert pg["default"]["HOST"] == "db" and pg["replica"]["HOST"] == "replica"
    for alias in ("default", "replica"):
        assert pg[alias]["CONN_MAX_AGE"] == 120
        assert pg[alias]["CONN_HEALTH_CHECKS"] is True
        assert pg[alias]["OPTIONS"]["options"] == (
            "-c jit=off -c plan_cache_mode=force_generic_plan"
        )
    assert pg["replica"]["TEST"] == {"MIRROR": "default"}
    jit = databases_from_env({**env, "LANTOA_DB_JIT": "1"}, sqlite_path=tmp_path / "x")
    assert jit["default"]["OPTIONS"]["options"] == "-c plan_cache_mode=force_generic_plan"
    plain = databases_from_env(
        {**env, "LANTOA_DB_JIT": "1", "LANTOA_DB_PREPARE": "0"}, sqlite_path=tmp_path / "x"
    )
    assert "options" not in plain["default"].get("OPTIONS", {})
