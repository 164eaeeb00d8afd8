from collections.abc import Iterable

from django.db.models import Count

from lantoa.campaigns.models import Campaign
from lantoa.core.errors import NotFound
from lantoa.notifications.models import (
    EmailMessageLog,
    EmailStatus,
    Notification,
    ReminderDelivery,
    ReminderLog,
)
from lantoa.units.models import subtree_q


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
    """How many reminders reached each unit for ``campaign`` (one query); reminders whose
    e-mails are still queued or failed do not count."""
    ids = list(unit_ids)
    if not ids:
        return {}
    rows = (
        ReminderLog.objects.filter(
            campaign=campaign, unit_id__in=ids, delivery=ReminderDelivery.DELIVERED
        )
        .order_by()
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    return dict(rows)


def reminders_for_unit(*, campaign: Campaign, unit_id: int):
    return ReminderLog.objects.filter(campaign=campaign, unit_id=unit_id).select_related("sent_by")


def emails_for_office(*, unit, status: str | None = None):
    """E-mails sent on behalf of ``unit`` or any unit below it (the office's own page)."""
    qs = EmailMessageLog.objects.filter(subtree_q(unit.path, "sender_unit__path")).select_related(
        "recipient_unit"
    )
    if status in EmailStatus.values:
        qs = qs.filter(status=status)
    return qs


def email_status_counts(*, unit) -> dict[str, int]:
    rows = (
        EmailMessageLog.objects.filter(subtree_q(unit.path, "sender_unit__path"))
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    counts = dict.fromkeys(EmailStatus.values, 0)
    counts.update(dict(rows))
    return counts


def email_get_for_office(*, unit, log_id) -> EmailMessageLog:
    try:
        return emails_for_office(unit=unit).select_related("sender_unit").get(pk=int(log_id))
    except (EmailMessageLog.DoesNotExist, ValueError, TypeError):
        raise NotFound


def mask_address(address: str) -> str:
    """n***@domain: enough for an office to recognise a recipient, not to harvest it."""
    if "@" not in address:
        return address[:1] + "***" if address else ""
    local, domain = address.rsplit("@", 1)
    return f"{local[:1]}***@{domain}"
