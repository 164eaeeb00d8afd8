from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Max
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


def reminder_latest(*, campaign: Campaign) -> dict[int, dict]:
    """Per reminded unit of ``campaign``: how many reminders reached it and when the last
    one was sent (one grouped query, whatever the number of units)."""
    rows = (
        ReminderLog.objects.filter(campaign=campaign, delivery=ReminderDelivery.DELIVERED)
        .order_by()
        .values("unit_id")
        .annotate(n=Count("id"), last=Max("sent_at"))
        .values_list("unit_id", "n", "last")
    )
    return {unit_id: {"count": n, "last_at": last} for unit_id, n, last in rows}


def _sender_name(user) -> str:
    if user is None:
        return _("Hệ thống (tự động)")
    return getattr(user, "full_name", "") or user.get_username()


def reminder_history(*, campaign: Campaign, unit_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Every reminder of ``campaign`` to each unit, newest first: when, by whom, and through
    which channels — in-app notices (how many users) and e-mails with their delivery status
    (queued/sending/sent/failed). Two queries, whatever the number of units and reminders.
    """
    ids = list(unit_ids)
    if not ids:
        return {}
    logs = list(
        ReminderLog.objects.filter(campaign=campaign, unit_id__in=ids)
        .select_related("sent_by")
        .annotate(notice_count=Count("notices"))
        .order_by("-sent_at", "-id")
    )
    if not logs:
        return {}
    emails: dict[int, list[dict]] = defaultdict(list)
    rows = (
        EmailMessageLog.objects.filter(reminder_id__in=[log.pk for log in logs])
        .order_by("id")
        .values_list("reminder_id", "status", "to", "sent_at")
    )
    labels = dict(EmailStatus.choices)
    for reminder_id, status, to, sent_at in rows:
        emails[reminder_id].append(
            {
                "status": status,
                "status_label": str(labels.get(status, status)),
                "to": mask_address(to),
                "sent_at": sent_at,
            }
        )
    history: dict[int, list[dict]] = defaultdict(list)
    for log in logs:
        history[log.unit_id].append(
            {
                "id": log.pk,
                "sent_at": log.sent_at,
                "sent_by": _sender_name(log.sent_by),
                "kind": log.kind,
                "kind_label": str(log.get_kind_display()),
                "delivery": log.delivery,
                "delivery_label": str(log.get_delivery_display()),
                "in_app": log.notice_count,
                "emails": emails.get(log.pk, []),
            }
        )
    return dict(history)


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
