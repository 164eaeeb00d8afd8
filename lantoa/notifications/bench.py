# ruff: noqa: S608 — the floor is hand-written SQL; only placeholders are interpolated
"""Benchmarks: the daily reminder job on the national tree of ``reports.bench``.

Ours = ``reminders_send_due`` (finds the units that have not reported and are due a
reminder, logs one reminder each, notifies their people, logs and enqueues their e-mails).
Floor = the same writes in hand-written, set-based SQL: one ``INSERT … SELECT`` of the
reminders straight from the expected-units statement of ``reports.bench`` (missing and due
that day, ``ON CONFLICT DO NOTHING`` for the once-a-day rule), one of the notices, one of the
e-mails (members' and the unit's own addresses, once per unit), the delivered mark for units
without an address, and the same enqueue. Reminded units, notices and e-mails are compared
in full before the timings count.
"""

import time
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from lantoa.accounts.models import ROLE_RANK, Membership, Role, User
from lantoa.core.bench import Row, same
from lantoa.notifications.emails import emails_dispatch
from lantoa.notifications.models import (
    EmailMessageLog,
    Notification,
    ReminderKind,
    ReminderLog,
    ReminderRunStatus,
)
from lantoa.notifications.services import (
    reminder_run_execute,
    reminder_run_request,
    reminders_send_due,
)
from lantoa.reports.bench import Y_COUNTED, _expected_cte, _range, _world
from lantoa.reports.dashboards.bench import BENCHMARKS as DASHBOARD_BENCHMARKS
from lantoa.reports.lines.selectors import completeness_by_line

FLOOR = "reminder-floor"  # the floor's notices and e-mails, told apart from ours
PEOPLE_EVERY = 7  # one editor for every 7th school


def _people(ctx, root) -> None:
    """Addresses for every school and an editor for some, so that notices and e-mails are
    written (the reports world has neither)."""
    if "notifications_people" in ctx.cache:
        return
    where, params = _range("path", root.path)
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE units_unit SET email = 'donvi' || id || '@bench.lantoa.local' "
            f"WHERE {where} AND depth = 4",
            params,
        )
        cur.execute(f"SELECT id FROM units_unit WHERE {where} AND depth = 4 ORDER BY id", params)
        school_ids = [r[0] for r in cur.fetchall()][::PEOPLE_EVERY]
    users = User.objects.bulk_create(
        [
            User(username=f"bench.remind.{pk}", email=f"cb{pk}@bench.lantoa.local")
            for pk in school_ids
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, unit_id=pk, role=Role.EDITOR)
            for u, pk in zip(users, school_ids, strict=True)
        ],
        batch_size=2000,
    )
    ctx.cache["notifications_people"] = True


def _raw_remind(campaign, root, today: date) -> list[int]:
    before = tuple(settings.LANTOA_REMINDER_DAYS_BEFORE)
    overdue = settings.LANTOA_REMINDER_OVERDUE_DAYS
    due_days = [today + timedelta(days=d) for d in before]
    cte, params = _expected_cte(root, campaign.pk)
    now = timezone.now()
    kind = ReminderKind.MANUAL
    run = [campaign.pk, kind, today, now]
    roles = [r for r, rank in ROLE_RANK.items() if rank >= ROLE_RANK[Role.EDITOR]]
    logged = (
        "FROM notifications_reminderlog rl WHERE rl.campaign_id = %s AND rl.kind = %s "
        "AND rl.sent_on = %s AND rl.sent_at = %s"
    )
    people = (
        "FROM notifications_reminderlog rl "
        "JOIN accounts_membership m ON m.unit_id = rl.unit_id AND m.is_active "
        f"AND m.role IN ({','.join(['%s'] * len(roles))}) "
        "JOIN accounts_user p ON p.id = m.user_id AND p.is_active "
        "WHERE rl.campaign_id = %s AND rl.kind = %s AND rl.sent_on = %s AND rl.sent_at = %s"
    )
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            cte + "INSERT INTO notifications_reminderlog (created_at, updated_at, campaign_id, "
            "unit_id, kind, sent_on, sent_at, due_on, delivery) "
            "SELECT %s, %s, %s, y.id, %s, %s, %s, y.due_on, 'pending' FROM y "
            f"WHERE (y.state IS NULL OR NOT ({Y_COUNTED})) "
            f"AND (y.due_on IN ({','.join(['%s'] * len(due_days))}) OR y.due_on BETWEEN %s AND %s) "
            "ON CONFLICT DO NOTHING RETURNING unit_id",
            [
                *params,
                now,
                now,
                campaign.pk,
                kind,
                today,
                now,
                *due_days,
                today - timedelta(days=overdue),
                today - timedelta(days=1),
            ],
        )
        reminded = sorted(r[0] for r in cur.fetchall())
        cur.execute(
            "INSERT INTO notifications_notification (user_id, unit_id, kind, title, body, url, "
            f"created_at) SELECT m.user_id, rl.unit_id, %s, %s, %s, '/bao-cao/', %s {people}",
            [FLOOR, "Đôn đốc nộp báo cáo", "Đơn vị chưa nộp báo cáo.", now, *roles, *run],
        )
        cur.execute(
            "INSERT INTO notifications_emailmessagelog (created_at, updated_at, sender_unit_id, "
            'recipient_unit_id, reminder_id, kind, "to", subject, body, status, attempts, '
            "last_error) SELECT %s, %s, %s, a.unit_id, a.id, %s, a.addr, %s, %s, 'queued', 0, '' "
            f"FROM (SELECT rl.id, rl.unit_id, p.email AS addr {people} AND p.email <> '' "
            "UNION SELECT rl.id, rl.unit_id, un.email "
            f"{logged.replace('WHERE', 'JOIN units_unit un ON un.id = rl.unit_id WHERE')} "
            "AND un.email <> '') a RETURNING id",
            [now, now, campaign.owner_unit_id, FLOOR, "Đôn đốc", "…", *roles, *run, *run],
        )
        ids = [r[0] for r in cur.fetchall()]
        cur.execute(
            f"UPDATE notifications_reminderlog SET delivery = 'delivered', delivered_at = %s "
            f"WHERE id IN (SELECT rl.id {logged}) AND id NOT IN (SELECT reminder_id "
            "FROM notifications_emailmessagelog WHERE reminder_id IS NOT NULL AND kind = %s)",
            [now, *run, FLOOR],
        )
        transaction.on_commit(lambda: emails_dispatch(ids=ids))
    return reminded


def _written(campaign, today: date, kind: str, mark: str) -> tuple:
    units = sorted(
        ReminderLog.objects.filter(campaign=campaign, kind=kind, sent_on=today).values_list(
            "unit_id", flat=True
        )
    )
    notices = sorted(Notification.objects.filter(kind=mark).values_list("user_id", "unit_id"))
    emails = sorted(
        EmailMessageLog.objects.filter(kind=mark, recipient_unit_id__in=units).values_list(
            "recipient_unit_id", "to"
        )
    )
    return units, notices, emails


def notifications_reminders(ctx) -> list[Row]:
    w = _world(ctx)
    campaign, root = w["campaign"], w["root"]
    _people(ctx, root)
    today = date(campaign.year, 10, 11)  # the day before the communes' schools are due
    # The campaign's reporting tree is built on first use: not part of the daily job's time.
    completeness_by_line(campaign=campaign, unit=root, missing_limit=None)
    started = time.perf_counter()
    sent = reminders_send_due(today=today)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = reminders_send_due(today=today)
    second = time.perf_counter() - started
    ours = _written(campaign, today, ReminderKind.AUTO, "reminder")
    assert again == 0 and len(ours[0]) == sent
    # The floor writes its rows as manual reminders of the same day (no clash with ours).
    started = time.perf_counter()
    floor_ids = _raw_remind(campaign, root, today)
    floor = time.perf_counter() - started
    theirs = _written(campaign, today, ReminderKind.MANUAL, FLOOR)
    same(floor_ids, theirs[0], "reminders: floor's returned units")
    same(ours[0], theirs[0], "reminders: units reminded")
    same(ours[1], theirs[1], "reminders: notices (user, unit)")
    same(ours[2], theirs[2], "reminders: e-mails (unit, address)")
    started = time.perf_counter()
    assert _raw_remind(campaign, root, today) == []  # the same day again: nothing
    floor_again = time.perf_counter() - started
    n_notices, n_emails = len(ours[1]), len(ours[2])
    return [
        Row(
            f"notifications: daily reminders ({sent:,} units reminded)",
            first,
            floor,
            target=3,
            budget_ms=5000,
            note=f"{n_notices:,} notices, {n_emails:,} e-mails queued; floor = set-based "
            "INSERT … SELECT; units, notices and e-mails compared in full",
        ),
        Row(
            "notifications: same day again (idempotent, 0 sent)",
            second,
            floor_again,
            target=3,
            note="floor = the same statements inserting nothing (ON CONFLICT DO NOTHING)",
        ),
    ]


def notifications_remind_all(ctx) -> list[Row]:
    """An office's "remind all" on the whole national tree: what the request costs (count
    the missing units, store the run; the worker is not waited for) and the worker's run."""
    w = _world(ctx)
    campaign, root = w["campaign"], w["root"]
    _people(ctx, root)
    office_user = User.objects.filter(username="bench.remind.office").first()
    if office_user is None:
        office_user = User.objects.create_user("bench.remind.office", "vp@bench.lantoa.local")
        Membership.objects.create(user=office_user, unit=root, role=Role.EDITOR)
    started = time.perf_counter()
    with transaction.atomic():
        run = reminder_run_request(campaign=campaign, unit=root, user=office_user)
    request = time.perf_counter() - started
    started = time.perf_counter()
    reminder_run_execute(run_id=run.pk)
    worker = time.perf_counter() - started
    run.refresh_from_db()
    assert run.status == ReminderRunStatus.DONE and run.reminded == run.expected, run
    return [
        Row(
            f"notifications: remind all, request ({run.expected:,} units to remind)",
            request,
            budget_ms=2000,
            note="answers at once; the worker reminds them",
        ),
        Row(
            f"notifications: remind all, worker run ({run.reminded:,} units)",
            worker,
            note="reminders, notices and e-mails, 500 units per transaction",
        ),
    ]


BENCHMARKS = [notifications_reminders, notifications_remind_all, *DASHBOARD_BENCHMARKS]
