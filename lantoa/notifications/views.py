from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lantoa.accounts.selectors import unit_get_for_user
from lantoa.campaigns.selectors import campaign_get
from lantoa.core.errors import Conflict, PermissionDeniedError
from lantoa.core.redirects import safe_next
from lantoa.notifications import emails, services
from lantoa.notifications.models import EmailStatus
from lantoa.notifications.selectors import (
    email_get_for_office,
    email_status_counts,
    emails_for_office,
    mask_address,
    notification_get_for_user,
    notifications_for_user,
    reminder_counts,
    unread_count,
)


@login_required
def notification_list(request):
    only_unread = request.GET.get("chua-doc") == "1"
    notices = notifications_for_user(user=request.user)
    if only_unread:
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": unread_count(user=request.user), "only_unread": only_unread},
    )


@login_required
def notification_count(request):
    """The unread badge, loaded by HTMX so pages pay nothing for it."""
    return render(request, "notifications/_count.html", {"unread": unread_count(user=request.user)})


@login_required
@require_POST
def notification_read(request, notification_id):
    notice = notification_get_for_user(request.user, notification_id)
    services.notification_mark_read(user=request.user, notification_id=notice.pk)
    if request.htmx:
        return HttpResponse(status=204)
    if request.POST.get("open") and notice.url.startswith("/"):
        return redirect(notice.url)
    return redirect(safe_next(request, "notifications:list"))


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_read(user=request.user)
    messages.success(request, _("Đã đánh dấu %(n)s thông báo là đã đọc.") % {"n": count})
    return redirect("notifications:list")


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "") and not request.htmx


@login_required
@require_POST
def remind_missing(request, campaign_id, unit_id):
    """One click: remind every unit below ``unit_id`` that has not submitted its report."""
    campaign = campaign_get(campaign_id)
    unit = unit_get_for_user(request.user, unit_id)
    try:
        result = services.reminder_send_missing(campaign=campaign, unit=unit, user=request.user)
    except (PermissionDeniedError, Conflict) as exc:
        status = 403 if isinstance(exc, PermissionDeniedError) else 409
        if _wants_json(request):
            return JsonResponse({"detail": exc.detail}, status=status)
        if request.htmx:  # htmx swaps 2xx only: the message goes in a 200
            return render(request, "notifications/_remind_result.html", {"error": exc.detail})
        messages.error(request, exc.detail)
        return redirect(safe_next(request, "overview:dashboard"))
    if result["reminded"]:
        text = _("Đã đôn đốc %(n)s đơn vị chưa nộp báo cáo.") % {"n": result["reminded"]}
    else:
        text = _("Không có đơn vị nào cần đôn đốc thêm hôm nay.")
    if result["skipped"]:
        text += " " + _("%(n)s đơn vị đã được đôn đốc hôm nay nên không gửi lại.") % {
            "n": result["skipped"]
        }
    if _wants_json(request):
        return JsonResponse({**result, "detail": text})
    if request.htmx:
        counts = reminder_counts(campaign=campaign, unit_ids=result["unit_ids"])
        return render(
            request,
            "notifications/_remind_result.html",
            {"text": text, "result": result, "counts": counts},
        )
    messages.success(request, text)
    return redirect(safe_next(request, "overview:dashboard"))


@login_required
def email_list(request, unit_id):
    """The e-mails an office (and the units below it) sent: status, attempts, last error."""
    unit = unit_get_for_user(request.user, unit_id)
    status = request.GET.get("trang-thai") or None
    page = Paginator(emails_for_office(unit=unit, status=status), 50).get_page(
        request.GET.get("page")
    )
    for log in page:
        log.masked_to = mask_address(log.to)
    return render(
        request,
        "notifications/emails.html",
        {
            "unit": unit,
            "page": page,
            "status": status if status in EmailStatus.values else None,
            "statuses": EmailStatus.choices,
            "counts": email_status_counts(unit=unit),
        },
    )


@login_required
@require_POST
def email_retry(request, unit_id, log_id):
    unit = unit_get_for_user(request.user, unit_id)
    log = email_get_for_office(unit=unit, log_id=log_id)
    try:
        emails.email_retry(log=log, user=request.user)
        messages.success(request, _("Đã đưa thư vào hàng đợi để gửi lại."))
    except (PermissionDeniedError, Conflict) as exc:
        messages.error(request, exc.detail)
    return redirect("notifications:emails", unit_id=unit.pk)
