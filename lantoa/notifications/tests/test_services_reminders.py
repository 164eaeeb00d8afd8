from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lantoa.accounts.models import Role, User
from lantoa.accounts.services import membership_set
from lantoa.history.models import HistoryEntry
from lantoa.notifications.models import (
    Notification,
    ReminderKind,
    ReminderLog,
    ReminderRun,
    ReminderRunStatus,
)
from lantoa.notifications.selectors import reminder_counts
from lantoa.notifications.services import (
    reminder_run_execute,
    reminder_run_request,
    reminder_runs_sweep,
    reminders_send_due,
)
from lantoa.notifications.tasks import local_crontab, send_due_reminders
from lantoa.notifications.tests.factories import make_campaign, set_deadline, submit
from lantoa.reports.selectors import completeness_for_unit

DUE = date(2026, 10, 12)
# The schools and community learning centres under the new phường Bồ Đề (2025 reform).
SCHOOLS = [
    "thcs_ngoclam",
    "th_giathuy",
    "th_ngocthuy",
    "htcd_01",
    "htcd_04",
    "htcd_07",
    "htcd_08",
]
OFFICE = "new_bode"


@pytest.fixture
def week(demo):
    """Campaign 2026 (after the 2025 reform): the schools and centres of the new phường Bồ
    Đề report to the ward by 12/10/2026; THCS Ngọc Lâm has already submitted."""
    campaign = make_campaign(demo, 2026)
    set_deadline(campaign, demo.units[OFFICE], DUE)
    submit(demo, "thcs.ngoclam", "thcs_ngoclam", campaign, {"lop_hoc": 3}, on=DUE - timedelta(5))
    # The demo's own 2023 reminder notices are not what these tests count.
    Notification.objects.all().delete()
    return campaign


def missing_ids(world, campaign):
    return {
        m["unit_id"]
        for m in completeness_for_unit(campaign=campaign, unit=world.units[OFFICE])["missing"]
    }


def logged(campaign, kind=ReminderKind.AUTO):
    return sorted(
        ReminderLog.objects.filter(campaign=campaign, kind=kind).values_list("unit_id", "sent_on")
    )


@pytest.mark.django_db
def test_reminders_go_to_the_missing_only_on_the_right_days(demo, week):
    u = demo.units
    missing = missing_ids(demo, week)
    assert u["thcs_ngoclam"].pk not in missing
    assert u["th_giathuy"].pk in missing
    sent_by_day = {}
    for offset in range(-6, 10):
        day = DUE + timedelta(days=offset)
        sent_by_day[offset] = reminders_send_due(today=day)
    # 3 and 1 days before, then daily after the deadline up to the limit (7 days).
    due_days = {-3, -1, 1, 2, 3, 4, 5, 6, 7}
    assert {o for o, n in sent_by_day.items() if n} == due_days
    assert all(sent_by_day[o] == len(missing) for o in due_days)
    rows = logged(week)
    assert {unit_id for unit_id, _ in rows} == missing
    assert len(rows) == len(missing) * len(due_days)
    assert u["thcs_ngoclam"].pk not in {unit_id for unit_id, _ in rows}


@pytest.mark.django_db
def test_reminders_are_not_sent_twice_the_same_day(demo, week, django_capture_on_commit_callbacks):
    day = DUE - timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders_send_due(today=day)
    sent_mail = len(mail.outbox)
    notices = Notification.objects.filter(kind="reminder").count()
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders_send_due(today=day)
    assert first == len(missing_ids(demo, week)) and second == 0
    assert len(mail.outbox) == sent_mail
    assert Notification.objects.filter(kind="reminder").count() == notices


@pytest.mark.django_db
def test_reminder_notice_and_email_reach_the_late_unit(
    demo, week, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_due(today=DUE + timedelta(days=2))
    giathuy = demo.users["th.giathuy"]
    notice = Notification.objects.get(user=giathuy, kind="reminder")
    assert "Đôn đốc nộp báo cáo" in notice.title and "2026" in notice.title
    assert "12/10/2026" in notice.body and "quá hạn 2 ngày" in notice.body
    assert notice.unit == demo.units["th_giathuy"]
    assert notice.url == reverse("reports:report", args=[week.pk, demo.units["th_giathuy"].pk])
    assert not Notification.objects.filter(user=demo.users["thcs.ngoclam"], kind="reminder")
    to = {address for m in mail.outbox for address in m.to}
    assert giathuy.email in to and "thgiathuy@hanoiedu.vn" in to
    assert demo.users["thcs.ngoclam"].email not in to
    assert "thcsngoclam@hanoiedu.vn" not in to


@pytest.mark.django_db
def test_reminder_before_the_deadline_says_how_many_days_are_left(demo, week):
    reminders_send_due(today=DUE - timedelta(days=3))
    notice = Notification.objects.filter(user=demo.users["th.giathuy"], kind="reminder").get()
    assert "còn 3 ngày" in notice.body


@pytest.mark.django_db
def test_submitting_stops_the_reminders(demo, week):
    assert reminders_send_due(today=DUE - timedelta(days=3)) == len(missing_ids(demo, week))
    submit(demo, "th.giathuy", "th_giathuy", week, {"lop_hoc": 1}, on=DUE - timedelta(days=2))
    reminders_send_due(today=DUE - timedelta(days=1))
    days = [d for unit_id, d in logged(week) if unit_id == demo.units["th_giathuy"].pk]
    assert days == [DUE - timedelta(days=3)]


@pytest.mark.django_db
def test_the_overdue_limit_is_configurable(demo, week, settings):
    settings.LANTOA_REMINDER_OVERDUE_DAYS = 2
    assert reminders_send_due(today=DUE + timedelta(days=2)) > 0
    assert reminders_send_due(today=DUE + timedelta(days=3)) == 0


@pytest.mark.django_db
def test_command_send_reminders(demo, week, capsys):
    call_command("send_reminders", "--date", (DUE - timedelta(days=1)).isoformat())
    assert f"Đã đôn đốc {len(missing_ids(demo, week))} đơn vị" in capsys.readouterr().out
    assert {d for _, d in logged(week)} == {DUE - timedelta(days=1)}


@pytest.mark.django_db
def test_command_rejects_a_bad_date(demo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Ngày không hợp lệ"):
        call_command("send_reminders", "--date", "12/10/2024")


@pytest.mark.django_db
def test_periodic_task_runs_the_service(demo):
    campaign = make_campaign(demo, 2025)
    set_deadline(campaign, demo.units["so_langson"], timezone.localdate() + timedelta(days=3))
    set_deadline(campaign, demo.units["pgd_ductrong"], timezone.localdate() + timedelta(days=3))
    # MemoryHuey in immediate mode: enqueuing the task runs it at once (periodic tasks
    # keep no result, so look at the log).
    send_due_reminders()
    assert ReminderLog.objects.filter(campaign=campaign, kind=ReminderKind.AUTO).exists()
    assert send_due_reminders.call_local() == 0  # idempotent the same day


def test_the_schedule_is_07_00_in_vietnam():
    validate = local_crontab(hour="7", minute="0")
    from huey.contrib.djhuey import HUEY

    def at(hour_local):
        moment = datetime(2024, 10, 9, hour_local, 0)
        if HUEY.utc:  # huey hands over naive UTC
            moment = (moment - timedelta(hours=7)).replace(tzinfo=None)
        return validate(moment)

    assert at(7) and not at(14) and not at(0)


# ---- one click -----------------------------------------------------------------------------


def remind_url(campaign, unit):
    return reverse("notifications:remind_missing", args=[campaign.pk, unit.pk])


@pytest.mark.django_db
def test_one_click_reminds_the_missing_units_of_the_subtree(
    demo, week, client_as, django_capture_on_commit_callbacks
):
    office = demo.units[OFFICE]
    client = client_as("phuongmoi.bode")
    missing = missing_ids(demo, week)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind_url(week, office), {"next": "/tong-hop/"})
    assert response.status_code == 302 and response.url == "/tong-hop/"
    run = ReminderRun.objects.get(campaign=week, unit=office)
    assert run.status == ReminderRunStatus.DONE
    assert (run.expected, run.reminded, run.skipped) == (len(missing), len(missing), 0)
    assert run.requested_by == demo.users["phuongmoi.bode"] and run.finished_at
    rows = ReminderLog.objects.filter(campaign=week, kind=ReminderKind.MANUAL)
    assert {r.unit_id for r in rows} == missing
    assert all(r.sent_by == demo.users["phuongmoi.bode"] and r.run == run for r in rows)
    assert "thgiathuy@hanoiedu.vn" in {a for m in mail.outbox for a in m.to}
    notice = Notification.objects.get(user=demo.users["th.giathuy"], kind="reminder")
    assert notice.body.startswith("UBND phường Bồ Đề đôn đốc:")
    entry = HistoryEntry.objects.get(action="remind", unit=office)
    assert entry.actor == demo.users["phuongmoi.bode"] and len(entry.after["unit_ids"]) == len(
        missing
    )
    # A second click the same day reminds nobody twice (nothing is queued).
    response = client.post(remind_url(week, office), HTTP_ACCEPT="application/json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "done" and body["expected"] == 0
    assert body["skipped"] == len(missing)
    assert "đã được đôn đốc hôm nay" in body["detail"]
    assert rows.count() == len(missing)


@pytest.mark.django_db
def test_one_click_json_and_htmx_answers_at_once(demo, week, client_as):
    """The request answers before the worker runs: "đang gửi nhắc nhở tới N đơn vị"."""
    office = demo.units[OFFICE]
    client = client_as("phuongmoi.bode")
    response = client.post(remind_url(week, office), HTTP_ACCEPT="application/json")
    body = response.json()
    n = len(missing_ids(demo, week))
    assert response.status_code == 202
    assert body["status"] == "queued" and body["expected"] == n and body["reminded"] == 0
    assert f"Đang gửi nhắc nhở tới {n} đơn vị" in body["detail"]
    assert body["progress_url"] == reverse("notifications:reminder_runs", args=[week.pk, office.pk])
    # The test transaction never commits, so the worker has not run: nothing written yet.
    assert not ReminderLog.objects.filter(campaign=week).exists()
    # A second click while the run waits gets the same run.
    response = client.post(remind_url(week, office), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Đang gửi nhắc nhở tới {n} đơn vị" in html and 'id="remind-progress"' in html
    assert ReminderRun.objects.filter(campaign=week, unit=office).count() == 1


@pytest.mark.django_db
def test_office_sees_progress_and_result(demo, week, client_as, django_capture_on_commit_callbacks):
    office = demo.units[OFFICE]
    client = client_as("phuongmoi.bode")
    url = reverse("notifications:reminder_runs", args=[week.pk, office.pk])
    queued = reminder_run_request(campaign=week, unit=office, user=demo.users["phuongmoi.bode"])
    page = client.get(url).content.decode()
    assert (
        f'id="run-{queued.pk}"' in page and "đang chờ" in page and 'hx-trigger="every 3s"' in page
    )
    reminder_run_execute(run_id=queued.pk)
    page = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "đã xong" in page and "every 3s" not in page and "<html" not in page
    assert timezone.localtime(queued.created_at).strftime("%d/%m/%Y %H:%M") in page
    assert client_as("pgd.thudaumot").get(url).status_code == 404


@pytest.mark.django_db
def test_a_retried_run_reminds_nobody_twice(demo, week):
    office = demo.units[OFFICE]
    run = reminder_run_request(campaign=week, unit=office, user=demo.users["phuongmoi.bode"])
    assert reminder_run_execute(run_id=run.pk) == "done"
    logs = ReminderLog.objects.filter(campaign=week).count()
    notices = Notification.objects.filter(kind="reminder").count()
    # The queue delivers the task again (a duplicate, or a retry after a lost ack).
    assert reminder_run_execute(run_id=run.pk) == "skipped"
    # Even re-queued by hand, a run skips every unit already reminded today.
    ReminderRun.objects.filter(pk=run.pk).update(status=ReminderRunStatus.QUEUED)
    assert reminder_run_execute(run_id=run.pk) == "done"
    assert ReminderLog.objects.filter(campaign=week).count() == logs
    assert Notification.objects.filter(kind="reminder").count() == notices
    run.refresh_from_db()
    assert run.reminded == logs and run.status == ReminderRunStatus.DONE


@pytest.mark.django_db
def test_a_stale_run_does_not_block_a_new_one(demo, week):
    office = demo.units[OFFICE]
    first = reminder_run_request(campaign=week, unit=office, user=demo.users["phuongmoi.bode"])
    ReminderRun.objects.filter(pk=first.pk).update(
        status=ReminderRunStatus.RUNNING, updated_at=timezone.now() - timedelta(hours=1)
    )
    second = reminder_run_request(campaign=week, unit=office, user=demo.users["phuongmoi.bode"])
    first.refresh_from_db()
    assert second.pk != first.pk and first.status == ReminderRunStatus.FAILED


@pytest.mark.django_db
def test_one_click_is_scoped(demo, week, client_as):
    office = demo.units[OFFICE]
    # Thủ Dầu Một cannot see Long Biên: 404, nothing logged.
    assert client_as("pgd.thudaumot").post(remind_url(week, office)).status_code == 404
    # A school may open its own unit only.
    assert client_as("thcs.ngoclam").post(remind_url(week, office)).status_code == 404
    unknown = reverse("notifications:remind_missing", args=[week.pk + 999, office.pk])
    assert client_as("phuongmoi.bode").post(unknown).status_code == 404
    assert client_as("phuongmoi.bode").get(remind_url(week, office)).status_code == 405
    assert not ReminderLog.objects.filter(campaign=week).exists()


@pytest.mark.django_db
def test_one_click_needs_an_editor(demo, week, client_as):
    viewer = User.objects.create_user("xem.longbien", password="hoctapsuotdoi")
    membership_set(user=viewer, unit=demo.units[OFFICE], role=Role.VIEWER)
    response = client_as("xem.longbien").post(
        remind_url(week, demo.units[OFFICE]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 403
    assert "đôn đốc" in response.json()["detail"]
    assert not ReminderLog.objects.filter(campaign=week).exists()


@pytest.mark.django_db
def test_a_higher_office_reminds_the_whole_subtree(demo, week, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = reminder_run_request(campaign=week, unit=demo.units["bo"], user=demo.users["bo.gddt"])
    assert set(run.reminders.values_list("unit_id", flat=True)) == missing_ids(demo, week)


# ---- counts and the "đã đôn đốc 2 lần" badge ----------------------------------------------


@pytest.mark.django_db
def test_reminder_counts_in_one_query(demo, week, django_capture_on_commit_callbacks):
    # The e-mails go out after commit (the task queue runs them at once in tests):
    # only delivered reminders count.
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_due(today=DUE - timedelta(days=3))
        reminders_send_due(today=DUE - timedelta(days=1))
        reminder_run_request(
            campaign=week, unit=demo.units[OFFICE], user=demo.users["phuongmoi.bode"]
        )
    ids = [demo.units[k].pk for k in SCHOOLS]
    with CaptureQueriesContext(connection) as queries:
        counts = reminder_counts(campaign=week, unit_ids=ids)
    assert len(queries) == 1
    assert counts[demo.units["th_giathuy"].pk] == 3
    assert demo.units["thcs_ngoclam"].pk not in counts
    html = render_to_string(
        "notifications/_reminded.html", {"count": counts[demo.units["th_giathuy"].pk]}
    )
    assert "đã đôn đốc 3 lần" in html
    assert render_to_string("notifications/_reminded.html", {"count": None}).strip() == ""
    assert reminder_counts(campaign=week, unit_ids=[]) == {}


# The worker closes the connection around each task when not immediate (huey's close_db),
# which would end a wrapping test transaction on PostgreSQL: run this one in autocommit.
@pytest.mark.django_db(transaction=True)
def test_remind_all_runs_on_the_worker_not_in_the_request(demo, week, client_as):
    """With the queue not running tasks at once (the real setup), the request writes the
    run only; the worker writes the reminders, notices and e-mails."""
    from huey.contrib.djhuey import HUEY

    office = demo.units[OFFICE]
    n = len(missing_ids(demo, week))
    HUEY.immediate = False
    try:
        response = client_as("phuongmoi.bode").post(
            remind_url(week, office), HTTP_ACCEPT="application/json"
        )
        assert response.status_code == 202 and response.json()["status"] == "queued"
        assert not ReminderLog.objects.filter(campaign=week).exists()
        assert not Notification.objects.filter(kind="reminder").exists()
        assert HUEY.pending_count() == 1
        HUEY.execute(HUEY.dequeue())
        run = ReminderRun.objects.get(campaign=week, unit=office)
        assert (run.status, run.reminded) == (ReminderRunStatus.DONE, n)
        assert ReminderLog.objects.filter(campaign=week, run=run).count() == n
        assert Notification.objects.filter(kind="reminder").exists()
    finally:
        HUEY.flush()
        HUEY.immediate = True


@pytest.mark.django_db
def test_the_sweep_resumes_runs_the_queue_lost(demo, week):
    """A worker killed mid-run (still "running" after 30 minutes) or a task lost (queued for
    10 minutes): the 10-minute sweep enqueues them again; they finish without reminding
    anyone twice."""
    office = demo.units[OFFICE]
    run = reminder_run_request(campaign=week, unit=office, user=demo.users["phuongmoi.bode"])
    ReminderRun.objects.filter(pk=run.pk).update(
        status=ReminderRunStatus.RUNNING, updated_at=timezone.now() - timedelta(minutes=40)
    )
    assert reminder_runs_sweep() == 0  # back to the queue, enqueued on a later sweep
    ReminderRun.objects.filter(pk=run.pk).update(updated_at=timezone.now() - timedelta(minutes=11))
    assert reminder_runs_sweep() == 1  # the queue runs it at once in tests
    run.refresh_from_db()
    assert run.status == ReminderRunStatus.DONE
    assert run.reminded == len(missing_ids(demo, week)) == run.reminders.count()
    assert reminder_runs_sweep() == 0
