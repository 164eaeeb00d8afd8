from collections.abc import Iterable

from django.db.models import Count

from lantoa.campaigns.models import Campaign
from lantoa.core.errors import NotFound
from lantoa.notifications.models import Notification, ReminderLog


def notifications_for_user(*, user):
    return Notification.objects.filter(user=user).select_related("unit")


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_get_for_user(user, notification_id) -> Notification:
    """A notice belongs to one user; anyone else gets 404."""
    try:
        return Notification.objects.get(pk=int(notification_id), user=user)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise NotFound


def reminder_counts(*, campaign: Campaign, unit_ids: Iterable[int]) -> dict[int, int]:
    """How many times each unit has been reminded for ``campaign`` (one query)."""
    ids = list(unit_ids)
    if not ids:
        return {}
    rows = (
        ReminderLog.objects.filter(campaign=campaign, unit_id__in=ids)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    return dict(rows)


def reminders_for_unit(*, campaign: Campaign, unit_id: int):
    return ReminderLog.objects.filter(campaign=campaign, unit_id=unit_id).select_related("sent_by")
