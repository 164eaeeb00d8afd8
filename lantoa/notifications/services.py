"""Notices to the people of units: in-app + e-mail (sent after the transaction commits)."""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from lantoa.accounts.models import ROLE_RANK, Membership
from lantoa.notifications.models import Notification
from lantoa.units.models import Unit


def unit_recipients(units: Iterable[Unit], *, min_role: str = "editor"):
    """Active users holding at least ``min_role`` directly on each unit."""
    roles = [r for r, rank in ROLE_RANK.items() if rank >= ROLE_RANK[min_role]]
    return (
        Membership.objects.filter(
            unit__in=list(units), role__in=roles, is_active=True, user__is_active=True
        )
        .select_related("user", "unit")
        .order_by("unit_id", "user_id")
    )


def notify_units(
    *,
    units: Iterable[Unit],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    min_role: str = "editor",
    email_units: bool = True,
) -> list[Notification]:
    """Notify every editor/approver of ``units``; e-mail them and the unit's own address."""
    units = list(units)
    notices = [
        Notification(user=m.user, unit=m.unit, kind=kind, title=title[:255], body=body, url=url)
        for m in unit_recipients(units, min_role=min_role)
    ]
    Notification.objects.bulk_create(notices)
    addresses = {n.user.email for n in notices if n.user.email}
    if email_units:
        addresses |= {u.email for u in units if u.email}
    _email_on_commit(addresses, title, body, url)
    return notices


def notify_user(
    *, user, kind: str, title: str, body: str = "", url: str = "", unit: Unit | None = None
) -> Notification:
    notice = Notification.objects.create(
        user=user, unit=unit, kind=kind, title=title[:255], body=body, url=url
    )
    if user.email:
        _email_on_commit({user.email}, title, body, url)
    return notice


def email_on_commit(*, to: Iterable[str], subject: str, body: str) -> None:
    """Send one e-mail per address once the surrounding transaction has committed."""
    addresses = sorted({a for a in to if a})
    if not addresses:
        return
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [a]) for a in addresses]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


def _email_on_commit(addresses: set[str], title: str, body: str, url: str) -> None:
    link = f"\n\n{settings.BASE_URL}{url}" if url else ""
    email_on_commit(to=addresses, subject=f"[Lantoa] {title}", body=f"{body}{link}\n\n— Lantoa")


def notification_mark_read(*, user, notification_id: int | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
