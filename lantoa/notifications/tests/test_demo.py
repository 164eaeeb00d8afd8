import pytest

from lantoa.notifications import demo as notifications_demo
from lantoa.notifications.models import Notification, ReminderKind, ReminderLog
from lantoa.notifications.selectors import reminder_counts
from lantoa.reports.selectors import completeness_for_unit


@pytest.mark.django_db
def test_demo_reminders_for_2023_are_logged_once(demo):
    campaign = demo.campaigns[2023]
    notifications_demo.build(demo)
    logs = ReminderLog.objects.filter(campaign=campaign)
    assert logs.filter(kind=ReminderKind.AUTO).exists()
    manual = logs.filter(kind=ReminderKind.MANUAL)
    assert manual.exists() and all(r.sent_by == demo.users["pgd.longbien"] for r in manual)
    assert all(r.sent_at.year == 2023 for r in logs)
    missing = completeness_for_unit(campaign=campaign, unit=demo.units["ubnd_longbien"])["missing"]
    counts = reminder_counts(campaign=campaign, unit_ids=[m["unit_id"] for m in missing])
    assert counts and max(counts.values()) >= 2  # "đã đôn đốc N lần" has something to show
    reminders = Notification.objects.filter(kind="reminder")
    assert reminders.exists() and not reminders.filter(read_at__isnull=True).exists()
    before = (logs.count(), reminders.count())
    notifications_demo.build(demo)
    assert (logs.count(), reminders.count()) == before
