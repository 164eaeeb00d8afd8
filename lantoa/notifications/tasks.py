"""Tasks of the notifications app, run by the huey worker (`lantoa run_huey`): e-mail
(one task per message, retried with backoff) and the scheduled jobs."""

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from lantoa.core.jobs import local_crontab, recorded_job  # noqa: F401 (re-exported)
from lantoa.notifications.emails import email_deliver, email_logs_purge, emails_sweep
from lantoa.notifications.services import (
    reminder_run_execute,
    reminder_runs_sweep,
    reminders_send_due,
)


@db_task(
    retries=settings.LANTOA_EMAIL_RETRIES,
    retry_delay=settings.LANTOA_EMAIL_RETRY_DELAY,
    retry_backoff=2,
    context=True,
)
def send_email(log_id: int, task=None) -> str:
    """Send one logged e-mail; the last retry records it as failed."""
    return email_deliver(log_id=log_id, final=task is None or task.retries == 0)


@db_task()
def dispatch_emails(ids: list[int]) -> int:
    """Fan a batch of queued messages out into one task each (keeps requests short)."""
    for pk in ids:
        send_email(pk)
    return len(ids)


@db_task(retries=2, retry_delay=60, context=True)
def remind_missing_units(run_id: int, task=None) -> str:
    """An office's "remind all": the reminders, notices and e-mails of one run."""
    return reminder_run_execute(run_id=run_id, final=task is None or task.retries == 0)


@db_periodic_task(crontab(minute="*/10"))
@recorded_job("emails_sweep", "10 phút một lần")
def sweep_emails() -> int:
    """Re-enqueue e-mails the queue lost (worker killed mid-send, broker down at commit)."""
    return emails_sweep()


@db_periodic_task(crontab(minute="*/10"))
@recorded_job("reminder_runs_sweep", "10 phút một lần")
def sweep_reminder_runs() -> int:
    """Resume "remind all" runs the queue lost (worker killed, task lost)."""
    return reminder_runs_sweep()


@db_periodic_task(local_crontab(hour="3", minute="30"))
@recorded_job("email_logs_purge", "03:30 hằng ngày")
def purge_email_logs() -> int:
    """Blank e-mail addresses and bodies past their retention period."""
    return email_logs_purge()


@db_periodic_task(local_crontab(hour="7", minute="0"))
@recorded_job("reminders_send_due", "07:00 hằng ngày")
def send_due_reminders() -> int:
    """Every morning at 07:00: remind the units that have not submitted their report."""
    return reminders_send_due(today=timezone.localdate())
