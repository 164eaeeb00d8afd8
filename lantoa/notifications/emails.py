"""E-mail through the task queue: one logged message per address, sent by the worker.

``emails_queue`` stores an ``EmailMessageLog`` per address in the caller's transaction and,
once it commits, hands the ids to the queue (one dispatch task per 500 ids, so issuing to
thousands of units costs the request a single enqueue). ``email_deliver`` is what the
worker runs for one message: it claims the row (so a message is never sent twice), sends
it through Django's e-mail backend and records the outcome; on failure huey retries it
with exponential backoff (``LANTOA_EMAIL_RETRIES``, ``LANTOA_EMAIL_RETRY_DELAY``) and the
last attempt marks it failed, visible to the sending office (``notifications:emails``).
Nothing here logs an address: errors name the message id only.
"""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lantoa.core.errors import Conflict, PermissionDeniedError
from lantoa.notifications.models import (
    EmailMessageLog,
    EmailStatus,
    ReminderDelivery,
    ReminderLog,
)
from lantoa.notifications.permissions import can_retry_email

logger = logging.getLogger(__name__)

DUMMY_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DISPATCH_CHUNK = 500
STALE_SENDING = timedelta(minutes=30)
STALE_QUEUED = timedelta(hours=2)


class EmailNotSent(Exception):
    """Raised to the task queue so it retries; carries no address."""


@dataclass(frozen=True)
class Draft:
    to: str
    subject: str
    body: str
    recipient_unit_id: int | None = None
    reminder_id: int | None = None


def emails_queue(*, drafts: Iterable[Draft], kind: str, sender=None) -> list[int]:
    """Log one message per draft now; enqueue them once the transaction commits."""
    rows = [
        EmailMessageLog(
            sender_unit=sender,
            recipient_unit_id=d.recipient_unit_id,
            reminder_id=d.reminder_id,
            kind=kind[:50],
            to=d.to.strip()[:254],
            subject=" ".join(d.subject.split())[:255],
            body=d.body,
        )
        for d in drafts
        if d.to and d.to.strip()
    ]
    if not rows:
        return []
    logs = EmailMessageLog.objects.bulk_create(rows, batch_size=DISPATCH_CHUNK)
    ids = [log.pk for log in logs]
    transaction.on_commit(lambda: emails_dispatch(ids=ids))
    return ids


def emails_dispatch(*, ids: list[int]) -> None:
    """Hand queued messages to the task queue (called after commit, and by the sweep)."""
    if not ids:
        return
    if settings.EMAIL_BACKEND == DUMMY_BACKEND:
        # The dummy backend sends nothing and reports success (the demo builds with it):
        # record that here rather than queueing real-looking addresses for a later worker.
        now = timezone.now()
        EmailMessageLog.objects.filter(pk__in=ids, status=EmailStatus.QUEUED).update(
            status=EmailStatus.SENT, sent_at=now, body=""
        )
        _reminders_delivered(
            EmailMessageLog.objects.filter(pk__in=ids, reminder__isnull=False).values("reminder")
        )
        return
    from lantoa.notifications.tasks import dispatch_emails, send_email

    try:
        if len(ids) <= 20:
            for pk in ids:
                send_email(pk)
        else:
            for start in range(0, len(ids), DISPATCH_CHUNK):
                dispatch_emails(ids[start : start + DISPATCH_CHUNK])
    except Exception as exc:  # the queue is down: the messages stay queued for the sweep
        logger.warning(
            "Could not enqueue %d e-mail(s) (%s); the sweep will retry", len(ids), type(exc)
        )


def _reminders_delivered(reminder_ids) -> None:
    ReminderLog.objects.filter(pk__in=reminder_ids).exclude(
        delivery=ReminderDelivery.DELIVERED
    ).update(delivery=ReminderDelivery.DELIVERED, delivered_at=timezone.now())


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def email_deliver(*, log_id: int, final: bool) -> str:
    """Send one logged message (the worker's job). Returns "sent" or "skipped"; raises
    EmailNotSent when the backend failed (the queue retries unless ``final``)."""
    now = timezone.now()
    claimed = EmailMessageLog.objects.filter(pk=log_id, status=EmailStatus.QUEUED).update(
        status=EmailStatus.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    if not claimed:
        return "skipped"  # already sent, being sent, failed for good, or deleted
    log = EmailMessageLog.objects.get(pk=log_id)
    message = EmailMessage(
        subject=log.subject, body=log.body, from_email=settings.DEFAULT_FROM_EMAIL, to=[log.to]
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        status = EmailStatus.FAILED if final else EmailStatus.QUEUED
        EmailMessageLog.objects.filter(pk=log_id).update(
            status=status, last_error=_error_text(exc), updated_at=timezone.now()
        )
        if final and log.reminder_id:
            _reminder_failed_if_nothing_left(log.reminder_id)
        raise EmailNotSent(
            f"E-mail {log_id}: attempt {log.attempts} failed ({type(exc).__name__})"
        ) from None
    EmailMessageLog.objects.filter(pk=log_id).update(
        status=EmailStatus.SENT, sent_at=timezone.now(), body="", updated_at=timezone.now()
    )
    if log.reminder_id:
        _reminders_delivered([log.reminder_id])
    return "sent"


def _reminder_failed_if_nothing_left(reminder_id: int) -> None:
    alive = EmailMessageLog.objects.filter(
        reminder_id=reminder_id,
        status__in=[EmailStatus.QUEUED, EmailStatus.SENDING, EmailStatus.SENT],
    ).exists()
    if not alive:
        ReminderLog.objects.filter(pk=reminder_id, delivery=ReminderDelivery.PENDING).update(
            delivery=ReminderDelivery.FAILED
        )


def email_retry(*, log: EmailMessageLog, user) -> EmailMessageLog:
    """The sending office sends a failed message again (the body is kept until sent)."""
    if not can_retry_email(user, log.sender_unit):
        raise PermissionDeniedError(_("Chỉ đơn vị gửi mới được gửi lại thư này."))
    if log.status != EmailStatus.FAILED or not log.to:
        raise Conflict(_("Chỉ gửi lại được thư gửi không thành công và chưa bị xóa dữ liệu."))
    with transaction.atomic():
        changed = EmailMessageLog.objects.filter(pk=log.pk, status=EmailStatus.FAILED).update(
            status=EmailStatus.QUEUED, updated_at=timezone.now()
        )
        if not changed:
            raise Conflict(_("Thư này vừa được gửi lại. Vui lòng tải lại trang."))
        if log.reminder_id:
            ReminderLog.objects.filter(pk=log.reminder_id, delivery=ReminderDelivery.FAILED).update(
                delivery=ReminderDelivery.PENDING
            )
        transaction.on_commit(lambda: emails_dispatch(ids=[log.pk]))
    log.refresh_from_db()
    return log


def emails_sweep(*, now=None) -> int:
    """Re-enqueue messages the queue lost (enqueue failed, worker killed mid-send)."""
    now = now or timezone.now()
    stuck_sending = EmailMessageLog.objects.filter(
        status=EmailStatus.SENDING, updated_at__lt=now - STALE_SENDING
    )
    stuck_sending.update(status=EmailStatus.QUEUED, updated_at=now)
    ids = list(
        EmailMessageLog.objects.filter(
            status=EmailStatus.QUEUED, updated_at__lt=now - STALE_QUEUED
        ).values_list("pk", flat=True)[:5000]
    )
    EmailMessageLog.objects.filter(pk__in=ids).update(updated_at=now)
    emails_dispatch(ids=ids)
    return len(ids)


def email_logs_purge(*, now=None) -> int:
    """Blank addresses, subjects and bodies of messages older than the retention period,
    and delete the file backend's copies (personal data). Returns the rows blanked."""
    now = now or timezone.now()
    days = settings.LANTOA_EMAIL_LOG_RETENTION_DAYS
    blanked = (
        EmailMessageLog.objects.filter(created_at__lt=now - timedelta(days=days))
        .exclude(to="", body="", subject="")
        .update(to="", subject="", body="")
    )
    folder = getattr(settings, "EMAIL_FILE_PATH", None)
    if folder and Path(folder).is_dir():
        limit = time.time() - settings.LANTOA_EMAIL_FILE_RETENTION_DAYS * 86400
        for path in Path(folder).iterdir():
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
    return blanked
