"""Benchmarks of the campaign dashboard's reads on the national tree of ``reports.bench``.

(``lantoa bench`` discovers ``bench`` modules of apps; the dashboards package is not an app,
so ``lantoa.notifications.bench`` lists these.) Year over year has a floor: the raw sum
over every counted value of the subtree and its succession terms (``year_over_year_raw``,
what it was before the administrative subtree totals), compared in full first; the other
reads are times only. The whole page
(``/tong-hop/``: session, scope, every read, the template) has an absolute budget:
500 ms for the ministry at scale 1.0 (issue 10), 100 ms for a province.
"""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from lantoa.core.bench import Row, best_of, request_row, same
from lantoa.reports.bench import _lines_world, _world, best_of_pair
from lantoa.reports.dashboards.selectors import (
    activities_by_type,
    reporting_timeline,
    year_over_year,
    year_over_year_raw,
)


def dashboards_reads(ctx) -> list[Row]:
    w = _world(ctx)
    _lines_world(ctx)  # the campaign's reporting tree, built from its issued plans
    campaign, root, province = w["campaign"], w["root"], w["province"]
    rows = []
    for label, unit in (("national", root), ("province", province)):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            ours = year_over_year(unit=unit)
            first = time.perf_counter() - started
        same(ours, year_over_year_raw(unit=unit), f"{label} year over year")
        assert ours["rows"], f"{label} year over year: nothing to compare"
        best_ours, best_floor = best_of_pair(
            lambda unit=unit: year_over_year(unit=unit),
            lambda unit=unit: year_over_year_raw(unit=unit),
            repeat=3,
        )
        rows.append(
            Row(
                f"dashboards: {label} year over year",
                best_ours,
                best_floor,
                note=f"{len(queries)} queries; first run {first * 1000:.0f} ms; "
                "floor: the raw sum over the values",
                budget_ms=500 if label == "national" else 100,
            )
        )
        for name, fn in (
            (
                "reporting timeline",
                lambda unit=unit: reporting_timeline(campaign=campaign, unit=unit),
            ),
            (
                "activities by type",
                lambda unit=unit: activities_by_type(campaign=campaign, unit=unit),
            ),
        ):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                fn()
                first = time.perf_counter() - started
            rows.append(
                Row(
                    f"dashboards: {label} {name}",
                    best_of(fn, repeat=3),
                    note=f"{len(queries)} queries; first run {first * 1000:.0f} ms",
                    budget_ms=500 if label == "national" else 100,
                )
            )
    return rows


def dashboards_page(ctx) -> list[Row]:
    from django.conf import settings
    from django.test import Client, override_settings

    from lantoa.accounts.models import User

    w = _world(ctx)
    _lines_world(ctx)
    user = User.objects.filter(username="bench.dashboard").first()
    if user is None:
        user = User.objects.create_superuser("bench.dashboard", "dashboard@lantoa.local", None)
    client = Client()
    client.force_login(user)
    # The bench runs without collectstatic: plain static URLs (no manifest to look up).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        return _page_rows(client, w)


def _page_rows(client, w) -> list[Row]:
    from django.urls import reverse

    return [
        request_row(
            client,
            reverse("dashboards:campaign") + f"?campaign={w['campaign'].pk}&unit={unit.pk}",
            f"dashboards: {label} dashboard page (GET /tong-hop/)",
            budget_ms=budget,
            note="whole page",
        )
        for label, unit, budget in (("national", w["root"], 500), ("province", w["province"], 100))
    ]


BENCHMARKS = [dashboards_reads, dashboards_page]
