"""Benchmarks: the daily reminder job on the national tree of ``reports.bench``.

Ours = ``reminders_send_due`` (finds the missing units, logs and notifies them); floor =
the national completeness list it starts from, so the ratio is the cost of the writes.
"""

import time
from datetime import date

from lantoa.core.bench import Row, best_of
from lantoa.notifications.models import ReminderLog
from lantoa.notifications.services import reminders_send_due
from lantoa.reports.bench import _world
from lantoa.reports.dashboards.bench import BENCHMARKS as DASHBOARD_BENCHMARKS
from lantoa.reports.selectors import completeness_for_unit


def notifications_reminders(ctx) -> list[Row]:
    w = _world(ctx)
    campaign, root = w["campaign"], w["root"]
    today = date(campaign.year, 10, 11)  # the day before the communes' schools are due
    floor = best_of(lambda: completeness_for_unit(campaign=campaign, unit=root), repeat=3)
    started = time.perf_counter()
    sent = reminders_send_due(today=today)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = reminders_send_due(today=today)
    second = time.perf_counter() - started
    logged = ReminderLog.objects.filter(campaign=campaign).count()
    assert again == 0 and logged == sent
    return [
        Row(
            f"notifications: daily reminders ({sent:,} units reminded)",
            first,
            floor,
            note="floor = national completeness list",
        ),
        Row(
            "notifications: same day again (idempotent, 0 sent)",
            second,
            floor,
            note="floor = national completeness list",
        ),
    ]


BENCHMARKS = [notifications_reminders, *DASHBOARD_BENCHMARKS]
