from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from lantoa.accounts.models import Role
from lantoa.activities import list_exports, selectors, services
from lantoa.activities.forms import ActivityForm, EvidenceForm, ParticipantsForm, ResourceForm
from lantoa.activities.models import Activity
from lantoa.activities.permissions import (
    can_create_activity,
    can_edit_activity,
    can_record_attendance,
    can_see_registrations,
)
from lantoa.campaigns.models import ActivityType
from lantoa.campaigns.selectors import campaign_current, campaign_get, campaigns_list
from lantoa.core.errors import Conflict, error_messages
from lantoa.core.spreadsheets import XLSX_MIME, safe_row, xlsx_attachment


def _campaign(request):
    wanted = request.GET.get("campaign") or request.POST.get("campaign")
    if wanted:
        return campaign_get(wanted)
    return campaign_current()


def _get(request, activity_id, role=None) -> Activity:
    return selectors.activity_get_for_user(request.user, activity_id, role=role)


def _form_errors(form, exc: ValidationError) -> None:
    for e in error_messages(exc):
        field = e["field"] if e["field"] in form.fields else None
        form.add_error(field, e["message"])


@login_required
def index(request):
    campaign = _campaign(request)
    unit = request.membership.unit if request.membership else None
    qs = selectors.activities_for_user(user=request.user, campaign=campaign)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    prefill = []
    if campaign is not None and unit is not None:
        values = selectors.activity_indicator_values(campaign=campaign, unit=unit)
        names = dict(campaign.indicators.values_list("code", "name"))
        prefill = [(names.get(code, code), n) for code, n in values.items()]
    return render(
        request,
        "activities/index.html",
        {
            "prefill": prefill,
            "campaign": campaign,
            "campaigns": campaigns_list(),
            "page": page,
            "can_create": unit is not None and can_create_activity(request.user, unit),
            "unit": unit,
        },
    )


@login_required
def index_xlsx(request):
    """The list above for the same Week, every row."""
    campaign = _campaign(request)
    unit = request.membership.unit if request.membership else None
    data = list_exports.activities_xlsx(
        user=request.user,
        scope_name=unit.name if unit else request.user.get_username(),
        campaign=campaign,
    )
    year = campaign.year if campaign else "tat-ca"
    return xlsx_attachment(data, f"hoat-dong-{year}.xlsx")


def _types(campaign):
    return ActivityType.objects.filter(campaign=campaign).order_by("position")


@login_required
def create(request):
    campaign = _campaign(request)
    unit = request.membership.unit if request.membership else None
    if campaign is None or unit is None or not can_create_activity(request.user, unit):
        raise Http404
    form = ActivityForm(request.POST or None, types=_types(campaign), initial={"public": True})
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                user=request.user, campaign=campaign, unit=unit, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã tạo hoạt động."))
            return redirect("activities:detail", activity_id=activity.pk)
    return render(
        request,
        "activities/form.html",
        {"form": form, "title": f"Hoạt động mới · {unit.name}", "campaign": campaign},
    )


@login_required
def edit(request, activity_id):
    activity = _get(request, activity_id, role=Role.EDITOR)
    initial = {
        "type": activity.type.code,
        "title": activity.title,
        "description": activity.description,
        "starts_at": timezone.localtime(activity.starts_at),
        "ends_at": timezone.localtime(activity.ends_at),
        "mode": activity.mode,
        "location": activity.location,
        "online_url": activity.online_url,
        "audience": activity.audience,
        "capacity": activity.capacity,
        "public": activity.public,
    }
    form = ActivityForm(request.POST or None, types=_types(activity.campaign), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(user=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu hoạt động."))
            return redirect("activities:detail", activity_id=activity.pk)
    return render(
        request,
        "activities/form.html",
        {"form": form, "title": activity.title, "campaign": activity.campaign},
    )


@login_required
def detail(request, activity_id):
    activity = _get(request, activity_id)
    organiser = can_see_registrations(request.user, activity)
    registrations = (
        list(selectors.registrations_for_activity(user=request.user, activity=activity))
        if organiser
        else []
    )
    participants = ParticipantsForm(initial=activity.participants or {})
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "can_edit": can_edit_activity(request.user, activity),
            "organiser": organiser,
            "can_mark": can_record_attendance(request.user, activity),
            "registrations": registrations,
            "left": selectors.places_left(activity),
            "evidence": activity.evidence.all(),
            "participants_form": participants,
            "evidence_form": EvidenceForm(),
        },
    )


@login_required
@require_POST
def participants(request, activity_id):
    activity = _get(request, activity_id, role=Role.EDITOR)
    form = ParticipantsForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v is not None}
        try:
            services.activity_participants_set(
                user=request.user, activity=activity, participants=data
            )
            messages.success(request, _("Đã lưu số người tham gia."))
        except ValidationError as exc:
            for e in error_messages(exc):
                messages.error(request, e["message"])
    else:
        messages.error(request, _("Số người tham gia phải là số nguyên không âm."))
    return redirect("activities:detail", activity_id=activity.pk)


@login_required
@require_POST
def evidence(request, activity_id):
    activity = _get(request, activity_id, role=Role.EDITOR)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                user=request.user,
                activity=activity,
                title=form.cleaned_data["title"],
                url=form.cleaned_data["url"],
                upload=form.cleaned_data["file"],
            )
            messages.success(request, _("Đã thêm minh chứng."))
        except ValidationError as exc:
            for e in error_messages(exc):
                messages.error(request, e["message"])
    return redirect("activities:detail", activity_id=activity.pk)


@login_required
@require_POST
def attendance(request, activity_id):
    activity = _get(request, activity_id)
    ids = {int(v) for v in request.POST.getlist("attended") if v.isdigit()}
    present = services.attendance_record(user=request.user, activity=activity, attended_ids=ids)
    messages.success(request, _("Đã ghi nhận điểm danh: %(n)s người có mặt.") % {"n": present})
    return redirect("activities:detail", activity_id=activity.pk)


@login_required
@require_POST
def cancel(request, activity_id):
    activity = _get(request, activity_id, role=Role.EDITOR)
    try:
        services.activity_cancel(user=request.user, activity=activity)
        messages.success(request, _("Đã hủy hoạt động; người đăng ký có thư điện tử đã được báo."))
    except Conflict as exc:
        messages.error(request, exc.detail)
    return redirect("activities:detail", activity_id=activity.pk)


@login_required
def registrations_xlsx(request, activity_id):
    activity = _get(request, activity_id)
    rows = selectors.registrations_for_activity(user=request.user, activity=activity)
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách đăng ký"
    ws.append(safe_row(ws, [activity.title]))
    ws.append(
        [
            "STT",
            "Mã",
            "Họ và tên",
            "Điện thoại",
            "Thư điện tử",
            "Trạng thái",
            "Có mặt",
            "Đăng ký lúc",
        ]
    )
    for i, r in enumerate(rows, start=1):
        ws.append(
            safe_row(
                ws,
                [
                    i,
                    r.code,
                    r.full_name,
                    r.phone,
                    r.email,
                    r.get_state_display(),
                    {True: "Có", False: "Vắng", None: ""}[r.attended],
                    timezone.localtime(r.created_at).strftime("%d/%m/%Y %H:%M"),
                ],
            )
        )
    for col, width in zip("ABCDEFGH", (5, 11, 28, 14, 28, 16, 8, 17), strict=True):
        ws.column_dimensions[col].width = width
    response = HttpResponse(content_type=XLSX_MIME)
    wb.save(response)
    response["Content-Disposition"] = f'attachment; filename="dang-ky-hoat-dong-{activity.pk}.xlsx"'
    return response


@login_required
def resources(request):
    campaign = _campaign(request)
    unit = request.membership.unit if request.membership else None
    can_add = campaign is not None and unit is not None and can_create_activity(request.user, unit)
    form = ResourceForm(request.POST or None)
    if request.method == "POST":
        if not can_add:
            raise Http404
        if form.is_valid():
            try:
                services.resource_create(
                    user=request.user, campaign=campaign, unit=unit, **form.cleaned_data
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Đã thêm học liệu."))
                return redirect("activities:resources")
    return render(
        request,
        "activities/resources.html",
        {
            "form": form,
            "can_add": can_add,
            "resources": selectors.public_resources(campaign=campaign)[:500],
            "campaign": campaign,
        },
    )
