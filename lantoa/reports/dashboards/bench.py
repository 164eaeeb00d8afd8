"""Benchmarks of the campaign dashboard's reads on the national tree of ``reports.bench``.

(``lantoa bench`` discovers ``bench`` modules of apps; the dashboards package is not an app,
so ``lantoa.notifications.bench`` lists these.) Times only: each read is the single
aggregate the page runs, there is no hand-written twin to compare with.
"""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from lantoa.core.bench import Row, best_of
from lantoa.reports.bench import _world
from lantoa.reports.dashboards.selectors import (
    activities_by_type,
    reporting_timeline,
    year_over_year,
)


def dashboards_reads(ctx) -> list[Row]:
    w = _world(ctx)
    campaign, root, province = w["campaign"], w["root"], w["province"]
    rows = []
    for label, unit in (("national", root), ("province", province)):
        for name, fn in (
            (
                "reporting timeline",
                lambda unit=unit: reporting_timeline(campaign=campaign, unit=unit),
            ),
            ("year over year", lambda unit=unit: year_over_year(unit=unit)),
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


BENCHMARKS = [dashboards_reads]
