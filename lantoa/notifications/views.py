from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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
    reminder_run_state,
    reminder_run_text,
    reminder_runs_for_office,
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
    """One click: the worker reminds every unit below ``unit_id`` that has not submitted;
    the answer comes at once and the run's progress is on ``reminder_runs``."""
    campaign = campaign_get(campaign_id)
    unit = unit_get_for_user(request.user, unit_id)
    try:
        run = services.reminder_run_request(campaign=campaign, unit=unit, user=request.user)
    except PermissionDeniedError as exc:
        if _wants_json(request):
            return JsonResponse({"detail": exc.detail}, status=403)
        if request.htmx:  # htmx swaps 2xx only: the message goes in a 200
            return render(request, "notifications/_remind_result.html", {"error": exc.detail})
        messages.error(request, exc.detail)
        return redirect(safe_next(request, "overview:dashboard"))
    text = reminder_run_text(run)
    progress = reverse("notifications:reminder_runs", args=[campaign.pk, unit.pk])
    if _wants_json(request):
        return JsonResponse(
            {**reminder_run_state(run), "detail": text, "progress_url": progress}, status=202
        )
    if request.htmx:
        return render(
            request,
            "notifications/_remind_result.html",
            {"text": text, "run": run, "progress_url": progress},
        )
    messages.success(request, text)
    return redirect(safe_next(request, "overview:dashboard"))


@login_required
def reminder_runs(request, campaign_id, unit_id):
    """The office's "remind all" runs for a campaign: progress while the worker runs, then
    how many units were reminded (htmx polls the table while one is running)."""
    campaign = campaign_get(campaign_id)
    unit = unit_get_for_user(request.user, unit_id)
    runs = list(reminder_runs_for_office(campaign=campaign, unit=unit)[:30])
    context = {
        "campaign": campaign,
        "unit": unit,
        "runs": runs,
        "polling": any(r.active for r in runs),
    }
    template = "notifications/_reminder_runs.html" if request.htmx else "notifications/runs.html"
    return render(request, template, context)


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
