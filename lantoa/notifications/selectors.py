from collections.abc import Iterable

from django.db.models import Count
from django.utils.translation import gettext as _

from lantoa.accounts.selectors import unit_get_for_user
from lantoa.campaigns.models import Campaign
from lantoa.core.errors import NotFound
from lantoa.notifications.models import (
    EmailMessageLog,
    EmailStatus,
    Notification,
    ReminderDelivery,
    ReminderLog,
    ReminderRun,
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


def reminder_runs_for_office(*, campaign: Campaign, unit):
    """The office's "remind all" runs for ``campaign``, newest first (one query)."""
    return ReminderRun.objects.filter(campaign=campaign, unit=unit).select_related("requested_by")


def reminder_run_get_for_user(user, run_id) -> ReminderRun:
    """A run is seen by whoever sees the office that asked for it; anyone else gets 404."""
    try:
        run = ReminderRun.objects.select_related("campaign", "unit", "requested_by").get(
            pk=int(run_id)
        )
    except (ReminderRun.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound
    unit_get_for_user(user, run.unit_id)
    return run


def reminder_run_state(run: ReminderRun) -> dict:
    """A run as JSON, read afresh (the page's JSON answer and the API)."""
    run.refresh_from_db()
    return {
        "id": run.pk,
        "campaign_id": run.campaign_id,
        "unit_id": run.unit_id,
        "status": run.status,
        "expected": run.expected,
        "reminded": run.reminded,
        "skipped": run.skipped,
        "requested_at": run.created_at,
        "finished_at": run.finished_at,
    }


def reminder_run_text(run: ReminderRun) -> str:
    """What the office is told when it clicks "remind all" (page, htmx, JSON, API)."""
    if run.expected:
        text = _("Đang gửi nhắc nhở tới %(n)s đơn vị chưa nộp báo cáo.") % {"n": run.expected}
    else:
        text = _("Không có đơn vị nào cần đôn đốc thêm hôm nay.")
    if run.skipped:
        text += " " + _("%(n)s đơn vị đã được đôn đốc hôm nay nên không gửi lại.") % {
            "n": run.skipped
        }
    return text
