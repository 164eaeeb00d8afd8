from lantoa.notifications.models import Notification


def notifications_for_user(*, user):
    return Notification.objects.filter(user=user).select_related("unit")


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
