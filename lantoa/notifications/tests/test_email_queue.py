"""E-mail through the task queue against a real SMTP server (aiosmtpd) started by the test.

The server refuses the first attempt(s) with a temporary error; huey's retry (the real
schedule, driven here as the worker's scheduler would) delivers the message exactly once.
"""

import datetime
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from lantoa.notifications.emails import email_logs_purge, emails_sweep
from lantoa.notifications.models import (
    EmailMessageLog,
    EmailStatus,
    ReminderDelivery,
    ReminderLog,
)
from lantoa.notifications.selectors import reminder_counts
from lantoa.notifications.services import notify_user, reminder_run_request
from lantoa.notifications.tests.factories import make_campaign, set_deadline

FAR_FUTURE = datetime.datetime(9999, 1, 1)


@pytest.fixture
def week(demo):
    """Campaign 2026 (after the 2025 reform): the schools and centres of the new phường Bồ Đề
    report to the ward by 12/10/2026."""
    campaign = make_campaign(demo, 2026)
    set_deadline(campaign, demo.units["new_bode"], datetime.date(2026, 10, 12))
    return campaign


class FlakySMTP:
    """Answers 451 (try again later) to the first ``failures`` messages, then accepts."""

    def __init__(self, failures: int):
        self.failures = failures
        self.attempts = 0
        self.delivered: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.attempts <= self.failures:
            return "451 4.3.0 Tạm thời không nhận thư"
        self.delivered.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free local port; Django's SMTP backend pointed at it."""

    def start(failures: int) -> FlakySMTP:
        handler = FlakySMTP(failures)
        controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
        controller.start()
        servers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        return handler

    servers: list[Controller] = []
    yield start
    for controller in servers:
        controller.stop()


def run_scheduled_retries() -> int:
    """What the worker's scheduler does once the retry delays have passed."""
    ran = 0
    for _ in range(20):
        due = HUEY.read_schedule(FAR_FUTURE)
        if not due:
            return ran
        for task in due:
            HUEY.execute(task, timestamp=task.eta)  # the clock at the task's retry time
            ran += 1
    return ran


@pytest.fixture(autouse=True)
def _empty_schedule(request):
    if "demo" in request.fixturenames:
        # The demo's own messages were logged in the test's transaction (never committed).
        request.getfixturevalue("demo")
        EmailMessageLog.objects.all().delete()
    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()


@pytest.mark.django_db
def test_message_is_retried_after_smtp_failures_and_delivered_exactly_once(
    demo, smtp, django_capture_on_commit_callbacks
):
    server = smtp(failures=2)
    user = demo.users["cv.longbien"]
    with django_capture_on_commit_callbacks(execute=True):
        notify_user(user=user, kind="info", title="Thư thử", body="Nội dung", unit=None)
    log = EmailMessageLog.objects.get()
    # The first attempt ran on commit (tests run tasks at once) and was refused.
    assert (log.status, log.attempts) == (EmailStatus.QUEUED, 1)
    assert "451" in log.last_error
    assert server.delivered == []

    assert run_scheduled_retries() == 2
    log.refresh_from_db()
    assert (log.status, log.attempts) == (EmailStatus.SENT, 3)
    assert log.sent_at is not None and log.body == ""  # the body is not kept once sent
    assert server.attempts == 3
    assert len(server.delivered) == 1
    rcpts, content = server.delivered[0]
    assert rcpts == [user.email]
    assert "Nội dung".encode() in content

    # Running the same task again (a duplicate in the queue) sends nothing twice.
    from lantoa.notifications.tasks import send_email

    send_email(log.pk)
    assert len(server.delivered) == 1


@pytest.mark.django_db
def test_reminder_counts_only_when_its_email_is_delivered(
    demo, week, smtp, django_capture_on_commit_callbacks
):
    server = smtp(failures=10_000)  # SMTP down for good
    office = demo.units["new_bode"]
    with django_capture_on_commit_callbacks(execute=True):
        run = reminder_run_request(campaign=week, unit=office, user=demo.users["phuongmoi.bode"])
    run.refresh_from_db()
    assert run.reminded > 0
    run_scheduled_retries()
    giathuy = demo.units["th_giathuy"]
    reminder = ReminderLog.objects.get(campaign=week, unit=giathuy)
    emails = EmailMessageLog.objects.filter(reminder=reminder)
    assert emails and all(e.status == EmailStatus.FAILED for e in emails)
    assert all(e.attempts == 6 for e in emails)  # first try + 5 retries
    assert reminder.delivery == ReminderDelivery.FAILED
    assert giathuy.pk not in reminder_counts(campaign=week, unit_ids=[giathuy.pk])
    assert server.delivered == []

    # The office sees the failure and sends again once SMTP is back.
    server.failures = 0
    client_page = _office_client(demo)
    page = client_page.get(reverse("notifications:emails", args=[office.pk]))
    assert page.status_code == 200
    assert "gửi không thành công" in page.content.decode()
    failed = emails.first()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_page.post(
            reverse("notifications:email_retry", args=[office.pk, failed.pk])
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    reminder.refresh_from_db()
    assert failed.status == EmailStatus.SENT
    assert reminder.delivery == ReminderDelivery.DELIVERED
    assert reminder_counts(campaign=week, unit_ids=[giathuy.pk]) == {giathuy.pk: 1}
    assert len(server.delivered) == 1


def _office_client(demo):
    from lantoa.conftest import login_client

    return login_client("phuongmoi.bode")


@pytest.mark.django_db
def test_email_page_is_scoped_to_the_sending_office(demo, client_as, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    other = demo.units["ubnd_langson"]
    assert (
        client_as("cv.longbien").get(reverse("notifications:emails", args=[other.pk])).status_code
        == 404
    )
    log = EmailMessageLog.objects.create(
        sender_unit=other, to="a@example.org", subject="x", body="y", status=EmailStatus.FAILED
    )
    response = client_as("cv.longbien").post(
        reverse("notifications:email_retry", args=[demo.units["pgd_longbien"].pk, log.pk])
    )
    assert response.status_code == 404
    log.refresh_from_db()
    assert log.status == EmailStatus.FAILED


# The worker closes the connection around each task when not immediate (huey's close_db),
# which would end a wrapping test transaction on PostgreSQL: run this one in autocommit.
@pytest.mark.django_db(transaction=True)
def test_issuing_to_many_units_only_enqueues(demo, django_capture_on_commit_callbacks, settings):
    """Many recipients: the request logs the messages and hands them to the queue; with the
    queue not running them at once (the real setup), nothing is sent inside the request."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    HUEY.immediate = False
    try:
        from lantoa.notifications.services import notify_units
        from lantoa.units.models import Unit

        units = list(Unit.objects.all())
        for u in units:
            u.email = f"donvi{u.pk}@example.org"
        Unit.objects.bulk_update(units, ["email"])
        with django_capture_on_commit_callbacks(execute=True):
            notify_units(units=units, kind="document", title="Văn bản mới", body="…")
        logs = EmailMessageLog.objects.all()
        assert logs.count() >= len(units)  # well above the direct-enqueue threshold
        assert mail.outbox == []
        assert set(logs.values_list("status", flat=True)) == {EmailStatus.QUEUED}
        # One dispatch task per 500 messages, not one SMTP round trip per message.
        assert HUEY.pending_count() == 1
        # The worker: the dispatch task fans out one task per message, each sends one.
        HUEY.execute(HUEY.dequeue())
        assert HUEY.pending_count() == logs.count()
        while (task := HUEY.dequeue()) is not None:
            HUEY.execute(task)
        assert len(mail.outbox) == logs.count()
        assert all(len(m.to) == 1 for m in mail.outbox)
        assert set(logs.values_list("status", flat=True)) == {EmailStatus.SENT}
    finally:
        HUEY.immediate = True


@pytest.mark.django_db
def test_sweep_requeues_lost_messages_and_purge_blanks_personal_data(demo, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old = timezone.now() - timedelta(hours=3)
    lost = EmailMessageLog.objects.create(to="a@example.org", subject="s", body="b")
    EmailMessageLog.objects.filter(pk=lost.pk).update(updated_at=old)
    assert emails_sweep() == 1
    lost.refresh_from_db()
    assert lost.status == EmailStatus.SENT
    assert [m.to for m in mail.outbox] == [["a@example.org"]]

    settings.EMAIL_FILE_PATH = str(tmp_path)
    stale = tmp_path / "old.log"
    stale.write_text("To: a@example.org")
    fresh = tmp_path / "new.log"
    fresh.write_text("To: b@example.org")
    import os

    os.utime(stale, (0, 0))
    EmailMessageLog.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - timedelta(days=settings.LANTOA_EMAIL_LOG_RETENTION_DAYS + 1)
    )
    assert email_logs_purge() == 1
    lost.refresh_from_db()
    assert (lost.to, lost.subject, lost.body) == ("", "", "")
    assert not stale.exists() and fresh.exists()
