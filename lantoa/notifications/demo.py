"""Demo step: the 2023 reminders, as the daily job and the Long Biên office sent them.

Runs after ``lantoa.reports.demo`` (it reminds the units whose 2023 report is still
missing). Idempotent: reminders are unique per unit, kind and day.
"""

from datetime import datetime, time, timedelta

from django.db.models import Max
from django.utils import timezone

from lantoa.campaigns.models import ReportingDeadline
from lantoa.notifications.models import Notification, ReminderKind, ReminderLog
from lantoa.notifications.services import _missing_units, _remind, reminders_send_due

YEAR = 2023


def _at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _backdate(since_id: int, moment: datetime) -> None:
    """Notices created by a replayed day carry that day's time and are already read."""
    Notification.objects.filter(pk__gt=since_id, kind="reminder").update(
        created_at=moment, read_at=moment + timedelta(hours=2)
    )


def build(world) -> None:
    campaign = world.campaigns.get(YEAR)
    if campaign is None:
        return
    due_days = set(
        ReportingDeadline.objects.filter(campaign=campaign).values_list("due_on", flat=True)
    )
    days = sorted({due + timedelta(days=k) for due in due_days for k in (-3, -1, 1, 2)})
    for day in days:
        last = Notification.objects.aggregate(m=Max("id"))["m"] or 0
        reminders_send_due(today=day)
        _backdate(last, _at(day, 7))
    # The district office reminded its late units by hand the day after its deadline.
    office, user = world.units["ubnd_longbien"], world.users["pgd.longbien"]
    day = min(due_days) + timedelta(days=1)
    last = Notification.objects.aggregate(m=Max("id"))["m"] or 0
    _remind(
        campaign=campaign,
        missing=_missing_units(campaign=campaign, unit=office),
        kind=ReminderKind.MANUAL,
        today=day,
        user=user,
        office=office,
    )
    _backdate(last, _at(day, 9, 30))
    for kind, hour, minute in ((ReminderKind.AUTO, 7, 0), (ReminderKind.MANUAL, 9, 30)):
        for sent_on in (
            ReminderLog.objects.filter(campaign=campaign, kind=kind)
            .values_list("sent_on", flat=True)
            .distinct()
        ):
            ReminderLog.objects.filter(campaign=campaign, kind=kind, sent_on=sent_on).update(
                sent_at=_at(sent_on, hour, minute)
            )
