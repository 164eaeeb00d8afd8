# ruff: noqa: S608 — the floor is hand-written SQL; only placeholders are interpolated
"""Benchmarks: the daily reminder job on the national tree of ``reports.bench``.

Ours = ``reminders_send_due`` (finds the units that have not reported and are due a
reminder, logs one reminder each, notifies their people, queues their e-mails). Floor = the
same work in hand-written SQL: the missing units with their deadlines in one statement,
the due ones picked by date arithmetic, their people looked up, the reminder rows written
with one multi-row INSERT per chunk. The two reminded sets are compared in full.
"""

import time
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from lantoa.core.bench import Row, same
from lantoa.notifications.models import ReminderKind, ReminderLog
from lantoa.notifications.services import reminders_send_due
from lantoa.reports.bench import _world, raw_completeness
from lantoa.reports.dashboards.bench import BENCHMARKS as DASHBOARD_BENCHMARKS

CHUNK = 500


def _raw_remind(campaign, root, today: date, kind: str) -> list[int]:
    before = tuple(settings.LANTOA_REMINDER_DAYS_BEFORE)
    overdue = settings.LANTOA_REMINDER_OVERDUE_DAYS
    _counts, missing = raw_completeness(campaign.pk, root)
    due = []
    for unit_id, _name, due_on in missing:
        if due_on is None:
            continue
        if isinstance(due_on, str):
            due_on = date.fromisoformat(due_on)
        left = (due_on - today).days
        if left in before or -overdue <= left < 0:
            due.append((unit_id, due_on))
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cur:
        for start in range(0, len(due), CHUNK):
            part = due[start : start + CHUNK]
            marks = ",".join(["%s"] * len(part))
            cur.execute(
                "SELECT m.unit_id, m.user_id, u.email FROM accounts_membership m "
                "JOIN accounts_user u ON u.id = m.user_id "
                f"WHERE m.is_active AND u.is_active AND m.unit_id IN ({marks})",
                [unit_id for unit_id, _d in part],
            )
            cur.fetchall()
            rows = ",".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(part))
            params = []
            for unit_id, due_on in part:
                params += [now, now, campaign.pk, unit_id, kind, today, now, due_on, "delivered"]
            cur.execute(
                "INSERT INTO notifications_reminderlog (created_at, updated_at, campaign_id, "
                "unit_id, kind, sent_on, sent_at, due_on, delivery) VALUES " + rows,
                params,
            )
    return sorted(unit_id for unit_id, _d in due)


def notifications_reminders(ctx) -> list[Row]:
    w = _world(ctx)
    campaign, root = w["campaign"], w["root"]
    today = date(campaign.year, 10, 11)  # the day before the communes' schools are due
    started = time.perf_counter()
    sent = reminders_send_due(today=today)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = reminders_send_due(today=today)
    second = time.perf_counter() - started
    ours = sorted(
        ReminderLog.objects.filter(
            campaign=campaign, kind=ReminderKind.AUTO, sent_on=today
        ).values_list("unit_id", flat=True)
    )
    assert again == 0 and len(ours) == sent
    # The floor writes its rows as manual reminders of the same day (no clash with ours).
    started = time.perf_counter()
    floor_ids = _raw_remind(campaign, root, today, ReminderKind.MANUAL)
    floor = time.perf_counter() - started
    same(ours, floor_ids, "reminders: units reminded")
    started = time.perf_counter()
    _raw_remind(campaign, root, today - timedelta(days=365), ReminderKind.MANUAL)
    floor_again = time.perf_counter() - started
    return [
        Row(
            f"notifications: daily reminders ({sent:,} units reminded)",
            first,
            floor,
            target=3,
            budget_ms=5000,
            note="floor = missing units + people + multi-row INSERT, in SQL",
        ),
        Row(
            "notifications: same day again (idempotent, 0 sent)",
            second,
            floor_again,
            target=3,
            note="floor = the same statements finding nothing due",
        ),
    ]


BENCHMARKS = [notifications_reminders, *DASHBOARD_BENCHMARKS]
