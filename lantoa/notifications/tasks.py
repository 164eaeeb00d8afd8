"""Scheduled jobs of the notifications app, run by the huey worker (`lantoa run_huey`)."""

from datetime import UTC

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from lantoa.notifications.services import reminders_send_due


def local_crontab(**fields):
    """A huey crontab read in Django's TIME_ZONE (Asia/Ho_Chi_Minh).

    Huey hands periodic tasks a naive UTC time when ``utc`` is on (its default), so a
    plain ``crontab(hour="7")`` would fire at 14:00 in Vietnam.
    """
    matches = crontab(**fields)

    def validate(moment):
        if HUEY.utc:
            moment = timezone.localtime(moment.replace(tzinfo=UTC)).replace(tzinfo=None)
        return matches(moment)

    return validate


@db_periodic_task(local_crontab(hour="7", minute="0"))
def send_due_reminders() -> int:
    """Every morning at 07:00: remind the units that have not submitted their report."""
    return reminders_send_due(today=timezone.localdate())
