"""Small builders for tests (through the services, like real callers)."""

from datetime import timedelta

from django.utils import timezone

from lantoa.activities import services


def activity_make(world, *, unit="thcs_ngoclam", user="admin", days=3, **fields):
    campaign = world.campaigns[max(world.campaigns)]
    starts = timezone.now() + timedelta(days=days)
    data = {
        "type": "lop_hoc",
        "title": "Lớp thử nghiệm",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "mode": "in_person",
        "location": "Hội trường",
        "capacity": 5,
        "public": True,
    }
    data.update(fields)
    return services.activity_create(
        user=world.users[user], campaign=campaign, unit=world.units[unit], **data
    )
