"""Notices to the people of units: in-app + e-mail (queued, sent by the worker after commit)."""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lantoa.accounts.models import ROLE_RANK, Membership, Role
from lantoa.campaigns.models import Campaign, ReportingDeadline
from lantoa.core import prepared
from lantoa.core.errors import PermissionDeniedError
from lantoa.history.services import history_record
from lantoa.notifications.emails import Draft, emails_queue
from lantoa.notifications.models import (
    REMINDER_RUN_ACTIVE,
    EmailMessageLog,
    Notification,
    ReminderDelivery,
    ReminderKind,
    ReminderLog,
    ReminderRun,
    ReminderRunStatus,
)
from lantoa.notifications.permissions import can_send_reminders
from lantoa.units.models import Unit

logger = logging.getLogger(__name__)


def _recipients(units_q: Q, min_role: str):
    roles = [r for r, rank in ROLE_RANK.items() if rank >= ROLE_RANK[min_role]]
    return (
        Membership.objects.filter(units_q, role__in=roles, is_active=True, user__is_active=True)
        .select_related("user", "unit")
        .order_by("unit_id", "user_id")
    )


def _parent_recipients_of(min_role: str):
    return prepared.compiled(lambda path: _recipients(Q(unit__path=path), min_role))


# The recipients above a unit, for each least role: compiled once (``prepared.compiled``),
# as a submission notifies them.
_PARENT_RECIPIENTS = {role: _parent_recipients_of(role) for role in ROLE_RANK}


def unit_recipients(units: Iterable[Unit], *, min_role: str = Role.EDITOR):
    """Active users holding at least ``min_role`` directly on each unit."""
    return _recipients(Q(unit__in=list(units)), min_role)


def notify_units(
    *,
    units: Iterable[Unit],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    min_role: str = Role.EDITOR,
    email_units: bool = True,
    url_for: Callable[[Unit], str] | None = None,
    sender: Unit | None = None,
    reminder_for: dict[int, int] | None = None,
) -> list[Notification]:
    """Notify every editor/approver of ``units``; e-mail them and the unit's own address.

    ``url_for(unit)`` gives each unit its own link (e.g. its report) instead of ``url``.
    E-mails are queued (one per address, sent by the worker, see ``emails``) on behalf of
    ``sender``; ``reminder_for`` maps a unit to the ReminderLog its e-mails deliver.
    """
    units = list(units)
    return _deliver(
        units=units,
        recipients=list(unit_recipients(units, min_role=min_role)),
        kind=kind,
        title=title,
        body=body,
        url=url,
        email_units=email_units,
        url_for=url_for,
        sender=sender,
        reminder_for=reminder_for,
    )


def notify_parent(
    *, unit: Unit, kind: str, title: str, body: str = "", url: str = "", min_role: str
) -> list[Notification]:
    """``notify_units`` for the unit above ``unit`` in the administrative tree (its people
    only, not the unit's own address), found by path in the recipients' query."""
    if unit.depth <= 1:
        return []
    recipients = _PARENT_RECIPIENTS[min_role](unit.path[: -Unit.steplen])
    parents = list({m.unit_id: m.unit for m in recipients}.values())
    return _deliver(
        units=parents, recipients=recipients, kind=kind, title=title, body=body, url=url
    )


def _deliver(
    *,
    units: list[Unit],
    recipients: list[Membership],
    kind: str,
    title: str,
    body: str,
    url: str,
    email_units: bool = False,
    url_for: Callable[[Unit], str] | None = None,
    sender: Unit | None = None,
    reminder_for: dict[int, int] | None = None,
) -> list[Notification]:
    links = {u.pk: url_for(u) for u in units} if url_for else {}
    notices = [
        Notification(
            user=m.user,
            unit=m.unit,
            kind=kind,
            title=title[:255],
            body=body,
            url=links.get(m.unit_id, url),
            reminder_id=(reminder_for or {}).get(m.unit_id),
        )
        for m in recipients
    ]
    prepared.insert(notices)  # a submission's few notices: a fixed text, prepared
    by_unit: dict[int, set[str]] = defaultdict(set)
    for m in recipients:
        if m.user.email:
            by_unit[m.unit_id].add(m.user.email.strip())
    drafts: list[Draft] = []
    sent_to: set[str] = set()
    for u in units:
        addresses = by_unit[u.pk] | ({u.email.strip()} if email_units and u.email else set())
        if url_for is None:
            # One shared text: each address gets it once, however many units it serves.
            addresses -= sent_to
            sent_to |= addresses
        subject, text = _texts(title, body, links.get(u.pk, url))
        reminder = (reminder_for or {}).get(u.pk)
        drafts += [
            Draft(to=a, subject=subject, body=text, recipient_unit_id=u.pk, reminder_id=reminder)
            for a in sorted(addresses)
        ]
    emails_queue(drafts=drafts, kind=kind, sender=sender)
    return notices


def notify_user(
    *,
    user,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    unit: Unit | None = None,
    sender: Unit | None = None,
) -> Notification:
    notice = Notification.objects.create(
        user=user, unit=unit, kind=kind, title=title[:255], body=body, url=url
    )
    if user.email:
        subject, text = _texts(title, body, url)
        emails_queue(
            drafts=[Draft(to=user.email, subject=subject, body=text)],
            kind=kind,
            sender=sender or unit,
        )
    return notice


def email_on_commit(
    *, to: Iterable[str], subject: str, body: str, kind: str = "info", sender: Unit | None = None
) -> list[int]:
    """Queue one e-mail per address; the worker sends them once the transaction commits."""
    addresses = sorted({a.strip() for a in to if a and a.strip()})
    return emails_queue(
        drafts=[Draft(to=a, subject=subject, body=body) for a in addresses],
        kind=kind,
        sender=sender,
    )


def _texts(title: str, body: str, url: str) -> tuple[str, str]:
    link = f"\n\n{settings.BASE_URL}{url}" if url else ""
    return f"[Lantoa] {title}", f"{body}{link}\n\n— Lantoa"


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


# ---- reminders (đôn đốc) ---------------------------------------------------

REMINDER_DAYS_BEFORE = (3, 1)
REMINDER_OVERDUE_DAYS = 7
_CHUNK = 500


def reminder_days_before() -> tuple[int, ...]:
    return tuple(getattr(settings, "LANTOA_REMINDER_DAYS_BEFORE", REMINDER_DAYS_BEFORE))


def reminder_overdue_days() -> int:
    """How many days after a deadline the late units are still reminded (daily)."""
    return int(getattr(settings, "LANTOA_REMINDER_OVERDUE_DAYS", REMINDER_OVERDUE_DAYS))


def reminder_is_due(*, due_on: date, today: date) -> bool:
    days_left = (due_on - today).days
    return days_left in reminder_days_before() or -reminder_overdue_days() <= days_left < 0


def _missing_units(*, campaign: Campaign, unit: Unit) -> list[dict]:
    from lantoa.reports.lines.selectors import completeness_by_line

    # Along the campaign's reporting lines: the Sở reminds the schools that report to it.
    return completeness_by_line(campaign=campaign, unit=unit, missing_limit=None)["missing"]


def _reminder_text(
    *, campaign: Campaign, due_on: date | None, today: date, office: Unit | None = None
) -> tuple[str, str]:
    title = _("Đôn đốc nộp báo cáo kết quả Tuần lễ năm %(year)s") % {"year": campaign.year}
    if due_on is None:
        when = ""
    else:
        days_left = (due_on - today).days
        due = due_on.strftime("%d/%m/%Y")
        if days_left > 0:
            when = _("Hạn nộp: %(due)s (còn %(days)s ngày).") % {"due": due, "days": days_left}
        elif days_left == 0:
            when = _("Hạn nộp: %(due)s (hôm nay).") % {"due": due}
        else:
            when = _("Hạn nộp: %(due)s (đã quá hạn %(days)s ngày).") % {
                "due": due,
                "days": -days_left,
            }
    body = _(
        "Đơn vị chưa nộp báo cáo kết quả %(title)s. %(when)s "
        "Đề nghị đơn vị hoàn thành và gửi báo cáo trên Lantoa."
    ) % {"title": campaign.title, "when": when}
    if office is not None:
        body = _("%(office)s đôn đốc: %(body)s") % {"office": office.name, "body": body}
    return title, " ".join(body.split())


def _report_url(campaign: Campaign) -> Callable[[Unit], str]:
    def url_for(unit: Unit) -> str:
        try:
            return reverse("reports:report", args=[campaign.pk, unit.pk])
        except NoReverseMatch:
            return "/bao-cao/"

    return url_for


def _remind(
    *,
    campaign: Campaign,
    missing: list[dict],
    kind: str,
    today: date,
    user=None,
    office: Unit | None = None,
    run: ReminderRun | None = None,
) -> list[int]:
    """Log and send one reminder per missing unit not yet reminded today (this kind)."""
    ids = [m["unit_id"] for m in missing]
    already = _reminded_on(campaign=campaign, kind=kind, unit_ids=ids, today=today)
    todo = [m for m in missing if m["unit_id"] not in already]
    if not todo:
        return []
    now = timezone.now()
    with transaction.atomic():
        logs = ReminderLog.objects.bulk_create(
            [
                ReminderLog(
                    campaign=campaign,
                    unit_id=m["unit_id"],
                    kind=kind,
                    sent_on=today,
                    sent_at=now,
                    sent_by=user if getattr(user, "pk", None) else None,
                    due_on=m.get("due_on"),
                    delivery=ReminderDelivery.PENDING,
                    run=run,
                )
                for m in todo
            ],
            batch_size=_CHUNK,
        )
        reminder_for = {log.unit_id: log.pk for log in logs}
        by_due: dict[date | None, list[int]] = defaultdict(list)
        for m in todo:
            by_due[m.get("due_on")].append(m["unit_id"])
        url_for = _report_url(campaign)
        for due_on, unit_ids in by_due.items():
            title, body = _reminder_text(
                campaign=campaign, due_on=due_on, today=today, office=office
            )
            for start in range(0, len(unit_ids), _CHUNK):
                units = Unit.objects.filter(pk__in=unit_ids[start : start + _CHUNK]).only(
                    "id", "name", "email"
                )
                notify_units(
                    units=units,
                    kind="reminder",
                    title=title,
                    body=body,
                    url_for=url_for,
                    sender=office or campaign.owner_unit,
                    reminder_for=reminder_for,
                )
        # A reminder with no address to write to reached the unit through its in-app
        # notices alone; the others count once one of their e-mails is delivered.
        ids = list(reminder_for.values())
        ReminderLog.objects.filter(pk__in=ids).exclude(
            pk__in=EmailMessageLog.objects.filter(reminder_id__in=ids).values("reminder_id")
        ).update(delivery=ReminderDelivery.DELIVERED, delivered_at=now)
    return [m["unit_id"] for m in todo]


def reminders_send_due(*, today: date | None = None) -> int:
    """The daily job: remind units that have not submitted, 3 and 1 days before their
    deadline and every day after it (up to ``LANTOA_REMINDER_OVERDUE_DAYS``).

    Idempotent per (unit, campaign, day): running it again the same day sends nothing.
    Returns the number of units reminded.
    """
    today = today or timezone.localdate()
    before = reminder_days_before()
    window = (
        today - timedelta(days=reminder_overdue_days()),
        today + timedelta(days=max(before, default=0)),
    )
    campaigns = Campaign.objects.filter(
        pk__in=ReportingDeadline.objects.filter(due_on__range=window).values("campaign_id")
    ).select_related("owner_unit")
    sent = 0
    for campaign in campaigns:
        missing = [
            m
            for m in _missing_units(campaign=campaign, unit=campaign.owner_unit)
            if m.get("due_on") and reminder_is_due(due_on=m["due_on"], today=today)
        ]
        for attempt in range(2):
            try:
                sent += len(
                    _remind(campaign=campaign, missing=missing, kind=ReminderKind.AUTO, today=today)
                )
                break
            except IntegrityError:
                # Another run logged some of them meanwhile: the retry skips those.
                if attempt:
                    raise
    return sent


STALE_RUN = timedelta(minutes=30)


def _office_missing(*, campaign: Campaign, unit: Unit) -> list[dict]:
    return [m for m in _missing_units(campaign=campaign, unit=unit) if m["unit_id"] != unit.pk]


def _reminded_on(*, campaign: Campaign, kind: str, unit_ids: list[int], today: date) -> set[int]:
    already: set[int] = set()
    for start in range(0, len(unit_ids), _CHUNK):
        already.update(
            ReminderLog.objects.filter(
                campaign=campaign,
                kind=kind,
                sent_on=today,
                unit_id__in=unit_ids[start : start + _CHUNK],
            ).values_list("unit_id", flat=True)
        )
    return already


def reminder_run_request(*, campaign: Campaign, unit: Unit, user) -> ReminderRun:
    """An office asks, in one click, to remind every unit of its subtree that has not
    submitted. The request only counts them and stores the run; the worker reminds them
    (``reminder_run_execute``) once the transaction commits.

    Units already reminded by hand today are skipped (at most one manual reminder per unit
    and day, as before). While a run of this office and campaign is waiting or running, a
    second click gets that same run. A run with nobody left to remind is stored as done.
    """
    if not can_send_reminders(user, unit):
        raise PermissionDeniedError(_("Chỉ chuyên viên hoặc lãnh đạo đơn vị mới được đôn đốc."))
    _stale_runs_fail(campaign=campaign, unit=unit)
    active = ReminderRun.objects.filter(
        campaign=campaign, unit=unit, status__in=REMINDER_RUN_ACTIVE
    ).first()
    if active is not None:
        return active
    ids = [m["unit_id"] for m in _office_missing(campaign=campaign, unit=unit)]
    today = timezone.localdate()
    skipped = len(
        _reminded_on(campaign=campaign, kind=ReminderKind.MANUAL, unit_ids=ids, today=today)
    )
    todo = len(ids) - skipped
    try:
        with transaction.atomic():
            run = ReminderRun.objects.create(
                campaign=campaign,
                unit=unit,
                requested_by=user,
                expected=todo,
                skipped=skipped,
                status=ReminderRunStatus.QUEUED if todo else ReminderRunStatus.DONE,
                finished_at=None if todo else timezone.now(),
            )
    except IntegrityError:  # the same office clicked twice at once: one run
        return ReminderRun.objects.get(campaign=campaign, unit=unit, status__in=REMINDER_RUN_ACTIVE)
    if todo:
        transaction.on_commit(lambda: _run_enqueue(run.pk))
    return run


def _stale_runs_fail(*, campaign: Campaign, unit: Unit) -> None:
    """A run whose worker died (no news for 30 minutes) no longer blocks a new one."""
    ReminderRun.objects.filter(
        campaign=campaign,
        unit=unit,
        status__in=REMINDER_RUN_ACTIVE,
        updated_at__lt=timezone.now() - STALE_RUN,
    ).update(status=ReminderRunStatus.FAILED, error="stale", finished_at=timezone.now())


def reminder_runs_sweep(*, now=None) -> int:
    """Runs the queue lost: a run still "running" after 30 minutes (worker killed) goes
    back to the queue, and runs queued for 10 minutes are enqueued again. A resumed run
    skips the units already reminded today. Returns the number of runs enqueued."""
    now = now or timezone.now()
    ReminderRun.objects.filter(
        status=ReminderRunStatus.RUNNING, updated_at__lt=now - STALE_RUN
    ).update(status=ReminderRunStatus.QUEUED, updated_at=now)
    lost = ReminderRun.objects.filter(
        status=ReminderRunStatus.QUEUED, updated_at__lt=now - timedelta(minutes=10)
    )
    ids = list(lost.values_list("pk", flat=True)[:100])
    ReminderRun.objects.filter(pk__in=ids).update(updated_at=now)
    for pk in ids:
        _run_enqueue(pk)
    return len(ids)


def _run_enqueue(run_id: int) -> None:
    from lantoa.notifications.tasks import remind_missing_units

    try:
        remind_missing_units(run_id)
    except Exception as exc:  # the queue is down: say so on the run
        logger.warning("Could not enqueue reminder run %s (%s)", run_id, type(exc).__name__)
        ReminderRun.objects.filter(pk=run_id, status=ReminderRunStatus.QUEUED).update(
            status=ReminderRunStatus.FAILED,
            error=type(exc).__name__[:255],
            finished_at=timezone.now(),
        )


def reminder_run_execute(*, run_id: int, final: bool = True) -> str:
    """The worker's part of "remind all": remind the units still missing, a chunk per
    transaction (progress visible in ``run.reminded``). Idempotent: a run already done is
    skipped, and a retried run skips the units it (or anyone) reminded by hand today.
    Returns "done" or "skipped"; on an error the run goes back to the queue for the retry,
    or is marked failed when ``final``."""
    claimed = ReminderRun.objects.filter(pk=run_id, status=ReminderRunStatus.QUEUED).update(
        status=ReminderRunStatus.RUNNING, updated_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    run = ReminderRun.objects.select_related("campaign", "unit", "requested_by").get(pk=run_id)
    try:
        _run_chunks(run)
    except Exception as exc:
        ReminderRun.objects.filter(pk=run_id).update(
            status=ReminderRunStatus.FAILED if final else ReminderRunStatus.QUEUED,
            error=type(exc).__name__[:255],
            finished_at=timezone.now() if final else None,
            updated_at=timezone.now(),
        )
        raise
    return "done"


def _run_chunks(run: ReminderRun) -> None:
    campaign, office, user = run.campaign, run.unit, run.requested_by
    today = timezone.localdate()
    missing = _office_missing(campaign=campaign, unit=office)
    for start in range(0, len(missing), _CHUNK):
        _remind(
            campaign=campaign,
            missing=missing[start : start + _CHUNK],
            kind=ReminderKind.MANUAL,
            today=today,
            user=user,
            office=office,
            run=run,
        )
        reminded = ReminderLog.objects.filter(run=run).count()
        ReminderRun.objects.filter(pk=run.pk).update(reminded=reminded, updated_at=timezone.now())
    unit_ids = list(ReminderLog.objects.filter(run=run).values_list("unit_id", flat=True))
    with transaction.atomic():
        ReminderRun.objects.filter(pk=run.pk).update(
            status=ReminderRunStatus.DONE,
            reminded=len(unit_ids),
            skipped=len(missing) - len(unit_ids),
            error="",
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if unit_ids:
            history_record(
                actor=user,
                unit=office,
                obj=campaign,
                action="remind",
                summary=_("Đôn đốc %(n)s đơn vị chưa nộp báo cáo") % {"n": len(unit_ids)},
                after={"unit_ids": sorted(unit_ids)},
            )
